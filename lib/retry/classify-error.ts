/**
 * The one retry-versus-permanent decision table of the project. Modelled on smithy-typescript's
 * `service-error-classification`: constant tables plus tiny predicates, no I/O, following
 * `cause` chains. The codes and statuses come from huawei-kms-api.md §3 and §4.
 *
 * | Failure                                                        | kind             | retryable |
 * |----------------------------------------------------------------|------------------|-----------|
 * | HTTP 429, `APIGW.0308` / `APIG.0308`                           | `throttled`      | yes       |
 * | `KMS.0101` / `KMS.0102`, HTTP 500/502/503/504                  | `server`         | yes       |
 * | `KMS.0207` (key not visible yet right after CreateKey)         | `not_visible`    | yes, the policy bounds it by a time window |
 * | 401 after the auth provider dropped its token (`KMS_AUTH_EXPIRED`) | `auth_refreshed` | yes, the policy bounds it to one retry |
 * | any other HTTP status (4xx, 3xx, 501...)                       | `permanent`      | no        |
 * | `TimeoutError` / `AbortError` (`AbortSignal.timeout`)          | `timeout`        | yes       |
 * | `ECONNRESET`, `ECONNREFUSED`, `EPIPE`, `ETIMEDOUT`, `ENOTFOUND`, `EAI_AGAIN`, `UND_ERR_SOCKET`... | `network` | yes |
 * | fetch's network `TypeError` (`fetch failed`, `terminated`)     | `network`        | yes       |
 * | other `AppError`                                               | from its own `retryable` |  |
 * | anything else (unknown, non-AppError)                          | `unknown`        | yes (bounded by retries and maxReceiveCount) |
 */
import { AppError, type ErrorCode, KmsApiError } from '../errors/app-error.ts';

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

/** §3: APIGW.0308 comes with 429. */
export const THROTTLING_STATUS_CODES: ReadonlySet<number> = new Set([429]);

/** §4: Huawei says to retry 500, 502, 504 (and 429); 503 is the standard "try later". */
export const RETRYABLE_STATUS_CODES: ReadonlySet<number> = new Set([500, 502, 503, 504]);

/** §3: gateway throttling; the same text is also published as `APIG.0308`. */
export const THROTTLING_CODES: ReadonlySet<string> = new Set(['APIGW.0308', 'APIG.0308']);

/** §3: KMS internal error / abnormal I/O (HTTP 500 in the doc example). */
export const TRANSIENT_SERVER_CODES: ReadonlySet<string> = new Set(['KMS.0101', 'KMS.0102']);

/**
 * §3: "key does not exist". Right after CreateKey the key may not be visible to KMS reads yet
 * (eventual consistency, I), so it is retried, but only inside a short window (with-retry.ts).
 */
export const NOT_VISIBLE_CODES: ReadonlySet<string> = new Set(['KMS.0207']);

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

/** Project codes of locally raised KmsApiErrors (status 0 or a malformed 2xx) and their kind. */
const LOCAL_FAILURE_KINDS: Readonly<Partial<Record<ErrorCode, RetryKind>>> = {
  KMS_TIMEOUT: 'timeout',
  KMS_NETWORK: 'network',
  // A 2xx whose body is not what the API documents: a gateway or proxy glitch, worth a retry.
  KMS_UNAVAILABLE: 'server',
  // Refused before sending (invalid id, unusable endpoint) or a runaway pagination: final.
  KMS_REJECTED: 'permanent',
};

const MAX_CAUSE_DEPTH = 8;

const RETRYABLE: Readonly<Record<RetryKind, boolean>> = {
  throttled: true,
  server: true,
  network: true,
  timeout: true,
  not_visible: true,
  auth_refreshed: true,
  unknown: true,
  permanent: false,
};

function result(kind: RetryKind): ErrorClassification {
  return { retryable: RETRYABLE[kind], kind };
}

