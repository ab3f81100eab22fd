// Gateway-side verification of `SDK-HMAC-SHA256` (docs/huawei-kms.md#aksk-signing). Written from the algorithm text,
// not from any client signer: everything is rebuilt from the request as it ARRIVED (raw path and
// query, received header values, raw body bytes), so a client that signs something other than what
// it sends fails here exactly as it would on the real gateway.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNING_ALGORITHM = 'SDK-HMAC-SHA256';
/** X-Sdk-Date may differ from gateway time by at most 15 minutes (docs/huawei-kms.md#aksk-signing step 1, docs/huawei-kms.md#error-codes APIGW.0303). */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

/** Request headers keyed by lower-case name, as node:http exposes them. */
export type HeaderBag = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface ReceivedRequest {
  readonly method: string;
  /** Path plus optional `?query`, exactly as received (still percent-encoded). */
  readonly rawUrl: string;
  readonly headers: HeaderBag;
  readonly body: Uint8Array;
}

export interface ParsedAuthorization {
  readonly access: string;
  /** Lower-case header names in the order the client declared them. */
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

export type VerifyResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: 'APIGW.0301'; readonly detail: string }
  | { readonly ok: false; readonly code: 'APIGW.0303'; readonly signatureTime: string };

/** Parses `SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<a;b>, Signature=<hex>` (docs/huawei-kms.md#aksk-signing step 5). */
export function parseAuthorization(value: string | undefined): ParsedAuthorization | undefined {
  if (value === undefined || !value.startsWith(`${SIGNING_ALGORITHM} `)) return undefined;
  const fields = new Map<string, string>();
  for (const part of value.slice(SIGNING_ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return undefined;
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const access = fields.get('Access');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!access || !signedHeaders || !signature || !/^[0-9a-fA-F]+$/.test(signature)) return undefined;
  return { access, signedHeaders: signedHeaders.split(';').map((h) => h.toLowerCase()), signature };
}

/** `YYYYMMDDTHHMMSSZ` → epoch ms, or undefined when the value is not in that exact UTC form. */
export function parseSdkDate(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  // Reject values Date.UTC silently normalises (e.g. month 13).
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || back.getUTCHours() !== h) return undefined;
  return ms;
}

/** epoch ms → `YYYYMMDDTHHMMSSZ`. */
export function formatSdkDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

