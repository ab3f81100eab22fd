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
    return { messageId: await dlq.publish(buildRecord(), signal) };
  } catch (err) {
    return { error: toErrorSummary(err) };
  }
}
