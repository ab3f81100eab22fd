import type { ErrorSummary } from '../errors/app-error.ts';

/** How a message ended, as data: the audit log, the DLQ record and metrics all read this. */
export type Outcome =
  /** `requestId`: the X-Request-Id of the CreateAlias 201 (the proof, for the audit record). */
  | { kind: 'created'; alias: string; requestId?: string }
  /** `requestId`: the X-Request-Id of the refusal that led to finding the alias. */
  | { kind: 'already_present'; alias: string; requestId?: string }
  | { kind: 'skipped'; reason: string; detail: string; alias?: string }
  | { kind: 'invalid'; reason: string; detail: string }
  | { kind: 'conflict'; alias: string; existingKeyId: string; detail: string }
  | { kind: 'failed'; alias?: string; reason: string; detail: string; error: ErrorSummary; retryable: boolean };

/** What happens to the SQS message: deleted, sent to the DLQ, or left for redelivery. */
export type Disposition = 'ack' | 'dlq' | 'retry';

/**
 * Pure decision from outcome to disposition. A transient failure goes back to the queue
 * (batchItemFailures) except on its last receive, where the queue's own redrive would move the
 * bare body to the DLQ without a reason; sending it ourselves keeps the reason.
 */
export function decideDisposition(outcome: Outcome, receiveCount: number, maxReceiveCount: number): Disposition {
  switch (outcome.kind) {
    case 'created':
    case 'already_present':
    case 'skipped':
      return 'ack';
    case 'invalid':
    case 'conflict':
      return 'dlq';
    case 'failed':
      if (!outcome.retryable) return 'dlq';
      return receiveCount >= maxReceiveCount ? 'dlq' : 'retry';
  }
}
