/**
 * The Huawei Cloud KMS HTTP client (docs/huawei-kms.md#alias-api, docs/huawei-kms.md#key-events, docs/huawei-kms.md#listing-keys). HTTP only: one request per
 * call (one per page for listAllAliases), no retries (callers compose `withRetry`), every
 * failure one of the typed errors of lib/errors/huawei-errors.ts, its retry class set here.
 * Authentication is delegated to an {@link AuthProvider}.
 */
import {
  KmsApiError,
  RateLimitWaitError,
  RequestRefusedError,
  UnexpectedResponseError,
} from '../errors/huawei-errors.ts';
import { type ClearableTimeout, clearableTimeout } from '../signals/clearable-timeout.ts';
import { assertSafeEndpoint } from './endpoints.ts';
import {
  type ParseResult,
  parseAliasBody,
  parseDescribeKeyBody,
  parseListAliasesBody,
  parseListKeysBody,
} from './kms-responses.ts';
import type { HttpTransport } from './http-transport.ts';
import { isCredentialRefused } from './classify-huawei-failure.ts';
import { headerValue, parseHuaweiError } from './parse-huawei-error.ts';
import { paginate } from './paginate.ts';
import { KEY_ID_PATTERN, PROJECT_ID_PATTERN } from './id-patterns.ts';
import { createKmsTagOperations } from './kms-tags-client.ts';
import { createKmsAliasDeletion } from './kms-alias-deletion.ts';
import { encodeRfc3986 } from './sign-request.ts';
import { sendSigned as sendSignedRequest } from './send-signed.ts';
import type { AliasEntity, AuthProvider, KmsClient, KmsTarget } from './types.ts';

export { KEY_ID_PATTERN, PROJECT_ID_PATTERN };

/** Options of {@link createKmsClient}. */
export interface KmsClientOptions {
  /**
   * Region → endpoint, e.g. `kmsEndpointFor`; the result must pass `assertSafeEndpoint`. Asked
   * once per region: its checked answer is kept for the client's lifetime.
   */
  endpointFor: (region: string) => string;
  auth: AuthProvider;
  /** Default: the global fetch. `createKmsFromConfig` passes the node:http transport. */
  fetch?: HttpTransport;
  /**
   * Per-request timeout, started when the request is sent (after any wait for `rateLimiter`).
   * Default 8000 ms (docs/huawei-kms.md#rate-limits: 5–8 s, no long timeouts).
   */
  requestTimeoutMs?: number;
  /**
   * Waited on before each request (`createRateLimiter`). The wait is bounded by the caller's
   * signal only (the invocation deadline), never by the request timeout: a request queued
   * behind a low rate limit must not time out before it is sent.
   */
  rateLimiter?: { acquire(signal?: AbortSignal): Promise<void> };
  /** Sent unsigned, after signing (as the SDKs do, docs/huawei-kms.md#aksk-signing step 1). */
  userAgent?: string;
  /** Loop guard for listAllAliases. Default 100 pages. */
  maxPages?: number;
}

/** One KMS request, as {@link KmsRequestSender.send} takes it. */
export interface RequestSpec<T> {
  operation: string;
  target: KmsTarget;
  method: 'GET' | 'POST' | 'DELETE';
  /** Path after `/v1.0/{project_id}/kms/`. Fixed strings only; values go in query or body. */
  path: string;
  query?: Record<string, string | undefined>;
  payload?: Record<string, unknown>;
  parse: (json: unknown) => ParseResult<T>;
}

const DEFAULT_USER_AGENT = 'kms-auto-alias';
const MAX_KEPT_ENDPOINTS = 64;
/** Request URLs kept parsed (urlOf in createKmsRequestSender). */
const MAX_KEPT_URLS = 256;

/** A local refusal: the request was never sent. Permanent. */
function refuse(operation: string, reason: string, cause?: unknown): RequestRefusedError {
  return new RequestRefusedError(`${operation} not sent: ${reason}`, {
    operation,
    ...(cause === undefined ? {} : { cause }),
  });
}

function shown(value: string): string {
  return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
}

