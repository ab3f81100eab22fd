/**
 * The error model: every failure the function can meet is an `AppError` with a machine-readable
 * `code` and a retry class set once, where the failure is born (as smithy's `$retryable` trait
 * is), so the outcome of a message is decided from data, never from message text, and the retry
 * policy (lib/retry) only reads it. Shape follows Powertools' idempotency errors (Error suffix,
 * `cause` kept). The Huawei failures are in huawei-errors.ts.
 */

export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'SECRET_UNAVAILABLE'
  | 'SECRET_INVALID'
  | 'INVALID_EVENT'
  | 'INVALID_ALIAS'
  | 'MISSING_FIELD'
  | 'ALIAS_CONFLICT'
  | 'ALIAS_LIMIT'
  | 'INVALID_TAGS'
  | 'TAG_LIMIT'
  | 'KMS_THROTTLED'
  | 'KMS_UNAVAILABLE'
  | 'KMS_TIMEOUT'
  | 'KMS_NETWORK'
  | 'KMS_AUTH'
  | 'KMS_AUTH_EXPIRED'
  | 'KMS_FORBIDDEN'
  | 'KMS_KEY_NOT_FOUND'
  | 'KMS_KEY_DISABLED'
  | 'KMS_KEY_PENDING_DELETION'
  | 'KMS_DEFAULT_KEY'
  | 'KMS_REJECTED'
  | 'IAM_AUTH'
  | 'DEADLINE_EXCEEDED';

/**
 * Whether and how a failure may be retried, decided where it is born:
 * - `throttling`: the server asked to slow down; the policy waits at least its throttle minimum.
 * - `transient`: a 5xx, a lost connection, a timeout, a garbled answer; a plain backoff retry.
 * - `not-yet-visible`: the key of a fresh CreateKey is not readable yet; retried inside a window.
 * - `auth-refresh`: a 401 after the auth provider dropped its token; one retry, no wait.
 * - `false`: permanent; retrying cannot help.
 */
export type RetryClass = 'throttling' | 'transient' | 'not-yet-visible' | 'auth-refresh' | false;

export interface AppErrorOptions {
  code: ErrorCode;
  retry: RetryClass;
  cause?: unknown;
}

export interface ErrorSummary {
  name: string;
  code: string;
  message: string;
  retryable: boolean;
  status?: number;
  huawei_code?: string;
  request_id?: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  /** Set once by whoever raised the failure; see {@link RetryClass}. */
  readonly retry: RetryClass;

  constructor(message: string, options: AppErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.retry = options.retry;
  }

  /** `retry !== false`: a view of the retry class, for outcomes and summaries. */
  get retryable(): boolean {
    return this.retry !== false;
  }

  /** The log- and DLQ-safe view; subclasses add their own safe fields. */
  toSummary(): ErrorSummary {
    return { name: this.name, code: this.code, message: this.message, retryable: this.retryable };
  }
}

/** The alias already points to another key. Permanent: the function never moves an alias. */
export class AliasConflictError extends AppError {
  readonly alias: string;
  readonly existingKeyId: string;
  readonly requestId: string | undefined;

  constructor(alias: string, existingKeyId: string, requestId?: string) {
    super(`alias ${alias} already belongs to key ${existingKeyId}`, { code: 'ALIAS_CONFLICT', retry: false });
    this.alias = alias;
    this.existingKeyId = existingKeyId;
    this.requestId = requestId;
  }

  override toSummary(): ErrorSummary {
    return { ...super.toSummary(), ...(this.requestId === undefined ? {} : { request_id: this.requestId }) };
  }
}

/**
 * The template gave no valid alias for this event (a placeholder left empty, a result that breaks
 * Huawei's alias rules). Permanent: the same event always derives the same name.
 */
export class AliasNamingError extends AppError {
  constructor(code: 'INVALID_ALIAS' | 'MISSING_FIELD', reason: string) {
    super(reason, { code, retry: false });
  }
}

/** Raised at cold start only: the message names the environment variable at fault. */
export class ConfigError extends AppError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'CONFIG_INVALID', retry: false, cause });
  }
}

/**
 * A log- and DLQ-safe view of any thrown value. Messages are built by this project from
 * server-side fields only, so they never carry credentials; unknown errors keep only
 * their name and message, and count as retryable (bounded by the retries and maxReceiveCount).
 */
export function toErrorSummary(err: unknown): ErrorSummary {
  if (err instanceof AppError) return err.toSummary();
  if (err instanceof Error) return { name: err.name, code: 'UNKNOWN', message: err.message, retryable: true };
  return { name: 'NonError', code: 'UNKNOWN', message: String(err), retryable: true };
}
