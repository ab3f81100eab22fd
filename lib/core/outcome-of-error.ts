import { AliasConflictError, AppError, type ErrorSummary, toErrorSummary } from '../errors/app-error.ts';
import { HuaweiError } from '../errors/huawei-errors.ts';
import type { Outcome } from '../outcome/outcome.ts';

/** Pure mapping from a thrown error to an outcome; unknown errors count as transient. */
export function outcomeOfError(err: unknown, alias: string): Outcome {
  if (err instanceof AliasConflictError) {
    return {
      kind: 'conflict',
      alias,
      existingKeyId: err.existingKeyId,
      detail: `alias ${alias} already belongs to key ${err.existingKeyId}; not moved`,
      // The refused CreateAlias: without it the audit and DLQ records name no Huawei call.
      ...(err.requestId === undefined ? {} : { requestId: err.requestId }),
    };
  }
  const error = withHuaweiCall(toErrorSummary(err), err);
  const retryable = err instanceof AppError ? err.retryable : true;
  return { kind: 'failed', alias, reason: error.code.toLowerCase(), detail: error.message, error, retryable };
}

/**
 * A failure decided from a Huawei answer but raised as our own error (ALIAS_LIMIT, or a refusal
 * not listed yet after an unanswered create, ensure-alias.ts) keeps that answer as its `cause`;
 * its summary alone would name no Huawei call. The records need the answer's status, code and
 * request id, so they are taken from the first Huawei failure in the cause chain.
 */
function withHuaweiCall(summary: ErrorSummary, err: unknown): ErrorSummary {
  if (summary.request_id !== undefined || summary.huawei_code !== undefined) return summary;
  let cause = err instanceof Error ? err.cause : undefined;
  for (let depth = 0; depth < 8 && cause instanceof Error; depth++, cause = cause.cause) {
    if (!(cause instanceof HuaweiError)) continue;
    const { status, huawei_code, request_id } = cause.toSummary();
    return {
      ...summary,
      ...(status === undefined || summary.status !== undefined ? {} : { status }),
      ...(huawei_code === undefined ? {} : { huawei_code }),
      ...(request_id === undefined ? {} : { request_id }),
    };
  }
  return summary;
}
