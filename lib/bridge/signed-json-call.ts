/**
 * One signed JSON call to a Huawei Cloud service API (SMN, CTS) with the project's own auth
 * providers (AK/SK signing or IAM token, docs/huawei-kms.md#aksk-signing) and error parsing, so
 * the bridge clients share the KMS client's rules: no redirects followed, a per-request timeout,
 * every failure one of the Huawei error types (status 0 for no response), never a secret in a message.
 */
import { HuaweiError, RequestRefusedError, UnexpectedResponseError } from '../errors/huawei-errors.ts';
import { assertSafeEndpoint } from '../huawei/endpoints.ts';
import type { HttpTransport } from '../huawei/http-transport.ts';
import { sendSigned } from '../huawei/send-signed.ts';
import { PROJECT_ID_PATTERN } from '../huawei/id-patterns.ts';
import { headerValue, parseHuaweiError } from '../huawei/parse-huawei-error.ts';
import { encodeRfc3986 } from '../huawei/sign-request.ts';
import type { AuthProvider } from '../huawei/types.ts';
import { clearableTimeout } from '../signals/clearable-timeout.ts';

export interface ServiceTarget {
  region: string;
  projectId: string;
}

export interface SignedJsonCallOptions {
  /** Region → endpoint (e.g. `smnEndpointFor`, or an override); must pass `assertSafeEndpoint`. */
  endpointFor: (region: string) => string;
  auth: AuthProvider;
  /** Default: the global fetch. */
  fetch?: HttpTransport;
  /** Default 8000 ms. */
  requestTimeoutMs?: number;
  userAgent?: string;
  /**
   * Further attempts after a throttled answer (429), and for GET also after a 5xx or no answer.
   * POST/PUT are not repeated after a 5xx or a lost answer: the first may have taken effect.
   * Default 3.
   */
  retries?: number;
  /** Wait before retry n (1-based); default 2 s × n (Huawei: come back after 2–5 s on a 429). */
  retryDelayMs?: (attempt: number, throttled: boolean) => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface JsonRequest {
  operation: string;
  target: ServiceTarget;
  method: 'GET' | 'POST' | 'PUT';
  /**
   * Path segments after the host, e.g. `['v2', projectId, 'notifications', 'topics']`. Each is
   * RFC 3986-encoded here except `:`, which stays raw as Huawei's Node SDK sends it (it puts path
   * parameters such as `{topic_urn}` into the URL unencoded: huaweicloud-sdk-nodejs-v3
   * `core/HcClient.ts` buildRequest); the signer signs the segment with `:` as `%3A`, as the SDK's does.
   */
  segments: readonly string[];
  query?: Record<string, string | undefined>;
  payload?: Record<string, unknown>;
}

export interface JsonResponse {
  status: number;
  json: unknown;
  requestId: string | undefined;
}

export type SignedJsonCall = (request: JsonRequest, signal?: AbortSignal) => Promise<JsonResponse>;

function refuse(operation: string, reason: string, cause?: unknown): RequestRefusedError {
  return new RequestRefusedError(`${operation} not sent: ${reason}`, {
    operation,
    ...(cause === undefined ? {} : { cause }),
  });
}

function buildQuery(query: Record<string, string | undefined> | undefined): string {
  const parts = Object.entries(query ?? {})
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([k, v]) => `${encodeRfc3986(k)}=${encodeRfc3986(v)}`);
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

/** The HTTP status a Huawei failure carries (0: no answer, or nothing sent); undefined for other errors. */
export function huaweiStatusOf(err: unknown): number | undefined {
  if (!(err instanceof HuaweiError)) return undefined;
  const status = (err as { status?: unknown }).status;
  return typeof status === 'number' ? status : undefined;
}

function worthRetrying(err: unknown, method: JsonRequest['method']): boolean {
  const status = huaweiStatusOf(err);
  if (status === undefined) return false;
  if (status === 429) return true;
  // The class was set where the failure was born (lib/errors/huawei-errors.ts); a create is never
  // re-sent after a lost answer, since it may have been applied.
  return method === 'GET' && (status === 0 || status >= 500) && (err as HuaweiError).retryable;
}

/** Creates the call function the SMN and CTS clients use. */
export function createSignedJsonCall(options: SignedJsonCallOptions): SignedJsonCall {
  const once = createSingleCall(options);
  const retries = options.retries ?? 3;
  const delayOf = options.retryDelayMs ?? ((attempt: number) => 2_000 * attempt);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  return async (request, signal) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await once(request, signal);
      } catch (err) {
        if (attempt > retries || signal?.aborted === true || !worthRetrying(err, request.method)) throw err;
        await sleep(delayOf(attempt, huaweiStatusOf(err) === 429));
      }
    }
  };
}

function createSingleCall(options: SignedJsonCallOptions): SignedJsonCall {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.requestTimeoutMs ?? 8_000;
  const userAgent = options.userAgent ?? 'kms-auto-alias';

  return async (request, callerSignal) => {
    const { operation, target } = request;
    if (!PROJECT_ID_PATTERN.test(target.projectId)) throw refuse(operation, 'invalid project id');
    let base: string;
    try {
      base = assertSafeEndpoint(options.endpointFor(target.region)).href.replace(/\/+$/, '');
    } catch (err) {
      throw refuse(operation, `no usable endpoint for region ${JSON.stringify(target.region.slice(0, 40))}`, err);
    }
    const path = request.segments.map((segment) => encodeRfc3986(segment).replaceAll('%3A', ':')).join('/');
    const url = new URL(`${base}/${path}${buildQuery(request.query)}`);
    const body = request.payload === undefined ? undefined : JSON.stringify(request.payload);
    const timeout = clearableTimeout(timeoutMs);
    const signal = callerSignal === undefined ? timeout.signal : AbortSignal.any([timeout.signal, callerSignal]);
    const context = { operation, service: 'kms', timeoutMs, timeoutSignal: timeout.signal, callerSignal } as const;
    try {
      const { response, text } = await sendSigned({
        method: request.method,
        url,
        body,
        projectId: target.projectId,
        auth: options.auth,
        fetch: fetchImpl,
        userAgent,
        signal,
        transport: context,
      });
      if (response.status < 200 || response.status >= 300) {
        throw parseHuaweiError({ status: response.status, bodyText: text, headers: response.headers, operation });
      }
      let json: unknown;
      try {
        json = text.trim() === '' ? undefined : JSON.parse(text);
      } catch {
        throw new UnexpectedResponseError(`${operation} failed: the answer is not JSON`, {
          status: response.status,
          operation,
        });
      }
      return { status: response.status, json, requestId: headerValue(response.headers, 'x-request-id') };
    } finally {
      timeout.clear();
    }
  };
}
