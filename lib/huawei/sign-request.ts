/**
 * Huawei Cloud API Gateway request signing, algorithm `SDK-HMAC-SHA256` (docs/huawei-kms.md#aksk-signing).
 *
 * Pure: the clock is a parameter and only node:crypto is used. The canonical form follows the
 * server side (the gateway re-derives it from the request it receives), which is also what the
 * Go SDK signer does: path segments are percent-decoded once and re-encoded with RFC 3986, and the
 * query is read the way a server parses it. The official Node SDK signer agrees on every request
 * this project sends (property-tested against it in test/unit/huawei/sign-request.test.ts).
 */

// node:crypto is loaded on the first signature, not at module load: it costs about a quarter of
// the create-key-alias bundle's start-up (docs/performance.md#1-cold-start), and the first request
// loads node:https, which loads node:crypto anyway, so over a cold start it is paid once either way.
let crypto: typeof import('node:crypto') | undefined;
const nodeCrypto = (): typeof import('node:crypto') => {
  crypto ??= process.getBuiltinModule('node:crypto');
  return crypto;
};

/** The algorithm name in `Authorization` and the string-to-sign (docs/huawei-kms.md#aksk-signing step 3, 5). */
export const SIGNING_ALGORITHM = 'SDK-HMAC-SHA256';

