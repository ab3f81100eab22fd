import { AliasConflictError, AppError, toErrorSummary } from '../errors/app-error.ts';
import type { Outcome } from '../outcome/outcome.ts';

/** Pure mapping from a thrown error to an outcome; unknown errors count as transient. */
export function outcomeOfError(err: unknown, alias: string): Outcome {
  if (err instanceof AliasConflictError) {
    return {
      kind: 'conflict',
      alias,
      existingKeyId: err.existingKeyId,
      detail: `alias ${alias} already belongs to key ${err.existingKeyId}; not moved`,
    };
  }
  const error = toErrorSummary(err);
  const retryable = err instanceof AppError ? err.retryable : true;
  return { kind: 'failed', alias, reason: error.code.toLowerCase(), detail: error.message, error, retryable };
}
