/**
 * An agency of another account, assumed with AK/SK (STS AssumeAgency, docs/huawei-kms.md#sts-agency):
 * `POST /v5/agencies/assume`, signed with the central AK/SK, answers a temporary AK/SK and
 * security token of the agency's account, valid `duration_seconds` (default 1 h). KMS calls of
 * that account are then signed with them (aksk-auth.ts), `X-Security-Token` included.
 *
 * This is how a deployment whose central identity is an AK/SK (in the environment or a secret)
 * reaches other accounts without a password: the IAM v3 `assume_role` token (iam-token-auth.ts)
 * needs a user token, which only a password gives.
 *
 * The credentials are cached until shortly before `expiration`, shared by concurrent callers, and
 * dropped after a KMS 401 (the retry policy's one auth-refresh retry then assumes again). A refresh
 * that meets an STS outage goes on with the credentials in hand while they have time left
 * (credentials-outage.ts).
 */
import { registerSecret } from '../audit/secret-registry.ts';
import { IamError } from '../errors/huawei-errors.ts';
import { raceSignal } from '../signals/race-signal.ts';
import { createAkSkAuth } from './aksk-auth.ts';
import { assertSafeEndpoint } from './endpoints.ts';
import { headerValue } from './parse-huawei-error.ts';
import { keepThroughOutage } from './credentials-outage.ts';
import { type CredentialsAnswer, postCredentialsRequest } from './post-credentials-request.ts';
import type { AuthProvider } from './types.ts';

const OPERATION = 'sts.assume_agency';

export interface StsAgencyAuthOptions {
  /** e.g. `stsEndpointFor(region)`; must pass `assertSafeEndpoint`. */
  stsEndpoint: string;
  /** `iam::<account id>:agency:<agency name>` (docs/huawei-kms.md#sts-agency). */
  agencyUrn: string;
  /**
   * Signs the AssumeAgency call: the central AK/SK. Asked with an empty project id, for which
   * aksk-auth.ts adds no `X-Project-Id` (STS is not a project-scoped service).
   */
  caller: AuthProvider;
  /** `agency_session_name`, shown in the delegating account's CTS traces. Default `kms-auto-alias`. */
  sessionName?: string;
  /** 900–43200; at most 3600 when the caller itself is temporary. Default 3600. */
  durationSeconds?: number;
  fetch?: typeof fetch;
  /** Epoch ms clock. Default Date.now. */
  now?: () => number;
  /** Assume again this long before `expiration`. Default 5 min (at most half the lifetime). */
  refreshMarginMs?: number;
  /** Timeout of the AssumeAgency request. Default 8000 ms. */
  requestTimeoutMs?: number;
  userAgent?: string;
}

interface Assumed {
  signer: AuthProvider;
  refreshAt: number;
  /** When they expire, on our clock. */
  expiresAt: number;
  /** Sent as X-Security-Token: tells a 401 to these credentials from one to older ones. */
  securityToken: string;
}

/** The temporary credentials of an AssumeAgency answer, read tolerantly (the exact shape is unverified). */
export function readAssumedCredentials(
  body: unknown,
): { ak: string; sk: string; securityToken: string; expiresAtMs: number | undefined } | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const raw: unknown = Reflect.get(body, 'credentials') ?? Reflect.get(body, 'credential');
  if (typeof raw !== 'object' || raw === null) return undefined;
  const field = (...names: string[]): string | undefined => {
    for (const name of names) {
      const value: unknown = Reflect.get(raw, name);
      if (typeof value === 'string' && value.trim() !== '') return value.trim();
    }
    return undefined;
  };
  const ak = field('access_key_id', 'access', 'ak');
  const sk = field('secret_access_key', 'secret', 'sk');
  const securityToken = field('security_token', 'securitytoken', 'session_token');
  if (ak === undefined || sk === undefined || securityToken === undefined) return undefined;
  return {
    ak,
    sk,
    securityToken,
    expiresAtMs: readExpiration(Reflect.get(raw, 'expiration') ?? Reflect.get(raw, 'expires_at')),
  };
}

