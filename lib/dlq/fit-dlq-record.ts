import { DLQ_ATTRIBUTE, type DlqRecord, sqsSafeJson } from './build-dlq-record.ts';

/**
 * The DLQ's `MaximumMessageSize` as serverless.yml sets it: 1 MiB, the most SQS allows, four times
 * the key-events queue's 256 KiB. A body that fit the key-events queue therefore always fits the
 * DLQ with its diagnosis (at most {@link MAX_DLQ_ATTRIBUTE_BYTES}), and nothing has to be cut.
 * A test keeps serverless.yml and these constants in step.
 */
export const DLQ_MAX_MESSAGE_BYTES = 1_048_576;

/** The key-events queue's `MaximumMessageSize` (serverless.yml): what SNS and EventBridge deliver at most. */
export const SOURCE_MAX_MESSAGE_BYTES = 262_144;

/** Upper bound of the attributes buildDlqRecord writes (their texts are clipped), as SQS counts them. */
export const MAX_DLQ_ATTRIBUTE_BYTES = 8_192;

/**
 * A message's size as SQS counts it against `MaximumMessageSize`: the body plus, for each message
 * attribute, its name, data type and value, all in UTF-8 bytes (SQS developer guide, "Amazon SQS
 * message attributes": attributes count towards the message size limit).
 */
export function sqsMessageBytes(record: DlqRecord): number {
  let bytes = Buffer.byteLength(record.body, 'utf8');
  for (const [name, value] of Object.entries(record.attributes)) {
    bytes += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(value.DataType, 'utf8');
    bytes += Buffer.byteLength(value.StringValue, 'utf8');
  }
  return bytes;
}

/**
 * The record, made to fit `maxBytes`: the body is never touched (replay sends it back byte for
 * byte), so the diagnosis gives way, step by step: the free-text `detail` and `alias` of the
 * detail document are shortened, then the document keeps only its codes and ids, then it goes,
 * leaving the reason and error code attributes, which always stay. A record that does not fit
 * even then (a body at the limit on its own) is returned as it is: SQS refuses it, and the caller
 * leaves the message on its queue, where the redrive policy still moves it (without a reason).
 */
export function fitDlqRecord(record: DlqRecord, maxBytes: number): DlqRecord {
  if (sqsMessageBytes(record) <= maxBytes) return record;
  const documentText = record.attributes[DLQ_ATTRIBUTE.detail]?.StringValue;
  const document = documentText === undefined ? undefined : parseDocument(documentText);
  const withDocument = (value: Record<string, unknown> | undefined): DlqRecord => {
    const { [DLQ_ATTRIBUTE.detail]: _dropped, ...rest } = record.attributes;
    if (value === undefined) return { body: record.body, attributes: rest };
    return {
      body: record.body,
      attributes: { ...rest, [DLQ_ATTRIBUTE.detail]: { DataType: 'String', StringValue: sqsSafeJson(value) } },
    };
  };
  if (document !== undefined) {
    const overflow = sqsMessageBytes(record) - maxBytes;
    const detail = typeof document.detail === 'string' ? document.detail : '';
    const alias = typeof document.alias === 'string' ? document.alias : undefined;
    // Cut the detail by the overflow (a character is at least one byte, so this may cut more than
    // needed, never less for plain text; escapes are checked by measuring again).
    const keep = Math.max(0, detail.length - overflow - 32);
    const shortened = withDocument({ ...document, detail: `${detail.slice(0, keep)}…`, shortened: true });
    if (sqsMessageBytes(shortened) <= maxBytes) return shortened;
    const codesOnly = withDocument({
      outcome: document.outcome,
      reason: document.reason,
      error_code: document.error_code,
      huawei_code: document.huawei_code,
      request_id: document.request_id,
      existing_key_id: document.existing_key_id,
      key_id: document.key_id,
      source_message_id: document.source_message_id,
      ...(alias === undefined || alias.length > 64 ? {} : { alias }),
      shortened: true,
    });
    if (sqsMessageBytes(codesOnly) <= maxBytes) return codesOnly;
  }
  const bare = withDocument(undefined);
  return sqsMessageBytes(bare) <= maxBytes ? bare : record;
}

function parseDocument(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
