/**
 * AK/SK authentication: every request signed with SDK-HMAC-SHA256 (docs/huawei-kms.md#aksk-signing),
 * with `X-Project-Id` (BasicCredentials, docs/huawei-kms.md#aksk-signing step 1) and, for temporary credentials,
 * `X-Security-Token` (docs/huawei-kms.md#aksk-signing).
 */
import { registerSecret } from '../audit/secret-registry.ts';
import { type AkSkCredentials, signRequest } from './sign-request.ts';
import type { AuthProvider } from './types.ts';

/** Options of {@link createAkSkAuth}: the credentials and an optional clock. */
export interface AkSkAuthOptions extends AkSkCredentials {
  /** Clock for `X-Sdk-Date`; it must be within 15 min of the gateway's (APIGW.0303, docs/huawei-kms.md#error-codes). */
  now?: () => Date;
}

/**
 * Creates an {@link AuthProvider} that signs each request with the given AK/SK.
 * It has no `onUnauthorized`: a 401 means wrong keys or a bad clock, which a retry cannot fix
 * (and 5+ failures in a row lock the AK for 5 minutes, docs/huawei-kms.md#error-codes APIGW.0301).
 *
 * @throws Error when the AK or SK is empty (the message never includes either value).
 */
export function createAkSkAuth(options: AkSkAuthOptions): AuthProvider {
  if (options.ak.trim() === '' || options.sk === '') throw new Error('AK/SK credentials are empty');
  const credentials: AkSkCredentials = {
    ak: options.ak.trim(),
    sk: options.sk,
    // Kept as sent (header values go out trimmed): the registry masks a secret only as written.
    ...(options.securityToken === undefined || options.securityToken.trim() === ''
      ? {}
      : { securityToken: options.securityToken.trim() }),
  };
  // Known from here on: every logger, DLQ record and error message masks them.
  for (const secret of [options.ak, credentials.ak, credentials.sk, options.securityToken, credentials.securityToken])
    registerSecret(secret);
  const now = options.now ?? (() => new Date());
  return {
    authorize: async (request, projectId) =>
      signRequest(
        {
          method: request.method,
          url: request.url,
          // No project for a global service (STS AssumeAgency, sts-agency-auth.ts).
          headers: projectId === '' ? request.headers : { ...request.headers, 'X-Project-Id': projectId },
          body: request.body,
        },
        credentials,
        now(),
      ),
  };
}
