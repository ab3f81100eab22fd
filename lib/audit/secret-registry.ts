/**
 * The one place that knows every secret value of this process (AK, SK, security token, IAM
 * password, issued IAM tokens, ingest tokens), and removes them from anything about to leave it:
 * log lines, DLQ records, error messages.
 *
 * Why values and not the serialised line: a secret holding `"`, `\` or a newline is written
 * escaped by JSON.stringify (`a"b` becomes `a\"b`), so a search of the line for the raw value
 * misses it. Scrubbing the values before serialising sees the secret as it is; the escaped and
 * URL-encoded forms are replaced too, for text that already carries an encoded copy (a quoted
 * response body, a URL).
 *
 * Register a value the moment it is known (`registerSecret(sk)` where it is read), so that every
 * logger and DLQ publisher created before or after masks it.
 */

export const REDACTED = '[REDACTED]';

/**
 * Shorter values are not registered: they would mask innocent text (a 4-character password
 * would blank every word holding it). Huawei's shortest secret is an AK (20 characters); IAM
 * passwords are at least 6 characters under any password policy
 * (https://support.huaweicloud.com/intl/en-us/usermanual-iam/iam_01_0013.html).
 */
export const MIN_SECRET_LENGTH = 6;

/** Deeper structures are cut (a log field is never that deep; a cycle is shown as such). */
const MAX_DEPTH = 12;

export interface SecretRegistry {
  /** Adds a value to mask everywhere from now on. Empty and too short values are ignored. */
  register(value: string | undefined): void;
  /** Forgets a value (e.g. an expired IAM token); rarely needed: masking an old secret is harmless. */
  unregister(value: string): void;
  /** How many values are registered (for tests and diagnostics; never the values). */
  readonly size: number;
  /** `text` with every registered secret (raw, JSON-escaped or URL-encoded) replaced by `[REDACTED]`. */
  scrubText(text: string): string;
  /**
   * False only when no registered secret can be in `json`, text that JSON.stringify wrote: none of
   * their forms occurs in it, as written or as JSON escapes it again (a value that held an escaped
   * form). Lets a caller serialise first and scrub only when needed (create-logger.ts); always
   * true while a secret holds a UTF-16 surrogate, whose escaping depends on its neighbours.
   */
  mayOccurIn(json: string): boolean;
  /**
   * A copy of `value` with every string scrubbed, deep over plain objects, arrays, Maps, Sets and
   * errors (message, stack, cause and own properties; the copy keeps the error's prototype, so
   * `instanceof` still holds). Keys are scrubbed too. Primitives other than strings pass as is.
   */
  scrub<T>(value: T): T;
  /** An Error safe to throw or log: `err` scrubbed; a non-Error becomes an Error of its scrubbed text. */
  scrubError(err: unknown): Error;
}

/** A registry of its own (tests, or code that must not share the process-wide one). */
export function createSecretRegistry(): SecretRegistry {
  /** Each secret → the forms it may take in text, longest first. */
  const forms = new Map<string, string[]>();
  /** All forms of all secrets, longest first, so a secret containing another is masked whole. */
  let needles: string[] = [];
  /** The needles and their JSON-escaped forms, for {@link SecretRegistry.mayOccurIn}; undefined: always true. */
  let jsonNeedles: string[] | undefined = [];

  const rebuild = () => {
    needles = [...new Set([...forms.values()].flat())].sort((a, b) => b.length - a.length);
    jsonNeedles = needles.some((n) => /[\uD800-\uDFFF]/.test(n))
      ? undefined
      : [...new Set(needles.flatMap((n) => [n, JSON.stringify(n).slice(1, -1)]))];
  };

  const mayOccurIn = (json: string): boolean => {
    if (jsonNeedles === undefined) return true;
    for (const needle of jsonNeedles) if (json.includes(needle)) return true;
    return false;
  };

  const scrubText = (text: string): string => {
    let out = text;
    for (const needle of needles) {
      if (out.includes(needle)) out = out.replaceAll(needle, REDACTED);
    }
    return out;
  };

  const scrubDeep = (value: unknown, depth: number, seen: WeakSet<object>): unknown => {
    if (typeof value === 'string') return scrubText(value);
    if (typeof value !== 'object' || value === null) return value;
    if (seen.has(value)) return '[Circular]';
    if (depth > MAX_DEPTH) return '[Truncated]';
    seen.add(value);
    try {
      const next = (v: unknown) => scrubDeep(v, depth + 1, seen);
      if (Array.isArray(value)) return value.map(next);
      if (value instanceof Map) return new Map([...value].map(([k, v]) => [next(k), next(v)]));
      if (value instanceof Set) return new Set([...value].map(next));
      if (value instanceof Date || ArrayBuffer.isView(value)) return value;
      // A DOMException (an abort or timeout reason) keeps its fields in internal slots, so a copy
      // would throw on `.name`; its text is the platform's, never a secret of ours.
      if (typeof DOMException !== 'undefined' && value instanceof DOMException) return value;
      if (value instanceof Error) return copyError(value, next);
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[scrubText(k)] = next(v);
      return out;
    } finally {
      seen.delete(value);
    }
  };

  const copyError = (err: Error, next: (v: unknown) => unknown): Error => {
    const copy = Object.create(Object.getPrototypeOf(err) as object) as Error;
    for (const key of Object.getOwnPropertyNames(err)) {
      const descriptor = Object.getOwnPropertyDescriptor(err, key);
      // Read through accessors too (V8 may define `stack` as one); the copy holds plain data.
      const value: unknown = (err as unknown as Record<string, unknown>)[key];
      Object.defineProperty(copy, key, {
        value: next(value),
        enumerable: descriptor?.enumerable ?? false,
        writable: true,
        configurable: true,
      });
    }
    return copy;
  };

  return {
    register(value) {
      if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH || forms.has(value)) return;
      const variants = new Set([value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)]);
      forms.set(
        value,
        [...variants].filter((v) => v.length >= MIN_SECRET_LENGTH),
      );
      rebuild();
    },
    unregister(value) {
      if (forms.delete(value)) rebuild();
    },
    get size() {
      return forms.size;
    },
    scrubText,
    mayOccurIn,
    scrub: <T>(value: T): T => scrubDeep(value, 0, new WeakSet()) as T,
    scrubError(err) {
      if (err instanceof Error) return scrubDeep(err, 0, new WeakSet()) as Error;
      return new Error(scrubText(typeof err === 'string' ? err : String(err)));
    },
  };
}

/**
 * The process-wide registry: what the credential providers register into and what every logger
 * and the DLQ publisher scrub with by default. One per process is right for Lambda (one
 * configuration per instance); a secret registered by one test only makes others mask more.
 */
export const secretRegistry: SecretRegistry = createSecretRegistry();

/** Registers a secret in the process-wide registry. */
export function registerSecret(value: string | undefined): void {
  secretRegistry.register(value);
}

/** Scrubs a value with the process-wide registry (see {@link SecretRegistry.scrub}). */
export function scrubSecrets<T>(value: T): T {
  return secretRegistry.scrub(value);
}

/** Scrubs text with the process-wide registry (see {@link SecretRegistry.scrubText}). */
export function scrubSecretText(text: string): string {
  return secretRegistry.scrubText(text);
}
