import { scrubSecrets } from '../audit/secret-registry.ts';
import { type ErrorSummary, toErrorSummary } from '../errors/app-error.ts';
import type { DlqRecord } from './build-dlq-record.ts';
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

/**
 * The record with every registered secret masked in its attributes (reason, error detail). The
 * body stays byte for byte: it is the sender's message as the source queue already holds it, a
 * replay must send exactly it again, and it cannot hold one of this function's secrets unless its
 * sender knew them.
 */
function scrubbed(record: DlqRecord): DlqRecord {
  return { body: record.body, attributes: scrubSecrets(record.attributes) };
}
