import {
  type EmbeddedObjectResult,
  type JsonObject,
  decodeEmbeddedObject,
  hasOwn,
  isJsonObject,
} from './json-object.ts';
import { quoteInput } from './quote-input.ts';

const ERROR_CODE_FIELDS = ['error_code', 'code'] as const;

/**
 * CTS rates every trace `normal` (the operation succeeded), `warning` (it failed) or `incident`
 * (it failed with worse consequences): `trace_rating` in the trace structure, `trace_status` in
 * the FunctionGraph trigger (https://support.huaweicloud.com/intl/en-us/usermanual-cts/cts_03_0010.html,
 * docs/huawei-kms.md#key-events).
 */
const RATING_FIELDS = ['trace_rating', 'trace_status'] as const;
const FAILED_RATINGS: ReadonlySet<string> = new Set(['warning', 'incident']);

/**
 * How a key trace's call failed (`with HTTP 403`, `(response.error_code "KMS.0308" despite HTTP 200)`),
 * or `undefined` when it succeeded: such a call changed nothing. Only a
 * 2xx created (or scheduled, or cancelled) anything: CTS's `code` is the HTTP status of the call
 * (https://support.huaweicloud.com/intl/en-us/usermanual-cts/cts_03_0010.html), and the
 * notification filter the wiring installs is `code = 200` (docs/huawei-kms.md#cts-notifications).
 * A 1xx or 3xx is no success either. A failed rating or an error body is believed over a 2xx `code`: KMS nests
 * `{"error": {"error_code"}}`, API Gateway answers flat `{"error_code"}`
 * (docs/huawei-kms.md#error-bodies), and a trace that says both is garbled; acting on it could
 * alias a key id that a relay or a forger put in `resource_id`.
 *
 * @param path where the trace sits in the body (`cts.`), for the detail.
 */
export function describeCallFailure(
  trace: JsonObject,
  status: number,
  path: string,
  /** `response` decoded already, by a caller that reads it afterwards too (it is parsed once). */
  decodedResponse?: EmbeddedObjectResult,
): string | undefined {
  if (status < 200 || status > 299) return `with HTTP ${status}`;
  for (const field of RATING_FIELDS) {
    const rating = trace[field];
    if (typeof rating === 'string' && FAILED_RATINGS.has(rating.toLowerCase())) {
      return `(${path}${field} ${quoteInput(rating)} despite HTTP ${status})`;
    }
  }
  const traceCode = errorCodeOf(trace, ['error_code']);
  if (traceCode !== undefined) return `(${path}error_code ${quoteInput(traceCode)} despite HTTP ${status})`;
  const response = decodedResponse ?? decodeEmbeddedObject(trace['response'], `${path}response`);
  // An undecodable response is reported by the parser that reads it.
  if (!response.ok || response.value === undefined) return undefined;
  const flat = errorCodeOf(response.value, ['error_code']);
  if (flat !== undefined) return `(${path}response.error_code ${quoteInput(flat)} despite HTTP ${status})`;
  const nested = response.value['error'];
  if (isJsonObject(nested)) {
    const code = errorCodeOf(nested, ERROR_CODE_FIELDS);
    const field = hasOwn(nested, 'error_code') ? 'error_code' : 'code';
    return `(${path}response.error.${field} ${code === undefined ? 'is set' : quoteInput(code)} despite HTTP ${status})`;
  }
  return undefined;
}

/** A non-empty error code (string or number) under one of `fields`. */
function errorCodeOf(object: JsonObject, fields: readonly string[]): string | number | undefined {
  for (const field of fields) {
    if (!hasOwn(object, field)) continue;
    const value = object[field];
    if ((typeof value === 'string' && value !== '') || typeof value === 'number') return value;
  }
  return undefined;
}
