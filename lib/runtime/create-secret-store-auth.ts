/**
 * AK/SK auth whose credentials live in Secrets Manager or SSM and may be rotated under a running
 * instance. The document is re-read
 * - after `ttlMs` (default and maximum promised by docs/operations.md: 5 minutes), and
 * - after a KMS 401, before that 401 is allowed to count: `onUnauthorized` marks the credentials
 *   stale and returns true, so the client throws `KMS_AUTH_EXPIRED` (retry class `auth-refresh`)
 *   and the next attempt signs with what the store holds now.
 *
 * The extension caches a secret for its own TTL (`SECRETS_MANAGER_TTL`, default 300 s,
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieving-secrets_lambda.html), so
 * just after a rotation it may still serve the revoked AK: a 401 here therefore stays
 * retryable, the message returns to its queue, and only its last receive sends it to the DLQ with
 * the reason (lib/core/decide-disposition.ts). With the 6-minute visibility timeout and 5
 * receives, the extension has refreshed long before then.
 *
 * A re-read on TTL that fails (extension restarting, throttled) keeps signing with the last good
 * credentials and tries again after `retryAfterFailureMs`; one forced by a 401 fails the request
 * with the read's own (transient) error, since the old credentials were just refused.
 */
import type { AkSkSecret } from '../config/fetch-aws-secret.ts';
import { createAkSkAuth } from '../huawei/aksk-auth.ts';
import type { AuthProvider } from '../huawei/types.ts';
import { raceSignal } from '../signals/race-signal.ts';

/** docs/operations.md promises a rotated secret takes effect within 5 minutes. */
export const MAX_CREDENTIALS_TTL_MS = 300_000;

export interface SecretStoreAuthOptions {
  /** Reads and parses the credentials document (fetchAwsSecret). */
  read: () => Promise<AkSkSecret>;
  /** Re-read after this long; capped at {@link MAX_CREDENTIALS_TTL_MS}. Default the cap. */
  ttlMs?: number;
  /** After a failed read, wait this long before the next (requests meanwhile fail at once). Default 250 ms. */
  retryAfterFailureMs?: number;
  /** Monotonic-enough clock in ms. Default Date.now. */
  now?: () => number;
}

export function createSecretStoreAuth(options: SecretStoreAuthOptions): AuthProvider {
  const ttlMs = Math.min(options.ttlMs ?? MAX_CREDENTIALS_TTL_MS, MAX_CREDENTIALS_TTL_MS);
  const retryAfterFailureMs = options.retryAfterFailureMs ?? 250;
  const now = options.now ?? Date.now;
  let good: AuthProvider | undefined;
  let nextReadAt = 0;
  let stale = false;
  let pending: Promise<AuthProvider> | undefined;
  /** The last read's error while it is fresh (until `nextReadAt`); undefined after a good read. */
  let lastFailure: unknown;

  const read = (): Promise<AuthProvider> => {
    const attempt = options.read().then(
      (secret) => {
        good = createAkSkAuth(secret);
        nextReadAt = now() + ttlMs;
        stale = false;
        lastFailure = undefined;
        return good;
      },
      (err: unknown) => {
        nextReadAt = now() + retryAfterFailureMs;
        lastFailure = err;
        if (!stale && good !== undefined) return good;
        throw err;
      },
    );
    const shared = attempt.finally(() => {
      if (pending === shared) pending = undefined;
    });
    // Every caller may have given up (its signal) before it settles.
    shared.catch(() => undefined);
    pending = shared;
    return shared;
  };

  const current = (): Promise<AuthProvider> => {
    if (pending !== undefined) return pending;
    const due = good === undefined || stale || now() >= nextReadAt;
    if (good !== undefined && !due) return Promise.resolve(good);
    // A read failed a moment ago: not asked again on every request, but after a pause.
    if (lastFailure !== undefined && now() < nextReadAt) {
      return !stale && good !== undefined ? Promise.resolve(good) : Promise.reject(lastFailure);
    }
    return read();
  };

  return {
    authorize: async (request, projectId, signal) =>
      (await raceSignal(current(), signal)).authorize(request, projectId, signal),
    onUnauthorized: () => {
      stale = true;
      return true;
    },
  };
}
