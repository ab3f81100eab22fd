/**
 * Turns a failed Huawei API response into a {@link KmsApiError} (KMS, API Gateway) or an
 * {@link IamError} (IAM), with its retry class set here, once (classify-huawei-failure.ts).
 * Pure. Accepts every error body shape of docs/huawei-kms.md#error-bodies:
 *  1. KMS nested      `{"error":{"error_code":"KMS.0207","error_msg":"..."}}`
 *  2. Gateway flat    `{"error_code":"APIGW.0308","error_msg":"...","request_id":"..."}`
 *  3. code/message    `{"error":{"code":"...","message":"..."}}`, and IAM keystone
 *                     `{"error":{"code":401,"message":"...","title":"Unauthorized"}}`
 * like the Python SDK does (search the top level, then nested objects), and tolerates empty,
 * non-JSON and huge bodies. Pure but for the process-wide secret registry, which masks what the
 * server quotes back of the request (see {@link withoutSecrets}).
 */
import { REDACTED, scrubSecretText } from '../audit/secret-registry.ts';
import type { ErrorCode } from '../errors/app-error.ts';
import { IamError, KmsApiError } from '../errors/huawei-errors.ts';
import { classifyHuaweiFailure } from './classify-huawei-failure.ts';
import type { ResponseHeaders } from './http-transport.ts';

/** Longest server message kept on an error (log lines and DLQ attributes stay small). */
export const MAX_KEPT_MESSAGE_CHARS = 300;

/** Bodies above this size are not JSON-parsed (an error body is a few hundred bytes). */
const MAX_PARSED_BODY_CHARS = 1_000_000;

const MAX_BODY_DEPTH = 4;

/** Huawei codes with a specific project code (docs/huawei-kms.md#error-codes). Everything else falls back to the status. */
export const HUAWEI_CODE_MAP: Readonly<Record<string, ErrorCode>> = {
  'APIGW.0308': 'KMS_THROTTLED',
  'APIG.0308': 'KMS_THROTTLED',
  'KMS.0101': 'KMS_UNAVAILABLE',
  'KMS.0102': 'KMS_UNAVAILABLE',
  'KMS.0207': 'KMS_KEY_NOT_FOUND',
  'KMS.0209': 'KMS_KEY_DISABLED',
  'KMS.0210': 'KMS_KEY_PENDING_DELETION',
  'KMS.0211': 'KMS_DEFAULT_KEY',
  'KMS.0301': 'KMS_AUTH',
  'KMS.0302': 'KMS_AUTH',
  'KMS.0303': 'KMS_AUTH',
  'KMS.0305': 'KMS_AUTH',
  'APIGW.0301': 'KMS_AUTH',
  'APIG.0301': 'KMS_AUTH',
  'APIGW.0303': 'KMS_AUTH',
  'APIGW.0307': 'KMS_AUTH',
  'APIG.0307': 'KMS_AUTH',
  'KMS.0306': 'KMS_FORBIDDEN',
  'KMS.0307': 'KMS_FORBIDDEN',
  'APIGW.0302': 'KMS_FORBIDDEN',
  'APIGW.0306': 'KMS_FORBIDDEN',
  'APIGW.0310': 'KMS_FORBIDDEN',
};

/** A failed response, as {@link parseHuaweiError} needs it. */
export interface HuaweiErrorResponse {
  status: number;
  /** The response body as text; undefined or empty when there was none. */
  bodyText: string | undefined;
  headers: ResponseHeaders;
  /** The operation that failed (`createAlias`, `iam.token`...), for logs. */
  operation: string;
  /** Which API answered. Every IAM failure maps to `IAM_AUTH`. Default `kms`. */
  service?: 'kms' | 'iam' | undefined;
}

/** What {@link parseErrorBody} found in an error body. */
export interface ParsedErrorBody {
  huaweiCode?: string;
  /** The server's message, whitespace-collapsed and capped at {@link MAX_KEPT_MESSAGE_CHARS}. */
  huaweiMessage?: string;
  requestId?: string;
  /** Whether the body was JSON (a non-JSON body's text is kept as the message, capped). */
  json: boolean;
}

