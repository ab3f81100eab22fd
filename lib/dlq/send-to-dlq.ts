import { scrubSecrets, secretRegistry } from '../audit/secret-registry.ts';
import { type ErrorSummary, toErrorSummary } from '../errors/app-error.ts';
import { DLQ_ATTRIBUTE, type DlqRecord } from './build-dlq-record.ts';
import type { DlqPublisher } from './create-dlq-publisher.ts';

/**
 * Builds and sends one record to the DLQ within `budgetMs` (the invocation's remaining time less its
 * margin): a DLQ send that hangs must not time the invocation out, which would redeliver the
 * whole batch, decisions already made included. Never throws: a record that could not be built or
 * sent comes back as its error, and the caller leaves the message on its queue instead of losing it.
 */
export async function sendToDlq(
  dlq: DlqPublisher,
  buildRecord: () => DlqRecord,
  budgetMs: number,
): Promise<{ messageId: string } | { error: ErrorSummary }> {
  try {
    const signal = Number.isFinite(budgetMs) ? AbortSignal.timeout(Math.max(1, Math.floor(budgetMs))) : undefined;
    return { messageId: await dlq.publish(scrubbed(buildRecord()), signal) };
  } catch (err) {
    return { error: toErrorSummary(err) };
  }
}

/** Set (`"true"`) on a record whose body had one of this function's secrets masked (see {@link scrubbed}). */
export const BODY_REDACTED_ATTRIBUTE = DLQ_ATTRIBUTE.bodyRedacted;

/**
 * The record with every registered secret masked in its attributes (reason, error detail), and in
 * its body only when one occurs there. The body otherwise stays byte for byte: a replay sends
 * exactly it again. A body can hold one of this function's secrets without any attack: a CTS
 * trace names the caller's access key (`user.access_key_id`), and a key created with the AK this
 * function also uses puts that AK in the trace. No DLQ record may hold a secret, so that body is
 * masked (the secret's JSON-escaped form too, so JSON stays JSON; the handler reads no access key
 * from a trace, so a replay still works) and the record says so in `kms_auto_alias.body_redacted`.
 */
function scrubbed(record: DlqRecord): DlqRecord {
  const attributes = scrubSecrets(record.attributes);
  if (!secretRegistry.mayOccurIn(record.body)) return { body: record.body, attributes };
  const body = secretRegistry.scrubText(record.body);
  if (body === record.body) return { body, attributes };
  return {
    body,
    attributes: { ...attributes, [BODY_REDACTED_ATTRIBUTE]: { DataType: 'String', StringValue: 'true' } },
  };
}