function buildQuery(query: Record<string, string | undefined> | undefined): string {
  if (query === undefined) return '';
  const parts = Object.entries(query)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    // RFC 3986 on both sides, so the server decodes exactly what was signed (`+` stays `%2B`).
    .map(([k, v]) => `${encodeRfc3986(k)}=${encodeRfc3986(v)}`);
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

/**
 * What every KMS operation is built on: validation of ids, then one signed request and its
 * parsed answer ({@link createKmsClient} for the production operations; the test-support client
 * adds the ones only tests need on the same signing and transport).
 */
export interface KmsRequestSender {
  send<T>(spec: RequestSpec<T>, signal: AbortSignal | undefined): Promise<T & { requestId: string | undefined }>;
  /** Throws a `KMS_REJECTED` refusal (nothing sent) for an id that is not a KMS key id. */
  checkKeyId(operation: string, keyId: string): void;
  /** Throws a `KMS_REJECTED` refusal (nothing sent) for a page size outside 1..10000. */
  checkLimit(operation: string, limit: number | undefined): void;
  /** A local refusal of `operation` for `reason`: permanent, nothing sent. */
  refuse(operation: string, reason: string): Error;
}

/**
 * Creates the {@link KmsRequestSender} that every {@link KmsClient} method is built on.
 *
 * Every method validates the project id (and key id) before anything is sent, so no input
 * can change the request path, and rejects with:
 * - HTTP failures: a `KmsApiError` from `parseHuaweiError` (code, requestId, retry class);
 * - 401 (or a token-refused code on any status, `isCredentialRefused`) after `auth.onUnauthorized`
 *   dropped a token: a `KmsApiError` `KMS_AUTH_EXPIRED`, retry class `auth-refresh`;
 * - no response: a `TransportError` (`KMS_TIMEOUT` / `KMS_NETWORK`), or the caller's abort reason;
 * - IAM could not issue a token: an `IamError` or a `TransportError` (`IAM_AUTH`);
 * - a 2xx body of the wrong shape: an `UnexpectedResponseError` (`transient`);
 * - invalid input: a `RequestRefusedError` (permanent, nothing sent);
 * - a listing that does not end: a `PaginationError` (permanent).
 */
export function createKmsRequestSender(options: KmsClientOptions): KmsRequestSender {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const requestTimeoutMs = options.requestTimeoutMs ?? 8_000;
  const userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
  const { auth } = options;

  // The checked base URL of each region, kept: checking and parsing it again on every request
  // (three URL parses) was a measurable part of a call's CPU, for an answer that never changes.
  const endpoints = new Map<string, string>();
  const endpointOf = (operation: string, region: string): string => {
    const known = endpoints.get(region);
    if (known !== undefined) return known;
    let base: string;
    try {
      base = assertSafeEndpoint(options.endpointFor(region)).href.replace(/\/+$/, '');
    } catch (err) {
      throw refuse(operation, `no usable endpoint for region ${shown(region)}`, err);
    }
    // A function talks to a handful of regions; the bound only caps a flood of distinct ones.
    if (endpoints.size >= MAX_KEPT_ENDPOINTS) endpoints.clear();
    endpoints.set(region, base);
    return base;
  };

  // Each request URL parsed once and kept: a function sends the same few (CreateAlias of a
  // project, one listing page) again and again, and parsing one was a measurable part of a call.
  // Nothing changes a URL once built: the signer and the transports only read it.
  const urls = new Map<string, URL>();
  const urlOf = (href: string): URL => {
    let url = urls.get(href);
    if (url === undefined) {
      url = new URL(href);
      // Listing pages add a marker each; the bound keeps a long listing from growing the map.
      if (urls.size >= MAX_KEPT_URLS) urls.clear();
      urls.set(href, url);
    }
    return url;
  };

  const checkKeyId = (operation: string, keyId: string): void => {
    if (!KEY_ID_PATTERN.test(keyId)) throw refuse(operation, `invalid key id ${shown(keyId)}`);
  };

  const checkLimit = (operation: string, limit: number | undefined): void => {
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 10_000)) {
      throw refuse(operation, 'limit must be an integer from 1 to 10000');
    }
  };

  async function send<T>(
    spec: RequestSpec<T>,
    callerSignal: AbortSignal | undefined,
  ): Promise<T & { requestId: string | undefined }> {
    const { operation, target } = spec;
    if (!PROJECT_ID_PATTERN.test(target.projectId)) {
      throw refuse(operation, `invalid project id ${shown(target.projectId)}`);
    }
    const base = endpointOf(operation, target.region);
    // The project id was just checked to be 32 of [0-9a-zA-Z]: it needs no percent-encoding.
    const url = urlOf(`${base}/v1.0/${target.projectId}/kms/${spec.path}${buildQuery(spec.query)}`);
    // The string signed is the string sent (docs/huawei-kms.md#aksk-signing: the hash covers the exact body bytes).
    // JSON.stringify leaves out the fields whose value is undefined (a page's absent marker).
    const body = spec.payload === undefined ? undefined : JSON.stringify(spec.payload);
    if (options.rateLimiter !== undefined) await waitForSlot(options.rateLimiter, operation, callerSignal);
    // Started only now: the wait above is not part of the request.
    // One signal for the request timeout and the caller's deadline (clearable-timeout.ts says why).
    const timeout = clearableTimeout(requestTimeoutMs, callerSignal);
    try {
      return await sendSigned(spec, url, body, timeout, callerSignal);
    } finally {
      timeout.clear();
    }
  }

  async function sendSigned<T>(
    spec: RequestSpec<T>,
    url: URL,
    body: string | undefined,
    timeout: ClearableTimeout,
    callerSignal: AbortSignal | undefined,
  ): Promise<T & { requestId: string | undefined }> {
    const { operation, target } = spec;
    const { signal } = timeout;
    const transport = {
      operation,
      service: 'kms',
      timeoutMs: requestTimeoutMs,
      timeoutSignal: timeout.timedOut,
      callerSignal,
    } as const;

    const { response, text, headers } = await sendSignedRequest({
      method: spec.method,
      url,
      body,
      projectId: target.projectId,
      auth,
      fetch: fetchImpl,
      userAgent,
      signal,
      transport,
    });

    const requestId = headerValue(response.headers, 'x-request-id');
    if (response.status < 200 || response.status >= 300) {
      const error = parseHuaweiError({ status: response.status, bodyText: text, headers: response.headers, operation });
      if (
        isCredentialRefused(response.status, error.huaweiCode) &&
        auth.onUnauthorized?.(target.projectId, headers) === true
      ) {
        // The provider dropped its token: one more attempt authenticates afresh (auth_refreshed).
        throw new KmsApiError(error.message, {
          code: 'KMS_AUTH_EXPIRED',
          retry: 'auth-refresh',
          status: error.status,
          huaweiCode: error.huaweiCode,
          huaweiMessage: error.huaweiMessage,
          requestId: error.requestId,
          operation,
          cause: error,
        });
      }
      throw error;
    }

    let json: unknown;
    let parsed: ParseResult<T>;
    try {
      json = text.trim() === '' ? undefined : JSON.parse(text);
      parsed = spec.parse(json);
    } catch {
      parsed = { ok: false, reason: 'body is not JSON' };
    }
    if (!parsed.ok) {
      throw new UnexpectedResponseError(`${operation} failed: unexpected response body (${parsed.reason})`, {
        status: response.status,
        requestId,
        operation,
      });
    }
    return { ...parsed.value, requestId };
  }

  return { send, checkKeyId, checkLimit, refuse };
}

