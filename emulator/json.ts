// Small helpers to read untyped JSON bodies without `any`.

export type JsonObject = Readonly<Record<string, unknown>>;

export function asObject(value: unknown): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The body parsed as a JSON object; undefined when it is not valid JSON or not an object. */
export function parseJsonObject(body: Uint8Array): JsonObject | undefined {
  try {
    return asObject(JSON.parse(Buffer.from(body).toString('utf8')));
  } catch {
    return undefined;
  }
}
