// Test client for the emulator: signs with Huawei's OFFICIAL Node signer (docs/huawei-kms.md#aksk-signing) and sends
// with fetch, so the emulator's verifier is checked against an implementation it did not come from.
import { createRequire } from 'node:module';

interface SignerRequest {
  endpoint: string;
  method: string;
  queryParams: Record<string, string>;
  headers: Record<string, string>;
  data?: unknown;
}

interface OfficialSigner {
  sign(request: SignerRequest, credential: { getAk(): string; getSk(): string }): Record<string, string>;
}

const require = createRequire(import.meta.url);
const { AKSKSigner } = require('@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner') as { AKSKSigner: OfficialSigner };

/** epoch ms → `YYYYMMDDTHHMMSSZ`. */
export function sdkDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

/** The request after signing; `tamper` may change it before it is sent. */
export interface OutgoingRequest {
  path: string;
  query: string;
  headers: Record<string, string>;
  body: string | undefined;
}

export interface SignedCall {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: Record<string, string>;
  /** Sent as exactly `JSON.stringify(body)`, which is what the official signer hashes. */
  body?: unknown;
  ak: string;
  sk: string;
  /** Added as X-Security-Token before signing (temporary AK/SK). */
  securityToken?: string;
  /** Added as X-Project-Id before signing, as BasicCredentials does. */
  projectId?: string;
  /** Extra headers, added before signing (so they are signed). */
  headers?: Record<string, string>;
  /** Send this string instead of JSON.stringify(body); pair it with X-Sdk-Content-Sha256 in `headers`. */
  rawBody?: string;
  /** Signing time, epoch ms. */
  dateMs: number;
  tamper?: (request: OutgoingRequest) => void;
  signal?: AbortSignal;
}

async function toResponse(res: Response): Promise<ApiResponse> {
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export async function signedFetch(baseUrl: string, call: SignedCall): Promise<ApiResponse> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'X-Sdk-Date': sdkDate(call.dateMs) };
  if (call.projectId !== undefined) headers['X-Project-Id'] = call.projectId;
  if (call.securityToken !== undefined) headers['X-Security-Token'] = call.securityToken;
  Object.assign(headers, call.headers);
  const signed = AKSKSigner.sign(
    {
      endpoint: `${baseUrl}${call.path}`,
      method: call.method,
      queryParams: call.query ?? {},
      headers,
      ...(call.body !== undefined ? { data: call.body } : {}),
    },
    { getAk: () => call.ak, getSk: () => call.sk },
  );
  // fetch sets Host itself (same host:port the signer used).
  const { host: _host, ...sendHeaders } = signed;
  const query = Object.entries(call.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
  const outgoing: OutgoingRequest = {
    path: call.path,
    query,
    headers: sendHeaders,
    body: call.rawBody ?? (call.body === undefined ? undefined : JSON.stringify(call.body)),
  };
  call.tamper?.(outgoing);
  const url = `${baseUrl}${outgoing.path}${outgoing.query ? `?${outgoing.query}` : ''}`;
  const init: RequestInit = { method: call.method, headers: outgoing.headers };
  if (outgoing.body !== undefined) init.body = outgoing.body;
  if (call.signal !== undefined) init.signal = call.signal;
  return toResponse(await fetch(url, init));
}

/** A request authenticated with `X-Auth-Token` instead of a signature. */
export async function tokenFetch(
  baseUrl: string,
  call: { method: 'GET' | 'POST' | 'DELETE'; path: string; token: string; body?: unknown },
): Promise<ApiResponse> {
  const init: RequestInit = {
    method: call.method,
    headers: { 'content-type': 'application/json', 'X-Auth-Token': call.token },
  };
  if (call.body !== undefined) init.body = JSON.stringify(call.body);
  return toResponse(await fetch(`${baseUrl}${call.path}`, init));
}

/** `POST /v3/auth/tokens` with any body; returns the response and the X-Subject-Token. */
export async function iamTokenRequest(
  baseUrl: string,
  body: unknown,
  callerToken?: string,
): Promise<ApiResponse & { token: string | null }> {
  const headers: Record<string, string> = { 'content-type': 'application/json;charset=utf8' };
  if (callerToken !== undefined) headers['X-Auth-Token'] = callerToken;
  const res = await fetch(`${baseUrl}/v3/auth/tokens?nocatalog=true`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
  });
  const token = res.headers.get('x-subject-token');
  return { ...(await toResponse(res)), token };
}

export function passwordBody(user: string, password: string, domainName: string, projectName: string): unknown {
  return {
    auth: {
      identity: { methods: ['password'], password: { user: { name: user, password, domain: { name: domainName } } } },
      scope: { project: { name: projectName } },
    },
  };
}

export function assumeRoleBody(domainName: string, agencyName: string, projectName: string): unknown {
  return {
    auth: {
      identity: { methods: ['assume_role'], assume_role: { domain_name: domainName, agency_name: agencyName } },
      scope: { project: { name: projectName } },
    },
  };
}
