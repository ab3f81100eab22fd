/**
 * Splits `TAG_TEMPLATE` into (tag key, value template) entries. Meaning (placeholders, filters,
 * Huawei's rules) is checked by `compileTagTemplate`.
 *
 * ## Syntax
 *
 * `key=value,key=value,…`, for example
 * `created_by={created_by},owner={enterprise_project_id},alias={alias|truncate:43}`.
 *
 * - Entries are separated by `,`; whitespace around an entry, a key and a value is ignored.
 * - The first `=` of an entry separates the key from the value template.
 * - Keys are literal text. Values are literal text and placeholders, exactly as in
 *   `ALIAS_TEMPLATE` (`{field|filter|filter:arg}`), plus `{alias}`.
 * - A value may be empty (`team=`): Huawei allows empty tag values.
 *
 * ## Why there is no escaping
 *
 * Huawei forbids `=` (and `\`) in tag keys and values, so a second `=` in an entry can only be a
 * mistake, and the first one is always the separator. A comma is allowed in a Huawei tag value
 * but never in a placeholder (filter arguments are alias text), so every comma separates
 * entries: a tag value made by this template cannot contain a literal `,`, `{` or `}`. That is
 * the one thing given up, in exchange for a syntax with no escapes to get wrong in an
 * environment variable.
 */

/** One `key=value` entry as written. */
export interface TagTemplateEntry {
  /** Literal tag key, trimmed. */
  key: string;
  /** Value template, trimmed: literal text and placeholders (empty allowed). */
  valueSource: string;
  /** 1-based position of the entry's first character in the template, for messages. */
  position: number;
}

export type ParseTagTemplateResult = { ok: true; entries: TagTemplateEntry[] } | { ok: false; reason: string };

/** Longer templates are refused outright: ten tags of at most 36 + 43 characters fit easily. */
export const MAX_TAG_TEMPLATE_LENGTH = 4096;

/**
 * Parses a tag template into entries, or returns the first syntax error with its position.
 *
 * @example parseTagTemplate('owner={created_by}, team=sec')
 * // { ok: true, entries: [{ key: 'owner', valueSource: '{created_by}', position: 1 },
 * //                       { key: 'team', valueSource: 'sec', position: 21 }] }
 */
export function parseTagTemplate(source: string): ParseTagTemplateResult {
  if (source.trim().length === 0) return { ok: false, reason: 'the tag template is empty' };
  if (source.length > MAX_TAG_TEMPLATE_LENGTH) {
    return {
      ok: false,
      reason: `the tag template is ${source.length} characters; at most ${MAX_TAG_TEMPLATE_LENGTH} are accepted`,
    };
  }
  const entries: TagTemplateEntry[] = [];
  let start = 0;
  while (start <= source.length) {
    const comma = source.indexOf(',', start);
    const end = comma === -1 ? source.length : comma;
    const parsed = parseEntry(source.slice(start, end), start);
    if (!parsed.ok) return parsed;
    entries.push(parsed.entry);
    if (comma === -1) break;
    start = comma + 1;
  }
  return { ok: true, entries };
}

function parseEntry(
  raw: string,
  offset: number,
): { ok: true; entry: TagTemplateEntry } | { ok: false; reason: string } {
  const leading = raw.length - raw.trimStart().length;
  const text = raw.trim();
  const position = offset + leading + 1;
  if (text.length === 0) {
    return {
      ok: false,
      reason: `empty entry at position ${offset + 1}: entries are "key=value" separated by single commas (no trailing comma)`,
    };
  }
  const equals = text.indexOf('=');
  if (equals === -1) {
    return {
      ok: false,
      reason: `entry ${JSON.stringify(clip(text))} at position ${position} has no "=": write key=value`,
    };
  }
  const key = text.slice(0, equals).trim();
  const valueSource = text.slice(equals + 1).trim();
  if (key.length === 0) {
    return { ok: false, reason: `entry at position ${position} has no tag key before "="` };
  }
  if (/[{}]/.test(key)) {
    return {
      ok: false,
      reason: `tag key ${JSON.stringify(clip(key))} at position ${position} contains a brace: tag keys are literal, placeholders belong in values`,
    };
  }
  const second = valueSource.indexOf('=');
  if (second !== -1) {
    return {
      ok: false,
      reason: `the value of tag ${JSON.stringify(clip(key))} (position ${position}) contains "=", which Huawei forbids in tag values; separate entries with ","`,
    };
  }
  return { ok: true, entry: { key, valueSource, position } };
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
