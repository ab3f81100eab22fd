import type { Message } from '@aws-sdk/client-sqs';
import { readDlqRecord } from '../dlq/read-dlq-record.ts';
import { normaliseEvent } from '../events/normalise-event.ts';

export { REDRIVE_REASON } from '../dlq/read-dlq-record.ts';

export interface DlqMessageInfo {
  /** `kms_auto_alias.reason` (`conflict`, `invalid:not_json`, `failed:kms_throttled`...) or `redrive`. */
  reason: string;
  /** `kms_auto_alias.error_code`, when present. */
  error_code?: string;
  /** From the detail attribute, else from the body when it normalises to a key event. */
  key_id?: string;
  /** The stored body had one of the function's secrets masked: the replay sends the masked body. */
  body_redacted?: true;
}

/**
 * Reads what a DLQ message says about itself. Our records (lib/dlq/build-dlq-record.ts) carry
 * the reason in message attributes; a body moved by the queue's redrive policy after
 * `maxReceiveCount` receives has none, and gets the reason `redrive`. Pure; never throws.
 */
export function describeDlqMessage(message: Pick<Message, 'Body' | 'MessageAttributes'>): DlqMessageInfo {
  const record = readDlqRecord(message);
  const info: DlqMessageInfo = { reason: record.reason };
  if (record.errorCode !== '') info.error_code = record.errorCode;
  const detailKeyId = record.detail.key_id;
  const keyId =
    (typeof detailKeyId === 'string' && detailKeyId !== '' ? detailKeyId : undefined) ?? keyIdOfBody(message.Body);
  if (keyId !== undefined) info.key_id = keyId;
  if (record.bodyRedacted) info.body_redacted = true;
  return info;
}

/**
 * `--filter` semantics: a reason matches when it starts with any of the filters (`invalid`
 * matches `invalid:not_json`; `failed:kms_throttled` matches itself). No filter matches all.
 */
export function matchesFilter(reason: string, filters: readonly string[]): boolean {
  return filters.length === 0 || filters.some((f) => reason.startsWith(f));
}

function keyIdOfBody(body: string | undefined): string | undefined {
  if (body === undefined) return undefined;
  const result = normaliseEvent(body);
  return result.kind === 'key_created' ? result.event.key_id : undefined;
}