/**
 * Request headers whose values are credentials, as a server may quote them: the gateway's "verify
 * aksk signature fail" message carries the canonical request it computed, every signed header
 * included, X-Security-Token of temporary AK/SK among them
 * (https://support.huaweicloud.com/intl/en-us/devg-apisign/api-sign-0003.html shows the quote).
 */
const QUOTED_SECRET_HEADER = /\b(x-security-token|x-auth-token|x-subject-token)(\s*[:=]\s*)[^\s|,;"'&]+/gi;

/**
 * A quoted `Authorization` value (the AK, and a signature that can be replayed for 15 minutes,
 * docs/huawei-kms.md#aksk-signing): the signing FAQ shows the gateway logging it whole
 * (https://support.huaweicloud.com/intl/en-us/devg-apisign/api-sign-0001.html).
 */
const QUOTED_AUTHORIZATION =
  /SDK-HMAC-SHA256\s+Access=[^\s,;|]*(?:,\s*SignedHeaders=[^\s,|]*)?(?:,\s*Signature=[0-9a-fA-F]*)?|\bSignature=[0-9a-fA-F]{16,}/g;

/** How much of a body is searched for secrets before a snippet of it is kept. */
const MAX_SCRUBBED_BODY_CHARS = 100_000;

/**
 * Server text with every registered secret masked, and any quoted credential header or
 * `Authorization` value. Done before the text is collapsed or cut: the registry recognises a
 * secret only whole and as it was sent, and a long security token cut at
 * {@link MAX_KEPT_MESSAGE_CHARS} kept its start unmasked. The header rules also cover a quote the
 * server itself cut short.
 */
export function withoutSecrets(text: string): string {
  return scrubSecretText(text).replace(QUOTED_SECRET_HEADER, `$1$2${REDACTED}`).replace(QUOTED_AUTHORIZATION, REDACTED);
}

/** Collapses control characters and whitespace runs (no log injection) and caps the length. */
export function sanitizeServerText(text: string): string {
  const flat = text.replace(/[\u0000-\u001f\u007f\s]+/g, ' ').trim();
  return flat.length > MAX_KEPT_MESSAGE_CHARS ? `${flat.slice(0, MAX_KEPT_MESSAGE_CHARS - 1)}…` : flat;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringField(record: Record<string, unknown>, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const value = record[key];
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
  }
  return undefined;
}

interface Found {
  code?: string;
  message?: string;
  requestId?: string;
}

function findErrorFields(value: unknown, depth: number): Found | undefined {
  if (depth > MAX_BODY_DEPTH) return undefined;
  // docs/huawei-kms.md#alias-api shows SDK models wrapping objects in arrays; look at the first element.
  if (Array.isArray(value)) return findErrorFields(value[0], depth + 1);
  if (!isRecord(value)) return undefined;
  // `code` may be a number (keystone: the HTTP status again); only a string is a Huawei code.
  const code = stringField(value, 'error_code', 'code');
  const message = stringField(value, 'error_msg', 'message', 'title');
  const requestId = stringField(value, 'request_id');
  if (code !== undefined || message !== undefined) {
    return {
      ...(code === undefined ? {} : { code }),
      ...(message === undefined ? {} : { message }),
      ...(requestId === undefined ? {} : { requestId }),
    };
  }
  // Shape 1 and 3 nest under "error"; look there first, then any other object member.
  const keys = Object.keys(value).sort((a, b) => Number(b === 'error') - Number(a === 'error'));
  for (const key of keys) {
    const inner = findErrorFields(value[key], depth + 1);
    if (inner !== undefined) {
      return requestId === undefined || inner.requestId !== undefined ? inner : { ...inner, requestId };
    }
  }
  return requestId === undefined ? undefined : { requestId };
}

/**
 * Extracts code, message and request id from an error body of any docs/huawei-kms.md#error-bodies shape. Never throws.
 */
export function parseErrorBody(bodyText: string | undefined): ParsedErrorBody {
  const text = bodyText?.trim() ?? '';
  if (text === '') return { json: false };
  let parsed: unknown;
  let json = false;
  if (text.length <= MAX_PARSED_BODY_CHARS && (text.startsWith('{') || text.startsWith('['))) {
    try {
      parsed = JSON.parse(text);
      json = true;
    } catch {
      json = false;
    }
  }
  if (!json) {
    const snippet = sanitizeServerText(withoutSecrets(text.slice(0, MAX_SCRUBBED_BODY_CHARS)));
    return snippet === '' ? { json: false } : { huaweiMessage: snippet, json: false };
  }
  const found = findErrorFields(parsed, 0);
  const message = found?.message === undefined ? undefined : sanitizeServerText(withoutSecrets(found.message));
  return {
    json: true,
    ...(found?.code === undefined ? {} : { huaweiCode: withoutSecrets(found.code).slice(0, 64) }),
    ...(message === undefined || message === '' ? {} : { huaweiMessage: message }),
    ...(found?.requestId === undefined ? {} : { requestId: withoutSecrets(found.requestId).slice(0, 128) }),
  };
}

/** Reads a header from a `Headers` object or a plain record, case-insensitively. */
export function headerValue(headers: ResponseHeaders, name: string): string | undefined {
  // http1-transport's lower-case names.
  if (headers instanceof Map) return (headers as ReadonlyMap<string, string>).get(name.toLowerCase());
  // Duck-typed: reading the global `Headers` would load undici just to answer "no".
  if (typeof headers.get === 'function') return (headers as Headers).get(name) ?? undefined;
  const lower = name.toLowerCase();
  // The transports give lower-case names: one lookup, before a walk that lower-cases every name.
  const direct = (headers as Readonly<Record<string, string | undefined>>)[lower];
  if (typeof direct === 'string') return direct;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === lower && value !== undefined) return value;
  }
  return undefined;
}

