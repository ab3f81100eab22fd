/**
 * Failures to read the credentials secret (Secrets Manager or SSM) through the AWS Parameters and
 * Secrets Lambda Extension. They name the secret, never its value, and their retry class says what
 * a later receive can change: an extension that is starting, throttled or cannot reach the store
 * answers again later (transient); a secret that does not exist or does not hold the documented
 * JSON stays so until an operator acts (permanent).
 */
import { AppError } from './app-error.ts';

/** The extension is unreachable, timed out, or answered 429/5xx (or any answer but "not found"). */
export class SecretUnavailableError extends AppError {
  /** `secret <id>` or `parameter <name>`. */
  readonly secret: string;
  readonly status: number | undefined;

  constructor(secret: string, reason: string, options: { status?: number; cause?: unknown } = {}) {
    super(`cannot read ${secret} through the Parameters and Secrets extension: ${reason}`, {
      code: 'SECRET_UNAVAILABLE',
      retry: 'transient',
      cause: options.cause,
    });
    this.secret = secret;
    this.status = options.status;
  }
}

/** The secret does not exist, or its value is not the documented JSON. Permanent. */
export class SecretInvalidError extends AppError {
  readonly secret: string;

  constructor(secret: string, reason: string) {
    super(`${secret}: ${reason}`, { code: 'SECRET_INVALID', retry: false });
    this.secret = secret;
  }
}
