/**
 * Maps what the transport throws (no HTTP response at all) to a {@link TransportError}, retry
 * class `transient`: a new connection may work. The original error stays as `cause`, and its
 * socket code (ECONNRESET, UND_ERR_SOCKET...) goes into the message.
 */
import { HuaweiError, TransportError } from '../errors/huawei-errors.ts';

/** Where a transport failure happened, for {@link toTransportError}. */
export interface TransportContext {
  operation: string;
  /** IAM failures keep the code IAM_AUTH (their kind still comes from the cause). */
  service: 'kms' | 'iam';
  timeoutMs: number;
  /** Aborted when the client's own per-request timeout fired (a signal, or `ClearableTimeout.timedOut`). */
  timeoutSignal: { readonly aborted: boolean };
  /** The caller's signal, if any. */
  callerSignal: AbortSignal | undefined;
}

function networkCodeOf(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const code: unknown = Reflect.get(current, 'code');
    if (typeof code === 'string' && /^[A-Z_]{2,40}$/.test(code)) return code;
    current = Reflect.get(current, 'cause');
  }
  return undefined;
}

/**
 * Returns the error to throw for a request that got no usable response:
 * - a `HuaweiError` thrown by the auth layer (an IAM failure), unchanged;
 * - the caller's abort reason when the caller cancelled (not a timeout): cancellation is theirs;
 * - a `TransportError` `timeout` (code `KMS_TIMEOUT`, IAM: `IAM_AUTH`) when the per-request or
 *   the caller's timeout fired;
 * - a `TransportError` `network` (code `KMS_NETWORK`, IAM: `IAM_AUTH`) otherwise, with the socket
 *   code in the message when known.
 */
export function toTransportError(err: unknown, context: TransportContext): unknown {
  if (err instanceof HuaweiError) return err;
  const { operation, service, callerSignal, timeoutSignal } = context;
  const callerReason: unknown = callerSignal?.aborted === true ? callerSignal.reason : undefined;
  const ownTimeout = timeoutSignal.aborted;
  // withRetry's per-attempt signal aborts with a TimeoutError: that is a timeout, not a cancel.
  const callerTimeout = !ownTimeout && callerReason !== undefined && isTimeoutNamed(callerReason);
  if (!ownTimeout && !callerTimeout && callerSignal?.aborted === true) return callerReason;

  const timedOut = ownTimeout || callerTimeout;
  const cause = callerTimeout ? callerReason : err;
  let detail: string;
  if (ownTimeout) detail = `timed out after ${context.timeoutMs} ms`;
  else if (callerTimeout) detail = 'timed out (attempt deadline)';
  else {
    const netCode = networkCodeOf(err);
    detail = netCode === undefined ? 'network error' : `network error ${netCode}`;
  }
  return new TransportError(`${operation} failed: ${detail}`, {
    operation,
    service,
    failure: timedOut ? 'timeout' : 'network',
    cause,
  });
}

function isTimeoutNamed(reason: unknown): boolean {
  return typeof reason === 'object' && reason !== null && Reflect.get(reason, 'name') === 'TimeoutError';
}
