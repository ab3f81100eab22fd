/**
 * The failures of a call to Huawei Cloud, one type each, every one raised by lib/huawei with its
 * retry class (`RetryClass`, app-error.ts) set there:
 *
 * | Type                      | Born in                                   | code                         | retry class |
 * |---------------------------|-------------------------------------------|------------------------------|-------------|
 * | {@link KmsApiError}       | parse-huawei-error.ts (KMS / API Gateway answered 3xx-5xx), kms-client.ts (401 after a token was dropped) | from the Huawei code or status | from status and Huawei code |
 * | {@link IamError}          | iam-token-auth.ts (IAM answered an error, or no token) | `IAM_AUTH`      | from status; false for a 2xx without a token |
 * | {@link TransportError}    | transport-error.ts (no answer: timeout or network) | `KMS_TIMEOUT` / `KMS_NETWORK` / `IAM_AUTH` | `transient` |
 * | {@link UnexpectedResponseError} | kms-client.ts (a 2xx whose body is not what the API documents) | `KMS_UNAVAILABLE` | `transient` |
 * | {@link RequestRefusedError} | kms-client.ts (invalid input or endpoint: nothing was sent) | `KMS_REJECTED` | false |
 * | {@link PaginationError}   | the listing loops (a listing that did not end) | `KMS_REJECTED`            | false |
 * | {@link RateLimitWaitError} | kms-client.ts (the caller's deadline came while waiting for the rate limiter: nothing was sent) | `DEADLINE_EXCEEDED` | `transient` |
 */
import { AppError, type AppErrorOptions, type ErrorCode, type ErrorSummary } from './app-error.ts';

/** Which Huawei API a failure came from. */
export type HuaweiService = 'kms' | 'iam';

export interface HuaweiErrorOptions extends AppErrorOptions {
  /** Which operation failed, for logs (`createAlias`, `listAliases`, `iam.token`...). */
  operation?: string | undefined;
  /** `X-Request-Id` response header, else the body's `request_id`. */
  requestId?: string | undefined;
}

/** What every failure of a Huawei call carries. */
export class HuaweiError extends AppError {
  readonly operation: string | undefined;
  readonly requestId: string | undefined;

  constructor(message: string, options: HuaweiErrorOptions) {
    super(message, options);
    this.operation = options.operation;
    this.requestId = options.requestId;
  }

  override toSummary(): ErrorSummary {
    return { ...super.toSummary(), ...(this.requestId === undefined ? {} : { request_id: this.requestId }) };
  }
}

export interface HttpFailureOptions extends HuaweiErrorOptions {
  /** The HTTP status of the answer. */
  status: number;
  /** Huawei's own code, e.g. `KMS.0207` or `APIGW.0308`. */
  huaweiCode?: string | undefined;
  /** Huawei's error_msg, trimmed; never contains request secrets (it comes from the server). */
  huaweiMessage?: string | undefined;
}

/** A Huawei API answered with a failure status. */
abstract class HttpFailureError extends HuaweiError {
  readonly status: number;
  readonly huaweiCode: string | undefined;
  readonly huaweiMessage: string | undefined;

  constructor(message: string, options: HttpFailureOptions) {
    super(message, options);
    this.status = options.status;
    this.huaweiCode = options.huaweiCode;
    this.huaweiMessage = options.huaweiMessage;
  }

  override toSummary(): ErrorSummary {
    const { name, code, message, retryable } = super.toSummary();
    return {
      name,
      code,
      message,
      retryable,
      status: this.status,
      ...(this.huaweiCode === undefined ? {} : { huawei_code: this.huaweiCode }),
      ...(this.requestId === undefined ? {} : { request_id: this.requestId }),
    };
  }
}

/** KMS (or the API Gateway in front of it) answered with a failure status. */
export class KmsApiError extends HttpFailureError {}

/** IAM refused or failed to issue a token (the KMS call was never sent). */
export class IamError extends HttpFailureError {
  constructor(message: string, options: Omit<HttpFailureOptions, 'code'>) {
    super(message, { ...options, code: 'IAM_AUTH' });
  }
}

export interface TransportErrorOptions {
  operation: string;
  service: HuaweiService;
  /** What happened: no answer in time, or the connection failed. */
  failure: 'timeout' | 'network';
  cause?: unknown;
}

/**
 * No answer arrived: a timeout or a network failure. Always `transient` (a new connection may
 * work); the request may or may not have been processed.
 */
export class TransportError extends HuaweiError {
  readonly service: HuaweiService;
  readonly failure: 'timeout' | 'network';
  /** 0: no HTTP status, kept so logs and DLQ records show `status: 0` for "no answer". */
  readonly status = 0;

  constructor(message: string, options: TransportErrorOptions) {
    const code: ErrorCode =
      options.service === 'iam' ? 'IAM_AUTH' : options.failure === 'timeout' ? 'KMS_TIMEOUT' : 'KMS_NETWORK';
    super(message, { code, retry: 'transient', operation: options.operation, cause: options.cause });
    this.service = options.service;
    this.failure = options.failure;
  }

  override toSummary(): ErrorSummary {
    const { name, code, message, retryable } = super.toSummary();
    return { name, code, message, retryable, status: 0 };
  }
}

/**
 * A 2xx whose body is not what the API documents: a gateway or proxy glitch, worth a retry.
 */
export class UnexpectedResponseError extends HuaweiError {
  readonly status: number;

  constructor(message: string, options: { operation: string; status: number; requestId?: string | undefined }) {
    super(message, { code: 'KMS_UNAVAILABLE', retry: 'transient', ...options });
    this.status = options.status;
  }

  override toSummary(): ErrorSummary {
    return { ...super.toSummary(), status: this.status };
  }
}

/** The client refused to send the request (invalid id, limit or endpoint). Permanent. */
export class RequestRefusedError extends HuaweiError {
  /** 0: nothing was sent, so no HTTP status (logs and DLQ records show `status: 0`). */
  readonly status = 0;

  constructor(message: string, options: { operation: string; cause?: unknown }) {
    super(message, { code: 'KMS_REJECTED', retry: false, ...options });
  }

  override toSummary(): ErrorSummary {
    return { ...super.toSummary(), status: 0 };
  }
}

/**
 * The caller's deadline came while the request waited for the client's rate limiter: nothing was
 * sent, so it is neither a KMS call nor an unanswered one. Transient: the work did not fail, and
 * the message comes back in a later invocation.
 */
export class RateLimitWaitError extends HuaweiError {
  /** 0: nothing was sent, so no HTTP status. */
  readonly status = 0;

  constructor(message: string, options: { operation: string; cause?: unknown }) {
    super(message, { code: 'DEADLINE_EXCEEDED', retry: 'transient', ...options });
  }

  override toSummary(): ErrorSummary {
    return { ...super.toSummary(), status: 0 };
  }
}

/**
 * A listing that did not end: the server kept paging past the page limit, or repeated a marker.
 * Permanent: a retry would not help, and a truncated list must never pass for a complete one.
 */
export class PaginationError extends HuaweiError {
  constructor(message: string, options: { operation: string; requestId?: string | undefined }) {
    super(message, { code: 'KMS_REJECTED', retry: false, ...options });
  }
}