/** 429, or a gateway throttling code on any status (§3). */
export const isThrottlingFailure = (status: number, huaweiCode: string | undefined): boolean =>
  THROTTLING_STATUS_CODES.has(status) || (huaweiCode !== undefined && THROTTLING_CODES.has(huaweiCode));

/** KMS.0101 / KMS.0102: internal error or abnormal I/O (§3). */
export const isTransientServerCode = (huaweiCode: string | undefined): boolean =>
  huaweiCode !== undefined && TRANSIENT_SERVER_CODES.has(huaweiCode);

/** 500/502/503/504 (§4). */
export const isRetryableStatus = (status: number): boolean => RETRYABLE_STATUS_CODES.has(status);

/** KMS.0207: the key is not (yet) visible (§3). */
export const isNotVisibleFailure = (huaweiCode: string | undefined): boolean =>
  huaweiCode !== undefined && NOT_VISIBLE_CODES.has(huaweiCode);

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

/** Fields of a Huawei API failure, as carried by {@link KmsApiError}. */
export interface KmsFailure {
  /** HTTP status; 0 when no response arrived. */
  status: number;
  huaweiCode?: string | undefined;
  /** The project error code the failure was mapped to. */
  code: ErrorCode;
  cause?: unknown;
}

/**
 * Classifies a Huawei API failure from its data. Used both to set `KmsApiError.retryable` when
 * the error is built and by {@link classifyError}, so the two always agree.
 */
export function classifyKmsFailure(failure: KmsFailure): ErrorClassification {
  const { status, huaweiCode, code } = failure;
  const isHttpFailure = status !== 0 && (status < 200 || status >= 300);
  if (!isHttpFailure) {
    // No response, or a 2xx the client could not use: decided by what happened locally.
    const local = LOCAL_FAILURE_KINDS[code];
    if (local !== undefined) return result(local);
    if (failure.cause !== undefined) return classifyChain(failure.cause, new Set(), 0);
    return result('permanent');
  }
  if (isThrottlingFailure(status, huaweiCode)) return result('throttled');
  if (isTransientServerCode(huaweiCode)) return result('server');
  if (isNotVisibleFailure(huaweiCode)) return result('not_visible');
  // The auth provider dropped a rejected token, so one new attempt uses a fresh one (auth.ts).
  if (code === 'KMS_AUTH_EXPIRED') return result('auth_refreshed');
  if (isRetryableStatus(status)) return result('server');
  return result('permanent');
}

function classifyChain(err: unknown, seen: Set<unknown>, depth: number): ErrorClassification {
  if (err instanceof KmsApiError) {
    return classifyKmsFailure({
      status: err.status,
      huaweiCode: err.huaweiCode,
      code: err.code,
      cause: err.cause,
    });
  }
  if (err instanceof AppError) {
    if (err.code === 'DEADLINE_EXCEEDED') return result('timeout');
    return result(err.retryable ? 'unknown' : 'permanent');
  }
  if (isTimeoutError(err)) return result('timeout');
  if (isTransientNetworkError(err)) return result('network');
  if (isFetchNetworkError(err)) return result('network');
  if (err instanceof Error && err.cause !== undefined && depth < MAX_CAUSE_DEPTH && !seen.has(err)) {
    seen.add(err);
    const inner = classifyChain(err.cause, seen, depth + 1);
    if (inner.kind !== 'unknown') return inner;
  }
  // An unknown failure counts as retryable (house style §10.4): it is bounded by the retry
  // budget in-process and by the queue's maxReceiveCount across invocations.
  return result('unknown');
}

/**
 * Classifies any thrown value. Never throws.
 *
 * @returns `{retryable, kind}` per the table at the top of this file.
 */
export function classifyError(err: unknown): ErrorClassification {
  return classifyChain(err, new Set(), 0);
}

/** `classifyError(err).retryable`, as a predicate for p-retry's `shouldRetry` and the orchestrator. */
export function isRetryable(err: unknown): boolean {
  return classifyError(err).retryable;
}
