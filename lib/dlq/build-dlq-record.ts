import { describeOutcome } from '../outcome/describe-outcome.ts';
import type { Outcome } from '../outcome/outcome.ts';

/**
 * The DLQ record keeps the original body byte for byte as the message body, so SQS's own
 * "start DLQ redrive" and `kms-auto-alias replay-dlq` can both send it back unchanged. The
 * diagnosis travels in message attributes (at most 10 are allowed; we use 3): two short ones to
 * filter on, and one JSON document with everything else.
 */
export interface DlqRecord {
  body: string;
  attributes: Record<string, { DataType: 'String' | 'Number'; StringValue: string }>;
}

export interface DlqContext {
  messageId: string;
  receiveCount: number;
  firstReceivedAt: string | undefined;
  sourceQueueArn: string | undefined;
  keyId: string | undefined;
  projectId: string | undefined;
  region: string | undefined;
  attempts: number;
  failedAt: string;
}

export const DLQ_ATTRIBUTE = {
  reason: 'kms_auto_alias.reason',
  errorCode: 'kms_auto_alias.error_code',
  detail: 'kms_auto_alias.detail',
  /** `"true"` on a record whose body had one of the function's secrets masked (send-to-dlq.ts). */
  bodyRedacted: 'kms_auto_alias.body_redacted',
} as const;

/** Longest text kept from a hostile or verbose value, so the record stays far under SQS's size limit. */
const MAX_TEXT = 500;

export function buildDlqRecord(body: string, outcome: Outcome, context: DlqContext): DlqRecord {
  const described = describeOutcome(outcome);
  // SQS refuses an empty attribute value: an outcome without an error code (never sent here in
  // practice: only invalid, conflict and failed messages go to the DLQ) is filed as NONE.
  const errorCode = described.errorCode ?? 'NONE';
  const document = {
    outcome: outcome.kind,
    reason: described.filedUnder,
    detail: clip(described.detail ?? ''),
    error_code: errorCode,
    huawei_code: described.huaweiCode,
    request_id: described.requestId,
    alias: described.alias === undefined ? undefined : clip(described.alias),
    existing_key_id: described.existingKeyId,
    retryable: described.retryable,
    key_id: context.keyId,
    project_id: context.projectId,
    region: context.region,
    attempts: context.attempts,
    receive_count: context.receiveCount,
    source_message_id: context.messageId,
    source_queue_arn: context.sourceQueueArn,
    first_received_at: context.firstReceivedAt,
    failed_at: context.failedAt,
  };
  return {
    body,
    attributes: {
      [DLQ_ATTRIBUTE.reason]: { DataType: 'String', StringValue: described.filedUnder },
      [DLQ_ATTRIBUTE.errorCode]: { DataType: 'String', StringValue: errorCode },
      [DLQ_ATTRIBUTE.detail]: { DataType: 'String', StringValue: sqsSafeJson(document) },
    },
  };
}

/**
 * SQS refuses attribute values holding characters outside its set (#x9 #xA #xD #x20-#xD7FF
 * #xE000-#xFFFD and astral): JSON.stringify escapes C0 controls and lone surrogates but leaves
 * U+FFFE/U+FFFF raw, and an event can carry them (as `\uffff` in its JSON) into a quoted detail.
 * Escaped, the JSON means the same and SQS takes the record.
 */
export function sqsSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\ufffe\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

function clip(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
}