/** SHA-256 of the empty body, which GET/DELETE-without-body requests sign (docs/huawei-kms.md#aksk-signing step 2). */
export const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** An AK/SK pair; `securityToken` is set for temporary credentials (docs/huawei-kms.md#aksk-signing: must be sent and signed). */
export interface AkSkCredentials {
  ak: string;
  sk: string;
  securityToken?: string | undefined;
}

/** A request as it will be sent, for {@link signRequest} and {@link buildCanonicalRequest}. */
export interface RequestToSign {
  method: string;
  url: URL | string;
  /** Headers to send and sign. Names are case-insensitive; values are trimmed before signing. */
  headers: Record<string, string>;
  /** The exact body that will be sent; the signature covers these bytes (docs/huawei-kms.md#aksk-signing step 2). */
  body: string | Uint8Array | undefined;
}

export interface CanonicalRequest {
  /** The full canonical request text (docs/huawei-kms.md#aksk-signing step 2). */
  text: string;
  /** Lower-case header names joined with `;`, as they go into `Authorization`. */
  signedHeaders: string;
  /** Lower-case hex SHA-256 of `text`. */
  hash: string;
}

const textEncoder = new TextEncoder();

/**
 * RFC 3986 percent-encoding as the gateway expects it: unreserved `A-Z a-z 0-9 - _ . ~` stay,
 * every other UTF-8 byte becomes `%XX` upper-case (docs/huawei-kms.md#aksk-signing: space → `%20`, `/` → `%2F`).
 *
 * @throws Error when the string holds a lone UTF-16 surrogate (it has no UTF-8 form).
 */
export function encodeRfc3986(value: string): string {
  let encoded: string;
  try {
    encoded = encodeURIComponent(value);
  } catch (cause) {
    throw new Error('value to sign contains a lone UTF-16 surrogate', { cause });
  }
  // encodeURIComponent keeps these five sub-delims, RFC 3986 unreserved does not.
  return encoded.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Formats a clock reading as the `X-Sdk-Date` value `YYYYMMDDTHHMMSSZ` (UTC, docs/huawei-kms.md#aksk-signing step 1).
 *
 * @throws Error when `now` is an invalid Date.
 */
export function formatSdkDate(now: Date): string {
  const ms = now.getTime();
  if (Number.isNaN(ms)) throw new Error('cannot sign with an invalid date');
  // The value has whole seconds, and a batch's requests are signed within a second or two: the
  // last second's text is kept (V8 formats a date through a printf-style routine, ~0.4 µs).
  const second = Math.floor(ms / 1000);
  if (second !== sdkDate.second) {
    // 2019-11-15T03:36:55.000Z → 20191115T033655Z
    sdkDate.text = `${now.toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;
    sdkDate.second = second;
  }
  return sdkDate.text;
}

/** The last second {@link formatSdkDate} wrote, and its text. */
const sdkDate = { second: Number.NaN, text: '' };

/**
 * Lower-case hex SHA-256 of a string (UTF-8) or bytes. The one-shot `crypto.hash` (Node 21.7+)
 * makes no Hash object: about a third of `createHash().update().digest()`'s time on this input
 * size, and each signature takes two. https://nodejs.org/api/crypto.html#cryptohashalgorithm-data-options
 */
export function sha256Hex(data: string | Uint8Array): string {
  return nodeCrypto().hash('sha256', data, 'hex');
}

/**
 * The SK as a key object, made once per SK: building the HMAC key from the string on every
 * signature (UTF-8 encoding, key import) was a measurable part of each request's CPU.
 */
const hmacKeys = new Map<string, import('node:crypto').KeyObject>();

function hmacSha256Hex(key: string, data: string): string {
  let keyObject = hmacKeys.get(key);
  if (keyObject === undefined) {
    // One entry per SK in use: a rotated SK replaces the old one rather than piling up.
    hmacKeys.clear();
    keyObject = nodeCrypto().createSecretKey(textEncoder.encode(key));
    hmacKeys.set(key, keyObject);
  }
  return nodeCrypto().createHmac('sha256', keyObject).update(data).digest('hex');
}

/** Plain code-point order, the slow way: for strings that differ at a surrogate or above. */
function codePointCompareSlow(a: string, b: string): number {
  const ai = [...a];
  const bi = [...b];
  const n = Math.min(ai.length, bi.length);
  for (let i = 0; i < n; i++) {
    const x = ai[i]?.codePointAt(0) ?? 0;
    const y = bi[i]?.codePointAt(0) ?? 0;
    if (x !== y) return x - y;
  }
  return ai.length - bi.length;
}

function codePointCompare(a: string, b: string): number {
  // Plain code-point order (docs/huawei-kms.md#aksk-signing: "Sort with plain code-point order"); UTF-16 `<` differs only
  // for astral characters versus U+E000–U+FFFF, so where the first difference involves a code
  // unit from U+D800 up, compare via code points. Header and query names are ASCII: no copies.
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return x < 0xd800 && y < 0xd800 ? x - y : codePointCompareSlow(a, b);
  }
  return a.length - b.length;
}

/** Header names in signing order, with their `SignedHeaders` text. */
interface SignedNames {
  names: string[];
  signedHeaders: string;
}

/**
 * The signing order of each set of header names, kept by the names as given: a client signs the
 * same few sets (a KMS call's five names) again and again, and sorting them was most of a
 * signature's own work.
 */
const signedNamesBySet = new Map<string, SignedNames>();
const MAX_KEPT_NAME_SETS = 64;

function signedNamesOf(headers: Map<string, string>): SignedNames {
  let key = '';
  for (const name of headers.keys()) key += `${name}\n`;
  const known = signedNamesBySet.get(key);
  // The key cannot tell `a\nb` + `c` from `a` + `b\nc` (names are not checked yet): the set is.
  if (known !== undefined && known.names.length === headers.size && known.names.every((n) => headers.has(n))) {
    return known;
  }
  const names = [...headers.keys()].sort(codePointCompare);
  const found = { names, signedHeaders: names.join(';') };
  if (signedNamesBySet.size >= MAX_KEPT_NAME_SETS) signedNamesBySet.clear();
  signedNamesBySet.set(key, found);
  return found;
}

/**
 * Canonical URIs by path, kept: a function signs the same few paths over and over, and the
 * split, decode and re-encode of every segment was a measurable part of each signature.
 */
const canonicalUris = new Map<string, string>();
const MAX_KEPT_URIS = 64;

function canonicalUri(pathname: string): string {
  const known = canonicalUris.get(pathname);
  if (known !== undefined) return known;
  const uri = buildCanonicalUri(pathname);
  // The bound only caps a flood of distinct paths (a listing's are a handful).
  if (canonicalUris.size >= MAX_KEPT_URIS) canonicalUris.clear();
  canonicalUris.set(pathname, uri);
  return uri;
}

function buildCanonicalUri(pathname: string): string {
  // docs/huawei-kms.md#aksk-signing: split on "/", encode each segment, re-join, always end in "/". URL.pathname is the
  // on-the-wire (already percent-encoded) form, so decode each segment once first: the gateway
  // signs the decoded path re-encoded, and this keeps "%20" from becoming "%2520".
  const segments = pathname.split('/').map((segment) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch (cause) {
      throw new Error('request path is not valid percent-encoded UTF-8', { cause });
    }
    return encodeRfc3986(decoded);
  });
  const joined = segments.join('/');
  return joined.endsWith('/') ? joined : `${joined}/`;
}

function canonicalQuery(url: URL): string {
  // No query (every POST): the URL's searchParams object is not even made.
  if (url.search === '') return '';
  // docs/huawei-kms.md#aksk-signing: sort by name, repeated names keep every value sorted, "name=" kept for empty values.
  const byName = new Map<string, string[]>();
  for (const [name, value] of url.searchParams) {
    const values = byName.get(name);
    if (values === undefined) byName.set(name, [value]);
    else values.push(value);
  }
  const parts: string[] = [];
  for (const name of [...byName.keys()].sort(codePointCompare)) {
    const values = (byName.get(name) ?? []).sort(codePointCompare);
    for (const value of values) parts.push(`${encodeRfc3986(name)}=${encodeRfc3986(value)}`);
  }
  return parts.join('&');
}

/**
 * Normalises a header map: lower-case names, trimmed values (docs/huawei-kms.md#aksk-signing: "send trimmed values").
 *
 * @throws Error on two names that differ only in case, or a value containing CR/LF.
 */
function normaliseHeaders(headers: Record<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.trim().toLowerCase();
    if (out.has(lower)) throw new Error(`header ${lower} is given twice`);
    if (/[\r\n]/.test(value)) throw new Error(`header ${lower} contains a line break`);
    out.set(lower, value.trim());
  }
  return out;
}

/**
 * Builds the canonical request over exactly the headers given (nothing is added: no host, no
 * date). Use {@link signRequest} for real requests; this exists for the published vectors that
 * sign only `x-sdk-date` (the Go SDK's tests, docs/huawei-kms.md#aksk-signing).
 *
 * The payload hash is the value of an `X-Sdk-Content-Sha256` header when one is given (as both
 * SDKs do), else the SHA-256 of the exact body bytes.
 *
 * @throws Error on an unparsable URL, duplicate header names or an unencodable path.
 */
export function buildCanonicalRequest(request: RequestToSign): CanonicalRequest {
  return canonicalRequestOf(request, urlOf(request), normaliseHeaders(request.headers));
}

function urlOf(request: RequestToSign): URL {
  return typeof request.url === 'string' ? new URL(request.url) : request.url;
}

/** {@link buildCanonicalRequest} over headers already normalised (each signature normalises them once). */
function canonicalRequestOf(request: RequestToSign, url: URL, headers: Map<string, string>): CanonicalRequest {
  const { names, signedHeaders } = signedNamesOf(headers);
  let canonicalHeaders = '';
  for (const name of names) canonicalHeaders += `${name}:${headers.get(name) ?? ''}\n`;
  const payloadHash =
    headers.get('x-sdk-content-sha256') ??
    (request.body === undefined || request.body.length === 0 ? EMPTY_BODY_SHA256 : sha256Hex(request.body));
  const text = `${request.method.toUpperCase()}\n${canonicalUri(url.pathname)}\n${canonicalQuery(url)}\n${canonicalHeaders}\n${signedHeaders}\n${payloadHash}`;
  return { text, signedHeaders, hash: sha256Hex(text) };
}

/**
 * Computes the `Authorization` header value for a request whose headers (all of which are
 * signed) already include `X-Sdk-Date`.
 *
 * @returns `SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<list>, Signature=<hex>`.
 * @throws Error when `X-Sdk-Date` is missing, or as {@link buildCanonicalRequest}.
 */
export function computeAuthorization(request: RequestToSign, credentials: AkSkCredentials): string {
  return authorizationOf(request, urlOf(request), normaliseHeaders(request.headers), credentials);
}

/** {@link computeAuthorization} over headers already normalised (signRequest normalises them as it copies them). */
function authorizationOf(
  request: RequestToSign,
  url: URL,
  headers: Map<string, string>,
  credentials: AkSkCredentials,
): string {
  const date = headers.get('x-sdk-date');
  if (date === undefined || date === '') throw new Error('X-Sdk-Date header is required to sign');
  const canonical = canonicalRequestOf(request, url, headers);
  // docs/huawei-kms.md#aksk-signing step 3: no credential scope and no key derivation, unlike AWS SigV4.
  const stringToSign = `${SIGNING_ALGORITHM}\n${date}\n${canonical.hash}`;
  const signature = hmacSha256Hex(credentials.sk, stringToSign);
  return `${SIGNING_ALGORITHM} Access=${credentials.ak}, SignedHeaders=${canonical.signedHeaders}, Signature=${signature}`;
}

const REPLACED_HEADERS = new Set(['host', 'x-sdk-date', 'authorization']);

/**
 * Signs a request with AK/SK (docs/huawei-kms.md#aksk-signing) and returns the complete header map to send: the given
 * headers (trimmed), `host` (from the URL, port only when non-default), `X-Sdk-Date` (from
 * `now`), `X-Security-Token` when the credentials carry one, and `Authorization`. Every header
 * in the result except `Authorization` is signed; add unsigned headers (User-Agent) afterwards.
 *
 * Any `host`, `X-Sdk-Date` or `Authorization` in `request.headers` is replaced, so the signature
 * always matches what is sent.
 *
 * @throws Error on an invalid date, duplicate header names, a header value with a line break,
 *   or an unparsable URL. The message never contains the secret key or the token.
 * @example
 * const headers = signRequest(
 *   { method: 'POST', url, headers: { 'content-type': 'application/json', 'X-Project-Id': pid }, body },
 *   { ak, sk },
 *   new Date(),
 * );
 * await fetch(url, { method: 'POST', headers, body });
 */
export function signRequest(request: RequestToSign, credentials: AkSkCredentials, now: Date): Record<string, string> {
  const url = urlOf(request);
  const headers: Record<string, string> = {};
  // The same headers by lower-case name, as they are signed: built in the same pass, with the
  // checks normaliseHeaders makes (a name given twice, a line break in a value).
  const signed = new Map<string, string>();
  const add = (name: string, lower: string, value: string): void => {
    // Two spellings of one name (`Content-Type`, `content-type`); the same spelling twice keeps the last.
    if (signed.has(lower) && !Object.hasOwn(headers, name)) throw new Error(`header ${lower} is given twice`);
    if (/[\r\n]/.test(value)) throw new Error(`header ${lower} contains a line break`);
    headers[name] = value;
    signed.set(lower, value);
  };
  for (const [name, value] of Object.entries(request.headers)) {
    const trimmed = name.trim();
    const lower = trimmed.toLowerCase();
    if (REPLACED_HEADERS.has(lower)) continue;
    if (lower === 'x-security-token' && credentials.securityToken !== undefined) continue;
    add(trimmed, lower, value.trim());
  }
  add('host', 'host', url.host);
  add('X-Sdk-Date', 'x-sdk-date', formatSdkDate(now));
  if (credentials.securityToken !== undefined) {
    // docs/huawei-kms.md#aksk-signing: temporary AK/SK are only accepted with the token, and it must be signed.
    add('X-Security-Token', 'x-security-token', credentials.securityToken.trim());
  }
  // Added to the map just built (and signed): last, as before, without a copy.
  headers.Authorization = authorizationOf(
    { method: request.method, url, headers, body: request.body },
    url,
    signed,
    credentials,
  );
  return headers;
}