/** Maps a Huawei code and HTTP status to the project's {@link ErrorCode}. */
export function mapToErrorCode(
  status: number,
  huaweiCode: string | undefined,
  service: 'kms' | 'iam' = 'kms',
): ErrorCode {
  if (service === 'iam') return 'IAM_AUTH';
  const byCode = huaweiCode === undefined ? undefined : HUAWEI_CODE_MAP[huaweiCode];
  if (byCode !== undefined) return byCode;
  if (status === 429) return 'KMS_THROTTLED';
  if (status >= 500) return 'KMS_UNAVAILABLE';
  if (status === 401) return 'KMS_AUTH';
  if (status === 403) return 'KMS_FORBIDDEN';
  return 'KMS_REJECTED';
}

/**
 * Builds the error for a failed response: an {@link IamError} for IAM, else a {@link KmsApiError}.
 * Never throws.
 *
 * - `requestId`: the `X-Request-Id` header, else the body's `request_id` (docs/huawei-kms.md#error-bodies).
 * - `code`: from {@link HUAWEI_CODE_MAP}, else from the status (429 → KMS_THROTTLED,
 *   5xx → KMS_UNAVAILABLE, 401 → KMS_AUTH, 403 → KMS_FORBIDDEN, else KMS_REJECTED); IAM_AUTH
 *   for every IAM failure.
 * - `retry`: from the status and Huawei code (classify-huawei-failure.ts).
 * - `message`: operation, status, code and the server's JSON message; never the raw body.
 */
export function parseHuaweiError(response: HuaweiErrorResponse): KmsApiError | IamError {
  const { status, operation } = response;
  const body = parseErrorBody(response.bodyText);
  const headerId = headerValue(response.headers, 'x-request-id')?.trim();
  const requestId = headerId === undefined || headerId === '' ? body.requestId : headerId.slice(0, 128);
  const service = response.service ?? 'kms';
  const retry = classifyHuaweiFailure(status, body.huaweiCode);
  const codePart = body.huaweiCode === undefined ? '' : ` ${body.huaweiCode}`;
  // Only a message the server put in a JSON field; a non-JSON body stays out of `message`.
  const textPart = body.json && body.huaweiMessage !== undefined ? `: ${body.huaweiMessage}` : '';
  const message = `${operation} failed: HTTP ${status}${codePart}${textPart}`;
  const fields = {
    retry,
    status,
    huaweiCode: body.huaweiCode,
    huaweiMessage: body.huaweiMessage,
    requestId,
    operation,
  };
  if (service === 'iam') return new IamError(message, fields);
  return new KmsApiError(message, { ...fields, code: mapToErrorCode(status, body.huaweiCode, service) });
}
