// SMN message signing, the sender's side (docs/huawei-kms.md#smn-signature, from
// https://docs.otc.t-systems.com/simple-message-notification/umn/appendix/http_https_messages/message_signature_verification.html):
// the fields below in alphabetical order, each written `name\nvalue\n` (a trailing `\n` after the
// last value too), signed SHA256withRSA (PKCS#1 v1.5) over the UTF-8 bytes, Base64 (standard).
// A second, independent implementation of what the ingest function verifies.
import { type KeyObject, sign } from 'node:crypto';

/** Fields of a Notification, alphabetical; `subject` is dropped when absent or empty. */
const NOTIFICATION_FIELDS = ['message', 'message_id', 'subject', 'timestamp', 'topic_urn', 'type'] as const;
/** Fields of a SubscriptionConfirmation / UnsubscribeConfirmation, alphabetical. */
const CONFIRMATION_FIELDS = ['message', 'message_id', 'subscribe_url', 'timestamp', 'topic_urn', 'type'] as const;

export type SmnMessageType = 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';

/** The signed fields of a message body (everything but `signature`). */
export type SignableMessage = Readonly<Record<string, string | undefined>> & { readonly type: SmnMessageType };

export function stringToSign(body: SignableMessage): string {
  const fields = body.type === 'Notification' ? NOTIFICATION_FIELDS : CONFIRMATION_FIELDS;
  let out = '';
  for (const field of fields) {
    const value = body[field];
    if (field === 'subject' && (value === undefined || value === '')) continue;
    out += `${field}\n${value ?? ''}\n`;
  }
  return out;
}

/** Base64 SHA256withRSA signature of {@link stringToSign}. */
export function signSmnMessage(body: SignableMessage, privateKey: KeyObject): string {
  return sign('sha256', Buffer.from(stringToSign(body), 'utf8'), privateKey).toString('base64');
}
