/**
 * IAM token authentication (docs/huawei-kms.md#iam-tokens): `POST /v3/auth/tokens` with a password or
 * an agency (assume_role) identity, scoped to one project; the token comes back in the
 * `X-Subject-Token` header and is sent to KMS as `X-Auth-Token`.
 *
 * One token per project scope is cached until shortly before `expires_at`, concurrent callers
 * share one in-flight request, and a 401 from KMS drops the cached token so the next attempt
 * (the retry policy allows one) fetches a new one: a token that expires or is revoked
 * mid-run heals through a normal retry. A refresh that meets an IAM outage goes on with the
 * token in hand while it has time left (credentials-outage.ts).
 */
import { registerSecret } from '../audit/secret-registry.ts';
import { IamError } from '../errors/huawei-errors.ts';
import { raceSignal } from '../signals/race-signal.ts';
import { assertSafeEndpoint } from './endpoints.ts';
import { headerValue } from './parse-huawei-error.ts';
import { keepThroughOutage } from './credentials-outage.ts';
import { type CredentialsAnswer, postCredentialsRequest } from './post-credentials-request.ts';
import type { AuthProvider } from './types.ts';

const OPERATION = 'iam.token';

/** Token by IAM user password (docs/huawei-kms.md#iam-tokens password body). */
export interface IamPasswordMode {
  kind: 'password';
  /** IAM user name. */
  user: string;
  password: string;
  /** Account (domain) name. */
  domain: string;
}

/** Token by assuming an agency with the caller's own token (docs/huawei-kms.md#iam-tokens assume_role body). */
export interface IamAssumeRoleMode {
  kind: 'assume_role';
  agencyName: string;
  /** The delegating account, by name or id (one is required). */
  domainName?: string | undefined;
  domainId?: string | undefined;
  durationSeconds?: number | undefined;
  /** The caller's own token, sent as X-Auth-Token to IAM (docs/huawei-kms.md#iam-tokens agency body). */
  callerToken: () => string | Promise<string>;
  /**
   * IAM answered 401 to the caller token (revoked before its `expires_at`, docs/huawei-kms.md#iam-tokens). Returns true when
   * the caller dropped it, so one more attempt with a fresh caller token can succeed.
   */
  onCallerRefused?: () => boolean;
  /**
   * KMS refused the agency token this provider held (once per refused token): the caller token
   * may have been revoked with it (docs/huawei-kms.md#iam-tokens), so the caller may drop it too.
   */
  onTokenRefused?: () => void;
}

/** Options of {@link createIamTokenAuth}. */
export interface IamTokenAuthOptions {
  /** e.g. `iamEndpointFor(region)`; must pass `assertSafeEndpoint`. */
  iamEndpoint: string;
  mode: IamPasswordMode | IamAssumeRoleMode;
  /**
   * Scope by project name instead of id (`cn-north-4`). When absent or returning undefined,
   * the scope is `{"project":{"id": projectId}}` (docs/huawei-kms.md#iam-tokens lists both forms).
   */
  projectNameFor?: (projectId: string) => string | undefined;
  fetch?: typeof fetch;
  /** Epoch ms clock for token expiry. Default Date.now. */
  now?: () => number;
  /** Refresh this long before `expires_at`. Default 5 min (capped at half the token's life). */
  refreshMarginMs?: number;
  /** Token lifetime assumed when `expires_at` is missing or unreadable. Default 1 h (docs/huawei-kms.md#iam-tokens says 24 h). */
  fallbackTtlMs?: number;
  /** Timeout of the token request. Default 8000 ms. */
  requestTimeoutMs?: number;
  userAgent?: string;
  /**
   * Password mode: how long an IAM 401 (wrong user, password or account) is remembered and
   * answered from memory instead of asking IAM again. IAM locks a user after 5 failed logins
   * (docs/huawei-kms.md#iam-tokens), so a function that asked again on every batch would lock
   * its own user. Default 5 min.
   */
  refusalMemoryMs?: number;
}

interface CachedToken {
  token: string;
  refreshAt: number;
  /** When it expires, on our clock. */
  expiresAt: number;
}