/** ISO-8601, or epoch seconds or milliseconds, as a number or a string of digits. */
function readExpiration(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value < 1e12 ? value * 1000 : value;
  if (typeof value !== 'string') return undefined;
  if (/^\d{9,13}$/.test(value.trim())) return readExpiration(Number(value.trim()));
  const ms = Date.parse(value.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * Creates an {@link AuthProvider} for the agency's account. `authorize` rejects with an
 * `IamError` or `TransportError` (code `IAM_AUTH`) when STS gives no credentials: retryable for
 * 429, 5xx and network failures, permanent otherwise; messages never hold a key or a token.
 *
 * @throws Error when `stsEndpoint` is unsafe or the URN is empty.
 */
export function createStsAgencyAuth(options: StsAgencyAuthOptions): AuthProvider {
  const base = assertSafeEndpoint(options.stsEndpoint);
  const url = new URL(`${base.href.replace(/\/+$/, '')}/v5/agencies/assume`);
  if (options.agencyUrn.trim() === '') throw new Error('the agency URN is empty');
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const now = options.now ?? Date.now;
  const durationSeconds = options.durationSeconds ?? 3600;
  const refreshMarginMs = options.refreshMarginMs ?? 5 * 60_000;
  const requestTimeoutMs = options.requestTimeoutMs ?? 8_000;
  let assumed: Assumed | undefined;
  let inflight: Promise<Assumed> | undefined;

  const assume = async (): Promise<Assumed> => {
    const body = JSON.stringify({
      agency_urn: options.agencyUrn,
      agency_session_name: options.sessionName ?? 'kms-auto-alias',
      duration_seconds: durationSeconds,
    });
    const headers = await options.caller.authorize(
      {
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json', 'user-agent': options.userAgent ?? 'kms-auto-alias' },
        body,
      },
      '',
    );
    let answer: CredentialsAnswer;
    try {
      answer = await postCredentialsRequest({
        url,
        headers,
        body,
        operation: OPERATION,
        timeoutMs: requestTimeoutMs,
        fetch: fetchImpl,
      });
    } catch (err) {
      // The central credentials were refused: a secret-store caller re-reads them (rotation).
      if (err instanceof IamError && err.status === 401 && options.caller.onUnauthorized?.('') === true) {
        throw new IamError(`${OPERATION} failed: STS refused the central credentials (401)`, {
          status: 401,
          operation: OPERATION,
          cause: err,
          retry: 'auth-refresh',
        });
      }
      throw err;
    }
    const text = answer.text;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const credentials = readAssumedCredentials(parsed);
    if (credentials === undefined) {
      throw new IamError(`${OPERATION} failed: the answer holds no credentials`, {
        status: answer.status,
        operation: OPERATION,
        retry: false,
      });
    }
    for (const secret of [credentials.ak, credentials.sk, credentials.securityToken]) registerSecret(secret);
    const fetchedAt = now();
    const lifetime = (credentials.expiresAtMs ?? fetchedAt + durationSeconds * 1000) - fetchedAt;
    return {
      signer: createAkSkAuth({ ak: credentials.ak, sk: credentials.sk, securityToken: credentials.securityToken }),
      refreshAt: fetchedAt + lifetime - Math.min(refreshMarginMs, Math.max(0, lifetime) / 2),
      expiresAt: fetchedAt + lifetime,
      securityToken: credentials.securityToken,
    };
  };

  const current = (signal: AbortSignal | undefined): Promise<Assumed> => {
    if (assumed !== undefined && now() < assumed.refreshAt) return Promise.resolve(assumed);
    if (inflight === undefined) {
      // Shared by every concurrent caller, not tied to one caller's signal (each races its own).
      inflight = assume()
        .then(
          (a) => {
            assumed = a;
            return a;
          },
          (err: unknown) => {
            // A refresh ahead of expiry that met an outage: the credentials in hand while they have time left.
            const kept = keepThroughOutage(assumed, err, now());
            if (kept === undefined) throw err;
            return kept;
          },
        )
        .finally(() => {
          inflight = undefined;
        });
      inflight.catch(() => undefined);
    }
    return raceSignal(inflight, signal);
  };

  return {
    authorize: async (request, projectId, signal) => (await current(signal)).signer.authorize(request, projectId),
    onUnauthorized: (_projectId, refused) => {
      const token = refused === undefined ? undefined : headerValue(refused, 'x-security-token');
      // Only the credentials the refused request carried (types.ts says why); newer ones are kept.
      if (token === undefined || token === assumed?.securityToken) assumed = undefined;
      return true;
    },
  };
}
