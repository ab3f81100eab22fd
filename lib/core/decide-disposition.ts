import type { Disposition, Outcome } from '../outcome/outcome.ts';

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
    case 'released':
      return 'ack';
    case 'invalid':
    case 'conflict':
      return 'dlq';
    case 'failed':
      if (!outcome.retryable) return 'dlq';
      return receiveCount >= maxReceiveCount ? 'dlq' : 'retry';
  }
}
