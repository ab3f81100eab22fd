/**
 * Readers for environment variables: each takes the variable's value (already trimmed, `undefined`
 * when unset or empty) and returns the typed value or a message naming what is wrong, never the
 * value itself (it may be a secret). Plain functions rather than zod schemas: the configuration
 * is read once per cold start, where building a zod object schema of forty fields cost more than
 * the whole rest of the parse (docs/performance.md, cold start).
 */

export type FieldResult<T> = { ok: true; value: T } | { ok: false; message: string };
export type FieldReader<T> = (value: string | undefined) => FieldResult<T>;

const ok = <T>(value: T): FieldResult<T> => ({ ok: true, value });
const fail = (message: string): FieldResult<never> => ({ ok: false, message });

/** Any text, or `undefined` when unset. */
export const optionalText: FieldReader<string | undefined> = (value) => ok(value);

/** Text, or `fallback` when unset. */
export function textOr(fallback: string): FieldReader<string> {
  return (value) => ok(value ?? fallback);
}

/** Text matching `pattern`, or `undefined` when unset. */
export function optionalMatching(pattern: RegExp, message: string): FieldReader<string | undefined> {
  return (value) => (value === undefined || pattern.test(value) ? ok(value) : fail(message));
}

/** Text matching `pattern`, or `fallback` when unset. */
export function matchingOr(pattern: RegExp, message: string, fallback: string): FieldReader<string> {
  return (value) => (value === undefined ? ok(fallback) : pattern.test(value) ? ok(value) : fail(message));
}

/** A decimal integer within `[min, max]`, or `fallback` when unset. */
export function integerOr(min: number, max: number, fallback: number): FieldReader<number> {
  return (value) => {
    if (value === undefined) return ok(fallback);
    const n = Number(value);
    return Number.isInteger(n) && n >= min && n <= max ? ok(n) : fail(`must be a whole number from ${min} to ${max}`);
  };
}

// The spellings zod's z.stringbool() accepts, case-insensitively.
const TRUE_WORDS = new Set(['true', '1', 'yes', 'on', 'y', 'enabled']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off', 'n', 'disabled']);

/** A flag: true/false, 1/0, yes/no, on/off, y/n, enabled/disabled (any case), or `fallback`. */
export function flagOr(fallback: boolean): FieldReader<boolean> {
  return (value) => {
    if (value === undefined) return ok(fallback);
    const word = value.toLowerCase();
    if (TRUE_WORDS.has(word)) return ok(true);
    if (FALSE_WORDS.has(word)) return ok(false);
    return fail('must be true or false (or 1/0, yes/no, on/off)');
  };
}

/** One of `choices`, compared in lower case, or `fallback` when unset. */
export function choiceOr<T extends string>(choices: readonly T[], fallback: T): FieldReader<T> {
  return (value) => {
    if (value === undefined) return ok(fallback);
    const lower = value.toLowerCase();
    const choice = choices.find((c) => c === lower);
    return choice === undefined ? fail(`must be one of ${choices.join(', ')}`) : ok(choice);
  };
}

/**
 * An absolute `http://` or `https://` URL that also passes `isAllowed`, or `undefined` when unset.
 * Tabs and line breaks inside are dropped, as the URL parser itself does.
 */
export function optionalHttpUrl(
  message: string,
  isAllowed: (url: string) => boolean,
  disallowedMessage: string,
): FieldReader<string | undefined> {
  return (value) => {
    if (value === undefined) return ok(undefined);
    const url = value.replace(/[\t\n\r]/g, '');
    if (!/^https?:\/\//i.test(url) || URL.parse(url) === null) return fail(message);
    return isAllowed(url) ? ok(url) : fail(disallowedMessage);
  };
}

/** The same reader, but the variable is required. */
export function required<T>(reader: FieldReader<T | undefined>): FieldReader<T> {
  return (value) => {
    if (value === undefined) return fail('required');
    return reader(value) as FieldResult<T>;
  };
}

export type EnvSpec = Record<string, FieldReader<unknown>>;
export type EnvValues<S extends EnvSpec> = { [K in keyof S]: S[K] extends FieldReader<infer T> ? T : never };

/**
 * Reads every variable of `spec` from `env`.
 * @returns the values, or one `NAME: message` per variable at fault, in `spec` order.
 */
export function readEnvFields<S extends EnvSpec>(
  env: Readonly<Record<string, string>>,
  spec: S,
): { ok: true; values: EnvValues<S> } | { ok: false; issues: string[] } {
  const values: Record<string, unknown> = {};
  const issues: string[] = [];
  for (const name of Object.keys(spec)) {
    const read = spec[name];
    if (read === undefined) continue;
    const result = read(Object.hasOwn(env, name) ? env[name] : undefined);
    if (result.ok) values[name] = result.value;
    else issues.push(`${name}: ${result.message}`);
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, values: values as EnvValues<S> };
}
