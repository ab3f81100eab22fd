/**
 * What an IAM token or STS credentials provider does when its refresh, made ahead of expiry
 * (iam-token-auth.ts, sts-agency-auth.ts), meets an outage: the credentials in hand are used on
 * while they have time left, and the service is asked again after a pause, as the secret-store
 * auth keeps its last good AK/SK (lib/runtime/create-secret-store-auth.ts). Refused credentials
 * (a 401 dropped them) are never kept.
 */
import { IamError, TransportError } from '../errors/huawei-errors.ts';
import { SecretUnavailableError } from '../errors/secret-store-errors.ts';

/** Credentials closer than this to their expiry are not used even then: a request takes up to its timeout. */
export const EXPIRY_SAFETY_MS = 30_000;

/** After a refresh that met an outage, the credentials in hand are used this long before asking again. */
export const REFRESH_RETRY_PAUSE_MS = 5_000;

/**
 * The service could not give credentials now, though it may later: no answer, 429, 5xx (or the
 * caller's own credentials store was unavailable). A refusal (401, 403) is no outage.
 */
export function isServiceOutage(err: unknown): boolean {
  if (err instanceof TransportError || err instanceof SecretUnavailableError) return true;
  return err instanceof IamError && (err.status === 429 || err.status >= 500);
}

/**
 * The held credentials to go on with after a failed refresh, with their next refresh moved a pause
 * ahead; `undefined` when they are gone, nearly expired, or the failure was no outage.
 */
export function keepThroughOutage<T extends { refreshAt: number; expiresAt: number }>(
  held: T | undefined,
  err: unknown,
  nowMs: number,
): T | undefined {
  if (held === undefined || !isServiceOutage(err) || nowMs >= held.expiresAt - EXPIRY_SAFETY_MS) return undefined;
  held.refreshAt = Math.min(nowMs + REFRESH_RETRY_PAUSE_MS, held.expiresAt - EXPIRY_SAFETY_MS);
  return held;
}
