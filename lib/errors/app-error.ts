/**
 * The error model: every failure the function can meet is an `AppError` with a machine-readable
 * `code` and a `retryable` flag, so the outcome of a message is decided from data, never from
 * message text. Shape follows Powertools' idempotency errors (Error suffix, `cause` kept).
 */

export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'INVALID_EVENT'
  | 'INVALID_ALIAS'
  | 'MISSING_FIELD'
  | 'ALIAS_CONFLICT'
  | 'ALIAS_LIMIT'
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
  | 'DEADLINE_EXCEEDED'
  | 'DLQ_PUBLISH_FAILED';

export interface AppErrorOptions {
  code: ErrorCode;
  retryable: boolean;
  cause?: unknown;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;

  constructor(message: string, options: AppErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.retryable = options.retryable;
  }
}

export interface KmsApiErrorOptions extends AppErrorOptions {
  /** HTTP status; 0 when no response arrived (network error, timeout). */
  status: number;
  /** Huawei's own code, e.g. `KMS.0207` or `APIGW.0308`. */
  huaweiCode?: string | undefined;
  /** Huawei's error_msg, trimmed; never contains request secrets (it comes from the server). */
  huaweiMessage?: string | undefined;
  /** `X-Request-Id` response header, else the body's `request_id`. */
  requestId?: string | undefined;
  /** Which operation failed, for logs (`createAlias`, `listAliases`, `iam.token`...). */
  operation?: string | undefined;
}

/** One error type for every Huawei API failure (KMS, API Gateway or IAM). */
export class KmsApiError extends AppError {
  readonly status: number;
  readonly huaweiCode: string | undefined;
  readonly huaweiMessage: string | undefined;
  readonly requestId: string | undefined;
  readonly operation: string | undefined;

  constructor(message: string, options: KmsApiErrorOptions) {
    super(message, options);
    this.status = options.status;
    this.huaweiCode = options.huaweiCode;
    this.huaweiMessage = options.huaweiMessage;
    this.requestId = options.requestId;
    this.operation = options.operation;
  }
}

/** The alias already points to another key. Permanent: the function never moves an alias. */
export class AliasConflictError extends AppError {
  readonly alias: string;
  readonly existingKeyId: string;
  readonly requestId: string | undefined;

  constructor(alias: string, existingKeyId: string, requestId?: string) {
    super(`alias ${alias} already belongs to key ${existingKeyId}`, {
      code: 'ALIAS_CONFLICT',
      retryable: false,
    });
    this.alias = alias;
    this.existingKeyId = existingKeyId;
    this.requestId = requestId;
  }
}

/** Raised at cold start only: the message names the environment variable at fault. */
export class ConfigError extends AppError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'CONFIG_INVALID', retryable: false, cause });
  }
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

/**
 * A log- and DLQ-safe view of any thrown value. Messages are built by this project from
 * server-side fields only, so they never carry credentials; unknown errors keep only
 * their name and message.
 */
export function toErrorSummary(err: unknown): ErrorSummary {
  if (err instanceof KmsApiError) {
    return {
      name: err.name,
      code: err.code,
      message: err.message,
      retryable: err.retryable,
      status: err.status,
      ...(err.huaweiCode === undefined ? {} : { huawei_code: err.huaweiCode }),
      ...(err.requestId === undefined ? {} : { request_id: err.requestId }),
    };
  }
  if (err instanceof AliasConflictError) {
    return {
      name: err.name,
      code: err.code,
      message: err.message,
      retryable: false,
      ...(err.requestId === undefined ? {} : { request_id: err.requestId }),
    };
  }
  if (err instanceof AppError) {
    return { name: err.name, code: err.code, message: err.message, retryable: err.retryable };
  }
  if (err instanceof Error) {
    return { name: err.name, code: 'UNKNOWN', message: err.message, retryable: true };
  }
  return { name: 'NonError', code: 'UNKNOWN', message: String(err), retryable: true };
}
