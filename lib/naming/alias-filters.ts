/**
 * The filters a placeholder can apply (`{key_alias|slug|truncate:40}`), applied left to right.
 * Each is compiled once into a closure over precompiled regexes, so evaluation per message
 * allocates nothing but the resulting strings.
 */
import { ALIAS_CHARSET_DESCRIPTION, ALIAS_MAX_LENGTH, describeIllegalChars, findIllegalChar } from './alias-rules.ts';

/** Every filter name the template syntax knows. */
export const FILTER_NAMES = ['lower', 'upper', 'slug', 'truncate', 'short', 'default'] as const;
export type FilterName = (typeof FILTER_NAMES)[number];

/** A compiled filter. */
export interface AliasFilter {
  readonly name: FilterName;
  /** As written in the template: `truncate:20`. */
  readonly source: string;
  /** Transforms the value; `default` returns its fallback for `""` and the value otherwise. */
  readonly apply: (value: string) => string;
}

/** `short` keeps this many characters: the first group of a key id (docs/huawei-kms.md#key-ids). */
export const SHORT_LENGTH = 8;

const NOT_SLUG_CHARS = /[^a-z0-9_-]+/g;

/**
 * Lower-cases, replaces each run of characters outside `[a-z0-9_-]` with one `-`, and trims
 * `-` from both ends. The output only ever contains `[a-z0-9_-]`, so a slugged value is
 * always legal inside an alias (it contains no `/`, so it cannot create empty segments).
 *
 * @example slugify('Payments DB (prod)') // 'payments-db-prod'
 * @example slugify('ops.bot@acme')       // 'ops-bot-acme'
 * @example slugify('../??')              // ''
 */
export function slugify(value: string): string {
  const replaced = value.toLowerCase().replace(NOT_SLUG_CHARS, '-');
  // Trimmed with index scans: a /^-+|-+$/ regex backtracks quadratically on long '-' runs.
  let start = 0;
  let end = replaced.length;
  while (start < end && replaced.charCodeAt(start) === 0x2d) start++;
  while (end > start && replaced.charCodeAt(end - 1) === 0x2d) end--;
  return replaced.slice(start, end);
}

const TRUNCATE_ARG = /^[1-9][0-9]{0,2}$/;

const lower = (value: string): string => value.toLowerCase();
const upper = (value: string): string => value.toUpperCase();
const short = (value: string): string => value.slice(0, SHORT_LENGTH);

export type CreateFilterResult = { ok: true; filter: AliasFilter } | { ok: false; reason: string };

function isFilterName(name: string): name is FilterName {
  return (FILTER_NAMES as readonly string[]).includes(name);
}

/**
 * Compiles one filter from its name and optional argument (the text after the first `:`).
 * Fails, with a reason naming the filter, for an unknown name, a missing, superfluous or
 * malformed argument, or a `default` value that is not itself legal alias text.
 */
export function createFilter(name: string, arg: string | undefined): CreateFilterResult {
  if (!isFilterName(name)) {
    return { ok: false, reason: `unknown filter "${name}"; filters are ${FILTER_NAMES.join(', ')}` };
  }
  const source = arg === undefined ? name : `${name}:${arg}`;
  switch (name) {
    case 'lower':
    case 'upper':
    case 'slug':
    case 'short': {
      if (arg !== undefined) return { ok: false, reason: `filter "${name}" takes no argument, got "${source}"` };
      const apply = name === 'lower' ? lower : name === 'upper' ? upper : name === 'slug' ? slugify : short;
      return { ok: true, filter: { name, source, apply } };
    }
    case 'truncate': {
      const length = arg !== undefined && TRUNCATE_ARG.test(arg) ? Number(arg) : 0;
      if (length < 1 || length > ALIAS_MAX_LENGTH) {
        return {
          ok: false,
          reason: `filter "truncate" needs a length from 1 to ${ALIAS_MAX_LENGTH} ("truncate:20"), got "${source}"`,
        };
      }
      return { ok: true, filter: { name, source, apply: (value) => value.slice(0, length) } };
    }
    case 'default': {
      if (arg === undefined || arg === '') {
        return { ok: false, reason: 'filter "default" needs a value ("default:none")' };
      }
      if (findIllegalChar(arg) !== -1) {
        return {
          ok: false,
          reason: `filter "default:${arg}" has characters outside ${ALIAS_CHARSET_DESCRIPTION}: ${describeIllegalChars(arg).join(', ')}`,
        };
      }
      return { ok: true, filter: { name, source, apply: (value) => (value === '' ? arg : value) } };
    }
  }
}
