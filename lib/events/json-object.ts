import { describeType } from './quote-input.ts';

/** A parsed JSON object. Read it with {@link hasOwn}; never spread it into a result. */
export type JsonObject = Record<string, unknown>;

/** True for a non-null, non-array object. */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Own-property test, so inherited names (`constructor`, `toString`) never count as fields. */
export function hasOwn(object: JsonObject, key: string): boolean {
  return Object.hasOwn(object, key);
}

/** `JSON.parse` as a result. The engine's message is dropped: it quotes the input. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** Outcome of `decodeEmbeddedObject`; `value` is `undefined` when there is no body. */
export type EmbeddedObjectResult =
  | { ok: true; value: JsonObject | undefined }
  | { ok: false; reason: 'not_json' | 'invalid_field'; detail: string };

/**
 * Decodes a field that holds a JSON object either directly or as a JSON string: CTS stores
 * `request`/`response` as strings while the FunctionGraph trigger shows objects (docs/huawei-kms.md#key-events),
 * so both are accepted. `null`, `undefined` and `""` mean "no body".
 *
 * @param label the field's path, for the failure detail (`cts.request`).
 */
export function decodeEmbeddedObject(value: unknown, label: string): EmbeddedObjectResult {
  if (value === undefined || value === null || value === '') return { ok: true, value: undefined };
  let decoded: unknown = value;
  if (typeof value === 'string') {
    const parsed = parseJson(value);
    if (!parsed.ok) {
      return { ok: false, reason: 'not_json', detail: `${label} is a string but not valid JSON` };
    }
    decoded = parsed.value;
  }
  if (!isJsonObject(decoded)) {
    return {
      ok: false,
      reason: 'invalid_field',
      detail: `${label} must be a JSON object (or a string holding one), got ${describeType(decoded)}`,
    };
  }
  return { ok: true, value: decoded };
}
