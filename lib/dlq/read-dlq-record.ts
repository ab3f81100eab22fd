import type { Message } from '@aws-sdk/client-sqs';
import { DLQ_ATTRIBUTE } from './build-dlq-record.ts';

/** The reason of a DLQ message without our attributes: the queue's own redrive moved it. */
export const REDRIVE_REASON = 'redrive';

/** What a DLQ message says about itself: the inverse of {@link buildDlqRecord}. */
export interface DlqRecordView {
  body: string;
  /** `kms_auto_alias.reason` (`conflict`, `invalid:not_json`, ...) or `redrive`. */
  reason: string;
  /** `kms_auto_alias.error_code`, or `''`. */
  errorCode: string;
  /** The parsed `kms_auto_alias.detail` document (`{}` when absent or unreadable). */
  detail: Record<string, unknown>;
  /** The body had one of the function's secrets masked before it was stored (`kms_auto_alias.body_redacted`). */
  bodyRedacted: boolean;
}

/** Reads a DLQ message, ours or one the redrive policy moved; pure, never throws. */
export function readDlqRecord(message: Pick<Message, 'Body' | 'MessageAttributes'>): DlqRecordView {
  const attr = (name: string) => {
    const value = message.MessageAttributes?.[name]?.StringValue;
    return value === undefined || value === '' ? undefined : value;
  };
  return {
    body: message.Body ?? '',
    reason: attr(DLQ_ATTRIBUTE.reason) ?? REDRIVE_REASON,
    errorCode: attr(DLQ_ATTRIBUTE.errorCode) ?? '',
    detail: parseObject(attr(DLQ_ATTRIBUTE.detail)),
    bodyRedacted: attr(DLQ_ATTRIBUTE.bodyRedacted) === 'true',
  };
}

function parseObject(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}
