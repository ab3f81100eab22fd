/**
 * Reads the retry class that every `AppError` got where it was born (lib/errors), and names the
 * kind of failure for retry logs and metrics. It decides nothing about Huawei's answers: the
 * client did that once (lib/huawei/classify-huawei-failure.ts). Only a value that is not an
 * `AppError` (a bug, or a library's own error) is described here, from its name and socket code,
 * following `cause` chains as smithy-typescript's `service-error-classification` does.
 *
 * | Failure                                                        | kind             | retryable |
 * |----------------------------------------------------------------|------------------|-----------|
 * | retry class `throttling`                                       | `throttled`      | yes       |
 * | retry class `not-yet-visible`                                  | `not_visible`    | yes, the policy bounds it by a time window |
 * | retry class `auth-refresh`                                     | `auth_refreshed` | yes, the policy bounds it to one retry |
 * | `TransportError` (no answer)                                   | `timeout` / `network` | yes  |
 * | `DeadlineExceededError`                                        | `timeout`        | yes       |
 * | other `transient` Huawei failure (5xx, KMS.0101, garbled 2xx)   | `server`         | yes       |
 * | other `transient` `AppError`                                   | `unknown`        | yes       |
 * | retry class false                                              | `permanent`      | no        |
 * | not an `AppError`: `TimeoutError` / `AbortError`               | `timeout`        | yes       |
 * | not an `AppError`: `ECONNRESET`, `ECONNREFUSED`, `EPIPE`, `ETIMEDOUT`, `ENOTFOUND`, `EAI_AGAIN`, `UND_ERR_SOCKET`... | `network` | yes |
 * | not an `AppError`: fetch's network `TypeError` (`fetch failed`, `terminated`) | `network` | yes |
 * | anything else                                                  | `unknown`        | yes (bounded by retries and maxReceiveCount) |
 */
import { AppError, type RetryClass } from '../errors/app-error.ts';
import { HuaweiError, TransportError } from '../errors/huawei-errors.ts';
import { DeadlineExceededError } from './deadline-exceeded-error.ts';

/** Why a failure is (or is not) retryable; also the `kind` in retry logs and metrics. */
export type RetryKind =
  | 'throttled'
  | 'server'
  | 'network'
  | 'timeout'
  | 'not_visible'
  | 'auth_refreshed'
  | 'unknown'
  | 'permanent';

/** What {@link classifyError} returns. */
export interface ErrorClassification {
  retryable: boolean;
  kind: RetryKind;
}

/** `AbortSignal.timeout()` aborts with `TimeoutError`; an abort with no reason is `AbortError`. */
export const TIMEOUT_ERROR_NAMES: ReadonlySet<string> = new Set(['TimeoutError', 'AbortError']);

/** Node / undici socket-level failures that a new connection can fix. */
export const TRANSIENT_NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** Messages of the `TypeError` that undici's fetch throws for network failures. */
export const NETWORK_ERROR_MESSAGES: ReadonlySet<string> = new Set(['fetch failed', 'terminated']);

const MAX_CAUSE_DEPTH = 8;

/** The kind named by each retry class that says what to do, not only whether. */
const KIND_OF_CLASS: Readonly<Record<Exclude<RetryClass, false | 'transient'>, RetryKind>> = {
  throttling: 'throttled',
  'not-yet-visible': 'not_visible',
  'auth-refresh': 'auth_refreshed',
};

function ownString(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field: unknown = Reflect.get(value, key);
  return typeof field === 'string' ? field : undefined;
}

/** A `TimeoutError`/`AbortError` (DOMException or Error) by name. */
export const isTimeoutError = (err: unknown): boolean => {
  const name = ownString(err, 'name');
  return name !== undefined && TIMEOUT_ERROR_NAMES.has(name);
};

/** An error whose `code` is a transient Node/undici socket code. */
export const isTransientNetworkError = (err: unknown): boolean => {
  const code = ownString(err, 'code');
  return code !== undefined && TRANSIENT_NETWORK_CODES.has(code);
};

/** fetch's network `TypeError` (undici: `fetch failed`, `terminated`). */
export const isFetchNetworkError = (err: unknown): boolean =>
  err instanceof TypeError && NETWORK_ERROR_MESSAGES.has(err.message);

/** The kind of an `AppError`, read from its retry class and type. */
function kindOfAppError(err: AppError): RetryKind {
  if (err.retry === false) return 'permanent';
  if (err.retry !== 'transient') return KIND_OF_CLASS[err.retry];
  if (err instanceof TransportError) return err.failure;
  if (err instanceof DeadlineExceededError) return 'timeout';
  return err instanceof HuaweiError ? 'server' : 'unknown';
}

function classifyChain(err: unknown, seen: Set<unknown>, depth: number): ErrorClassification {
  if (err instanceof AppError) return { retryable: err.retryable, kind: kindOfAppError(err) };
  let kind: RetryKind = 'unknown';
  if (isTimeoutError(err)) kind = 'timeout';
  else if (isTransientNetworkError(err) || isFetchNetworkError(err)) kind = 'network';
  else if (err instanceof Error && err.cause !== undefined && depth < MAX_CAUSE_DEPTH && !seen.has(err)) {
    seen.add(err);
    const inner = classifyChain(err.cause, seen, depth + 1);
    if (inner.kind !== 'unknown') return inner;
  }
  // An unknown failure counts as retryable: it is bounded by the retry budget
  // in-process and by the queue's maxReceiveCount across invocations.
  return { retryable: true, kind };
}

/**
 * Classifies any thrown value. Never throws.
 *
 * @returns `{retryable, kind}` per the table at the top of this file.
 */
export function classifyError(err: unknown): ErrorClassification {
  return classifyChain(err, new Set(), 0);
}

/** `classifyError(err).retryable`, as a predicate for the orchestrator. */
export function isRetryable(err: unknown): boolean {
  return classifyError(err).retryable;
}
