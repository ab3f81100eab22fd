/**
 * The rules every alias this function sends must satisfy (docs/huawei-kms.md#alias-rules). They are checked on
 * the final string, whatever template and event produced it, so no field value can smuggle an
 * illegal alias through.
 */

/**
 * Always send `alias/<name>`: the docs' examples use bare names, but Terraform and Cloud
 * Custodian (both tested against the live API) create `alias/…`; whether a bare name is
 * accepted is unverified (docs/huawei-kms.md#alias-rules, "The alias/ prefix").
 */
export const ALIAS_PREFIX = 'alias/';

/**
 * No limit is documented for alias resources; CreateKey's `key_alias` allows 1–255, and the
 * same is assumed for aliases (docs/huawei-kms.md#alias-rules, unverified).
 */
export const ALIAS_MAX_LENGTH = 255;

/** Service default keys end in `/default`; such names are reserved (docs/huawei-kms.md#alias-rules). */
export const RESERVED_ALIAS_SUFFIX = '/default';

/** The console's alias character set (docs/huawei-kms.md#alias-rules): letters, digits, `_`, `-`, `:`, `/`. */
export const ALIAS_CHARSET_DESCRIPTION = '[a-zA-Z0-9:/_-]';

const MAX_LISTED_CHARS = 5;

/** True when the UTF-16 code unit is in `[a-zA-Z0-9:/_-]`. A loop, not a regex, to stay linear. */
export function isAliasCharCode(code: number): boolean {
  return (
    (code >= 0x61 && code <= 0x7a) || // a-z
    (code >= 0x41 && code <= 0x5a) || // A-Z
    (code >= 0x30 && code <= 0x3a) || // 0-9 and ':'
    code === 0x2f || // '/'
    code === 0x5f || // '_'
    code === 0x2d // '-'
  );
}

/** Index of the first character outside the alias charset, or -1. */
export function findIllegalChar(text: string): number {
  for (let i = 0; i < text.length; i++) {
    if (!isAliasCharCode(text.charCodeAt(i))) return i;
  }
  return -1;
}

/** `"?"` for visible ASCII, `" " (space)`, `U+00E9` for everything else (so nothing invisible is echoed). */
export function describeChar(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  if (code === 0x20) return '" " (space)';
  if (code > 0x20 && code < 0x7f) return JSON.stringify(char);
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Up to five distinct characters of `text` outside the alias charset, described. */
export function describeIllegalChars(text: string): string[] {
  const found: string[] = [];
  for (let i = findIllegalChar(text); i !== -1 && i < text.length; i++) {
    if (isAliasCharCode(text.charCodeAt(i))) continue;
    const code = text.codePointAt(i) ?? 0;
    const char = String.fromCodePoint(code);
    if (code > 0xffff) i++;
    const described = describeChar(char);
    if (!found.includes(described)) found.push(described);
    if (found.length === MAX_LISTED_CHARS) break;
  }
  return found;
}

/**
 * Checks an alias against every rule and returns the violations (empty when it is valid):
 * the `alias/` prefix, the charset `[a-zA-Z0-9:/_-]`, at most 255 characters, no empty path
 * segment (`alias//x`), no trailing `/`, and no `/default` ending.
 *
 * @example checkAlias('alias/prod/payments-db') // []
 * @example checkAlias('alias/a b/')             // ['contains characters outside [a-zA-Z0-9:/_-]: " " (space)', 'must not end with "/"']
 */
export function checkAlias(alias: string): string[] {
  const violations: string[] = [];
  if (!alias.startsWith(ALIAS_PREFIX)) {
    violations.push(`must start with "${ALIAS_PREFIX}" (the prefixed form is the one known to work)`);
  }
  if (findIllegalChar(alias) !== -1) {
    violations.push(
      `contains characters outside ${ALIAS_CHARSET_DESCRIPTION}: ${describeIllegalChars(alias).join(', ')}`,
    );
  }
  if (alias.length > ALIAS_MAX_LENGTH) {
    violations.push(`is ${alias.length} characters long; at most ${ALIAS_MAX_LENGTH} are allowed`);
  }
  if (alias.includes('//')) violations.push('contains an empty path segment ("//")');
  if (alias.endsWith('/')) violations.push('must not end with "/"');
  if (alias.slice(-RESERVED_ALIAS_SUFFIX.length).toLowerCase() === RESERVED_ALIAS_SUFFIX) {
    violations.push(`must not end with "${RESERVED_ALIAS_SUFFIX}" (reserved for service default keys)`);
  }
  return violations;
}
