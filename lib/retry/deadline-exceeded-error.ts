import { AppError } from '../errors/app-error.ts';

/**
 * Not enough of the invocation budget was left to start an attempt (with-retry.ts). Retryable:
 * the work itself did not fail, so the message should come back in a later invocation.
 */
export class DeadlineExceededError extends AppError {
  /** Milliseconds left when the attempt was refused. */
  readonly remainingMs: number;

  constructor(remainingMs: number, cause?: unknown) {
    super(`not enough time left to start an attempt (${Math.max(0, Math.round(remainingMs))} ms)`, {
      code: 'DEADLINE_EXCEEDED',
      retry: 'transient',
      cause,
    });
    this.remainingMs = remainingMs;
  }
}