/**
 * Waits for a slot of `limiter`. The caller's abort while waiting: its reason when it cancelled,
 * a {@link RateLimitWaitError} when its deadline (a TimeoutError) came; either way nothing was sent.
 */
async function waitForSlot(
  limiter: NonNullable<KmsClientOptions['rateLimiter']>,
  operation: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  try {
    await limiter.acquire(signal);
  } catch (err) {
    const reason: unknown = signal?.aborted === true ? signal.reason : err;
    if (!(typeof reason === 'object' && reason !== null && Reflect.get(reason, 'name') === 'TimeoutError'))
      throw reason;
    throw new RateLimitWaitError(`${operation} not sent: the deadline came while waiting for the rate limit`, {
      operation,
      cause: reason,
    });
  }
}

/**
 * Creates a {@link KmsClient}: the operations the functions and the CLI use, each one request
 * through {@link createKmsRequestSender} (listAllAliases: one per page). Every method validates
 * the project id (and key id) before anything is sent and rejects with a `KmsApiError`, or a
 * `PaginationError` for a listing that does not end.
 */
export function createKmsClient(options: KmsClientOptions): KmsClient {
  const sender = createKmsRequestSender(options);
  const { send, checkKeyId, checkLimit } = sender;
  const maxPages = options.maxPages ?? 100;
  const client: KmsClient = {
    ...createKmsTagOperations(sender),
    ...createKmsAliasDeletion(sender),
    async createAlias(input, signal) {
      const operation = 'createAlias';
      checkKeyId(operation, input.keyId);
      if (input.alias === '') throw refuse(operation, 'alias is empty');
      const result = await send(
        {
          operation,
          target: input,
          method: 'POST',
          path: 'aliases',
          payload: { key_id: input.keyId, alias: input.alias },
          // docs/huawei-kms.md#alias-api: 201 is the success signal; the alias object is informative. A body of another
          // shape must not turn a created alias into an error (a retry would then conflict), but it
          // is a surprise the caller reports (unexpectedAnswer), never a silent one.
          parse: (json) => {
            const alias = parseAliasBody(json);
            if (!alias.ok) {
              return {
                ok: true,
                value: { alias: { alias: input.alias, key_id: input.keyId }, unexpectedAnswer: alias.reason },
              };
            }
            const other = alias.value.alias !== input.alias || alias.value.key_id !== input.keyId;
            return {
              ok: true,
              value: {
                alias: alias.value,
                ...(other ? { unexpectedAnswer: 'the alias object names another alias or key' } : {}),
              },
            };
          },
        },
        signal,
      );
      return result;
    },

    async listAliases(input, signal) {
      const operation = 'listAliases';
      if (input.keyId !== undefined) checkKeyId(operation, input.keyId);
      checkLimit(operation, input.limit);
      return send(
        {
          operation,
          target: input,
          method: 'GET',
          path: 'aliases',
          query: {
            key_id: input.keyId,
            limit: input.limit === undefined ? undefined : String(input.limit),
            marker: input.marker,
          },
          parse: parseListAliasesBody,
        },
        signal,
      );
    },

    async listAllAliases(input, signal) {
      const aliases: AliasEntity[] = [];
      const requestIds: string[] = [];
      let pages = 0;
      const listing = paginate(
        async (marker) => {
          const page = await client.listAliases(
            {
              region: input.region,
              projectId: input.projectId,
              keyId: input.keyId,
              limit: input.pageSize ?? 50,
              marker,
            },
            signal,
          );
          // docs/huawei-kms.md#alias-api (as Terraform's provider reads it): the listing ends on a
          // missing or empty next_marker, or on an empty page.
          return page.aliases.length === 0 ? { ...page, nextMarker: undefined } : page;
        },
        { operation: 'listAliases', maxPages },
      );
      for await (const { page } of listing) {
        pages += 1;
        aliases.push(...page.aliases);
        if (page.requestId !== undefined) requestIds.push(page.requestId);
      }
      return { aliases, pages, requestIds };
    },

    async listKeys(input, signal) {
      const operation = 'listKeys';
      checkLimit(operation, input.limit);
      // docs/huawei-kms.md#listing-keys: POST with a JSON body whose fields are all strings.
      return send(
        {
          operation,
          target: input,
          method: 'POST',
          path: 'list-keys',
          payload: {
            limit: input.limit === undefined ? undefined : String(input.limit),
            marker: input.marker,
            key_state: input.keyState,
            key_spec: input.keySpec,
            enterprise_project_id: input.enterpriseProjectId,
          },
          parse: parseListKeysBody,
        },
        signal,
      );
    },

    async describeKey(input, signal) {
      const operation = 'describeKey';
      checkKeyId(operation, input.keyId);
      return send(
        {
          operation,
          target: input,
          method: 'POST',
          path: 'describe-key',
          payload: { key_id: input.keyId },
          parse: (json) => {
            const info = parseDescribeKeyBody(json);
            return info.ok ? { ok: true, value: { keyInfo: info.value } } : info;
          },
        },
        signal,
      );
    },
  };
  return client;
}