/** RFC 3986 encoding: unreserved `A-Z a-z 0-9 - _ . ~` kept, every other UTF-8 byte as upper-case `%XX`. */
export function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * CanonicalURI (docs/huawei-kms.md#aksk-signing step 2): each segment of the received path is decoded, re-encoded
 * with RFC 3986, the segments re-joined with `/`, and a `/` appended when missing. (Decoding first
 * follows the Go SDK's signer, which starts from the decoded path; KMS paths contain no escaped characters,
 * so the choice does not matter for this API.)
 */
export function canonicalUri(rawPath: string): string {
  const joined = rawPath
    .split('/')
    .map((segment) => rfc3986(safeDecode(segment)))
    .join('/');
  return joined.endsWith('/') ? joined : `${joined}/`;
}

/**
 * CanonicalQueryString (docs/huawei-kms.md#aksk-signing step 2), parsed from the received query: names sorted
 * (code-unit order; query names are ASCII here), repeated values sorted, each `encode(name)=encode(value)`,
 * joined with `&`; `a` with no value becomes `a=`. `+` is read as a space, as form-style encoders
 * (URLSearchParams, Go's url.Values) send it.
 */
export function canonicalQueryString(rawQuery: string): string {
  const params = new Map<string, string[]>();
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const decode = (s: string): string => safeDecode(s.replace(/\+/g, ' '));
    const name = decode(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? '' : decode(part.slice(eq + 1));
    const values = params.get(name);
    if (values) values.push(value);
    else params.set(name, [value]);
  }
  const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return [...params.keys()]
    .sort(byCodeUnit)
    .flatMap((name) => (params.get(name) ?? []).sort(byCodeUnit).map((v) => `${rfc3986(name)}=${rfc3986(v)}`))
    .join('&');
}

function headerValue(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  return (typeof value === 'string' ? value : value.join(',')).trim();
}

/** The full CanonicalRequest, or the name of a signed header that did not arrive. */
export function canonicalRequest(
  req: ReceivedRequest,
  signedHeaders: readonly string[],
): { readonly ok: true; readonly text: string } | { readonly ok: false; readonly missingHeader: string } {
  const q = req.rawUrl.indexOf('?');
  const rawPath = q < 0 ? req.rawUrl : req.rawUrl.slice(0, q);
  const rawQuery = q < 0 ? '' : req.rawUrl.slice(q + 1);
  let headerBlock = '';
  // Built in the order the client declared (the gateway verifies "whatever list you declare", docs/huawei-kms.md#aksk-signing).
  for (const name of signedHeaders) {
    const value = headerValue(req.headers, name);
    if (value === undefined) return { ok: false, missingHeader: name };
    headerBlock += `${name}:${value}\n`;
  }
  // X-Sdk-Content-Sha256 replaces the body hash when present (e.g. UNSIGNED-PAYLOAD), docs/huawei-kms.md#aksk-signing step 2.
  const payloadHash =
    headerValue(req.headers, 'x-sdk-content-sha256') ?? createHash('sha256').update(req.body).digest('hex');
  const text = [
    req.method.toUpperCase(),
    canonicalUri(rawPath),
    canonicalQueryString(rawQuery),
    headerBlock,
    signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
  return { ok: true, text };
}

/** Signature = hex(HMAC-SHA256(SK, "SDK-HMAC-SHA256\n<date>\n<hex sha256(CanonicalRequest)>")), docs/huawei-kms.md#aksk-signing step 3–4. */
export function signatureFor(canonical: string, sdkDate: string, secretKey: string): string {
  const stringToSign = `${SIGNING_ALGORITHM}\n${sdkDate}\n${createHash('sha256').update(canonical).digest('hex')}`;
  return createHmac('sha256', secretKey).update(stringToSign).digest('hex');
}

/**
 * Verifies one request against the secret key of the AK it names. Checks, in order: `host` and
 * `x-sdk-date` are signed; the date is well formed; it is within `maxSkewMs` of `nowMs` (APIGW.0303);
 * every signed header arrived; the signature matches (APIGW.0301).
 */
export function verifySignature(
  req: ReceivedRequest,
  auth: ParsedAuthorization,
  secretKey: string,
  nowMs: number,
  maxSkewMs: number = MAX_CLOCK_SKEW_MS,
): VerifyResult {
  for (const required of ['host', 'x-sdk-date']) {
    if (!auth.signedHeaders.includes(required)) {
      return { ok: false, code: 'APIGW.0301', detail: `${required} is not in SignedHeaders` };
    }
  }
  const sdkDate = headerValue(req.headers, 'x-sdk-date') ?? '';
  const signedAt = parseSdkDate(sdkDate);
  if (signedAt === undefined) return { ok: false, code: 'APIGW.0301', detail: `invalid x-sdk-date "${sdkDate}"` };
  if (Math.abs(nowMs - signedAt) > maxSkewMs) return { ok: false, code: 'APIGW.0303', signatureTime: sdkDate };

  const canonical = canonicalRequest(req, auth.signedHeaders);
  if (!canonical.ok) {
    return { ok: false, code: 'APIGW.0301', detail: `signed header ${canonical.missingHeader} is missing` };
  }
  const expected = Buffer.from(signatureFor(canonical.text, sdkDate, secretKey), 'hex');
  const given = Buffer.from(auth.signature.toLowerCase(), 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    // Like the real gateway's FAQ example, show the canonical request with `|` for newlines.
    return {
      ok: false,
      code: 'APIGW.0301',
      detail: `verify aksk signature fail, canonicalRequest:${canonical.text.replace(/\n/g, '|')}`,
    };
  }
  return { ok: true };
}
