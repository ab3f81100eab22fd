/**
 * How a message ended, as data. A leaf module: the decisions (lib/core) produce it, the audit
 * record (lib/audit), the DLQ record (lib/dlq) and the metrics read it, and none of them needs
 * another to do so.
 */
import type { ErrorSummary } from '../errors/app-error.ts';

/** How a message ended: the audit log, the DLQ record and metrics all read this. */
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

/** Counts what one message cost: API calls (every attempt is a call) and retries. */
export interface CallMeter {
  apiCalls: number;
  retries: number;
}