function readTokenTime(body: unknown, field: 'expires_at' | 'issued_at'): number | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const token: unknown = Reflect.get(body, 'token');
  if (typeof token !== 'object' || token === null) return undefined;
  const value: unknown = Reflect.get(token, field);
  if (typeof value !== 'string') return undefined;
  // IAM writes microseconds ("2024-04-02T00:00:00.000000Z"); keep milliseconds for Date.parse.
  const ms = Date.parse(value.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * How long the token may be used, measured on IAM's own clock when the body has both
 * `issued_at` and `expires_at` (so a skewed local clock does not matter), else against ours.
 */
function tokenLifetimeMs(body: unknown, fetchedAt: number, fallbackTtlMs: number): number {
  const expiresAt = readTokenTime(body, 'expires_at');
  if (expiresAt === undefined) return fallbackTtlMs;
  const issuedAt = readTokenTime(body, 'issued_at');
  return expiresAt - (issuedAt ?? fetchedAt);
}

/** Huawei's code, message and request id of an IAM error, when it has them. */
function huaweiFields(error: Error): { huaweiCode?: string; huaweiMessage?: string; requestId?: string } {
  if (!(error instanceof IamError)) return {};
  return {
    ...(error.huaweiCode === undefined ? {} : { huaweiCode: error.huaweiCode }),
    ...(error.huaweiMessage === undefined ? {} : { huaweiMessage: error.huaweiMessage }),
    ...(error.requestId === undefined ? {} : { requestId: error.requestId }),
  };
}

/** No usable token although IAM answered 2xx (or the caller token is unusable): permanent. */
function iamFailure(message: string, status: number): IamError {
  return new IamError(`${OPERATION} failed: ${message}`, { status, operation: OPERATION, retry: false });
}

/**
 * Creates an {@link AuthProvider} that authenticates KMS calls with an IAM token.
 *
 * `authorize` rejects when no token can be had, with an `IamError` (IAM answered) or a
 * `TransportError` (no answer), both code `IAM_AUTH`:
 * retryable for 429, 5xx, timeouts and network errors; permanent for other statuses (a wrong
 * password is not retried: 5+ failures lock the account, docs/huawei-kms.md#error-codes). Messages never contain the
 * password or any token.
 *
 * @throws Error when `iamEndpoint` is unsafe (see assertSafeEndpoint) or the mode is incomplete.
 */
export function createIamTokenAuth(options: IamTokenAuthOptions): AuthProvider {
  const base = assertSafeEndpoint(options.iamEndpoint);
  const tokenUrl = new URL(`${base.href.replace(/\/+$/, '')}/v3/auth/tokens?nocatalog=true`);
  const { mode } = options;
  if (mode.kind === 'assume_role' && mode.domainName === undefined && mode.domainId === undefined) {
    throw new Error('assume_role needs domainName or domainId');
  }
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const now = options.now ?? Date.now;
  const refreshMarginMs = options.refreshMarginMs ?? 5 * 60_000;
  const fallbackTtlMs = options.fallbackTtlMs ?? 60 * 60_000;
  const requestTimeoutMs = options.requestTimeoutMs ?? 8_000;
  const refusalMemoryMs = options.refusalMemoryMs ?? 5 * 60_000;
  const cache = new Map<string, CachedToken>();
  const inflight = new Map<string, Promise<string>>();
  /** Password mode: until when IAM's last 401 is answered from memory. */
  let refusedUntil = 0;
  if (mode.kind === 'password') registerSecret(mode.password);

  const identityFor = async (): Promise<{ identity: object; headers: Record<string, string> }> => {
    if (mode.kind === 'password') {
      return {
        identity: {
          methods: ['password'],
          password: { user: { name: mode.user, password: mode.password, domain: { name: mode.domain } } },
        },
        headers: {},
      };
    }
    const assumeRole = {
      agency_name: mode.agencyName,
      ...(mode.domainId === undefined ? { domain_name: mode.domainName } : { domain_id: mode.domainId }),
      ...(mode.durationSeconds === undefined ? {} : { duration_seconds: mode.durationSeconds }),
    };
    const callerToken = (await mode.callerToken()).trim();
    registerSecret(callerToken);
    if (callerToken === '' || /[\r\n]/.test(callerToken)) throw iamFailure('caller token is empty or malformed', 0);
    return {
      identity: { methods: ['assume_role'], assume_role: assumeRole },
      headers: { 'X-Auth-Token': callerToken },
    };
  };

  const fetchToken = async (projectId: string): Promise<string> => {
    const name = options.projectNameFor?.(projectId);
    const scope = { project: name === undefined ? { id: projectId } : { name } };
    const { identity, headers } = await identityFor();
    const body = JSON.stringify({ auth: { identity, scope } });
    let response: CredentialsAnswer;
    try {
      response = await postCredentialsRequest({
        url: tokenUrl,
        headers: {
          ...headers,
          // docs/huawei-kms.md#iam-tokens: Content-Type: application/json;charset=utf8
          'content-type': 'application/json;charset=utf8',
          'user-agent': options.userAgent ?? 'kms-auto-alias',
        },
        body,
        operation: OPERATION,
        timeoutMs: requestTimeoutMs,
        fetch: fetchImpl,
      });
    } catch (err) {
      if (err instanceof IamError && err.status === 401) throw refused(err);
      throw err;
    }
    const text = response.text;
    const token = response.headers.get('x-subject-token')?.trim() ?? '';
    registerSecret(token);
    if (token === '' || /[\r\n]/.test(token)) {
      throw iamFailure('response has no X-Subject-Token header', response.status);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const fetchedAt = now();
    // docs/huawei-kms.md#iam-tokens: tokens live 24 h; when expires_at is unreadable assume a shorter life, to be safe.
    const lifetime = tokenLifetimeMs(parsed, fetchedAt, fallbackTtlMs);
    if (lifetime > 0) {
      const margin = Math.min(refreshMarginMs, lifetime / 2);
      cache.set(projectId, { token, refreshAt: fetchedAt + lifetime - margin, expiresAt: fetchedAt + lifetime });
    }
    return token;
  };

  /**
   * An IAM 401. Password mode: remembered for `refusalMemoryMs` and retryable, so messages go back
   * to their queue (and reach the DLQ on their last receive, with this reason) while the account
   * is spared the lockout; a corrected password means a new deployment, hence a new instance.
   * assume_role: the caller token was refused; one more attempt once the caller dropped it.
   */
  const refused = (error: IamError | Error): IamError => {
    const status = 401;
    const fields = { status, operation: OPERATION, cause: error, ...huaweiFields(error) };
    if (mode.kind === 'assume_role') {
      const renewed = mode.onCallerRefused?.() === true;
      return new IamError(`${OPERATION} failed: IAM refused the caller token for the agency (401)`, {
        ...fields,
        retry: renewed ? 'auth-refresh' : false,
      });
    }
    refusedUntil = now() + refusalMemoryMs;
    return refusedError(fields);
  };
  const refusedError = (fields: Omit<ConstructorParameters<typeof IamError>[1], 'retry'>): IamError =>
    new IamError(
      `${OPERATION} failed: IAM refused the user name, password or account (401); not asked again for ${Math.round(refusalMemoryMs / 1000)} s, to keep clear of IAM's lockout after 5 failed logins`,
      { ...fields, retry: 'transient' },
    );

  const tokenFor = (projectId: string, signal: AbortSignal | undefined): Promise<string> => {
    const cached = cache.get(projectId);
    if (cached !== undefined && now() < cached.refreshAt) return Promise.resolve(cached.token);
    if (now() < refusedUntil) return Promise.reject(refusedError({ status: 401, operation: OPERATION }));
    let pending = inflight.get(projectId);
    if (pending === undefined) {
      // Shared by every concurrent caller; not tied to any one caller's signal, so one caller
      // giving up does not fail the others (each races its own signal below).
      pending = fetchToken(projectId)
        .catch((err: unknown) => {
          // A refresh ahead of expiry that met an outage: the token in hand while it has time left.
          const kept = keepThroughOutage(cache.get(projectId), err, now());
          if (kept === undefined) throw err;
          return kept.token;
        })
        .finally(() => inflight.delete(projectId));
      // Every caller may have given up before it settles; each gets the outcome via raceSignal.
      pending.catch(() => undefined);
      inflight.set(projectId, pending);
    }
    return raceSignal(pending, signal);
  };

  return {
    authorize: async (request, projectId, signal) => {
      const token = await tokenFor(projectId, signal);
      return { ...request.headers, 'X-Auth-Token': token };
    },
    onUnauthorized: (projectId, refused) => {
      const cached = cache.get(projectId);
      const refusedToken = refused === undefined ? undefined : headerValue(refused, 'x-auth-token');
      // Only the token the refused request carried (types.ts says why); a newer one is kept.
      if (cached !== undefined && (refusedToken === undefined || refusedToken === cached.token)) {
        cache.delete(projectId);
        if (mode.kind === 'assume_role') mode.onTokenRefused?.();
      }
      return true;
    },
  };
}
