import type { SmnMessage } from './smn-message.ts';

/** The fields a string to sign reads (a subset of {@link SmnMessage}). */
export type SmnSignedFields = Pick<
  SmnMessage,
  'kind' | 'type' | 'message' | 'messageId' | 'subject' | 'subscribeUrl' | 'timestamp' | 'topicUrn'
>;

/**
 * SMN's canonical string: the signed fields in alphabetical order, each as `name\nvalue\n`
 * (a trailing newline after the last value too). Notifications sign `message, message_id,
 * subject, timestamp, topic_urn, type`, with both subject lines dropped when it is absent or
 * empty; confirmations sign `message, message_id, subscribe_url, timestamp, topic_urn, type`.
 * Huawei: "Message Signature Verification" (https://support.huaweicloud.com/usermanual-smn/smn_ug_a9003.html,
 * docs/huawei-kms.md#smn-signature).
 *
 * This is the receiving side's one definition; the emulator signs with its own, independent
 * implementation so that one bug cannot pass both.
 *
 * @example
 * smnStringToSign({ kind: 'notification', type: 'Notification', message: 'hi', messageId: 'm1',
 *   subject: undefined, subscribeUrl: undefined, timestamp: '2024-07-10T09:43:44Z', topicUrn: 'urn:smn:r:p:t' })
 * // 'message\nhi\nmessage_id\nm1\ntimestamp\n2024-07-10T09:43:44Z\ntopic_urn\nurn:smn:r:p:t\ntype\nNotification\n'
 */
export function smnStringToSign(message: SmnSignedFields): string {
  const fields: Array<[string, string | undefined]> =
    message.kind === 'notification'
      ? [
          ['message', message.message],
          ['message_id', message.messageId],
          ['subject', message.subject === '' ? undefined : message.subject],
          ['timestamp', message.timestamp],
          ['topic_urn', message.topicUrn],
          ['type', message.type],
        ]
      : [
          ['message', message.message],
          ['message_id', message.messageId],
          ['subscribe_url', message.subscribeUrl ?? ''],
          ['timestamp', message.timestamp],
          ['topic_urn', message.topicUrn],
          ['type', message.type],
        ];
  let out = '';
  for (const [name, value] of fields) {
    if (value !== undefined) out += `${name}\n${value}\n`;
  }
  return out;
}
