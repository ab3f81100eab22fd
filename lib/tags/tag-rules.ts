/**
 * Huawei's rules for KMS key tags, checked on the final key and value, whatever template and
 * event produced them. Sources (see docs/huawei-kms.md#key-tags):
 * - Batch Adding or Deleting Key Tags, TagItem table:
 *   https://support.huaweicloud.com/intl/en-us/api-dew/BatchCreateKmsTags.html
 *   key: 1 to 36 Unicode characters; value: 0 to 43; neither may hold ASCII 0-31, `*`, `<`,
 *   `>`, `\` or `=`.
 * - Querying Key Tags (https://support.huaweicloud.com/intl/en-us/api-dew/ShowKmsTags.html) and
 *   the older API reference: "A CMK can have a maximum of 10 keys", each unique.
 * - `_sys_` keys are Huawei's system tags, which tenants may not set (Huawei's common tag rules;
 *   not stated on the KMS pages, so checked here to be safe, unverified for KMS).
 *
 * Every check returns violations as data; nothing throws.
 */
import { describeChar } from '../naming/alias-rules.ts';

/** Longest tag key, in Unicode characters (code points). */
export const TAG_KEY_MAX_LENGTH = 36;
/** Longest tag value, in Unicode characters (code points); a value may be empty. */
export const TAG_VALUE_MAX_LENGTH = 43;
/**
 * Most tags one key may carry. The KMS API pages say 10; some Huawei services have since moved
 * to 20, and whether KMS did is unverified, so the lower, documented figure is enforced.
 */
export const MAX_TAGS_PER_KEY = 10;
/** Keys starting with this are Huawei system tags (e.g. `_sys_enterprise_project_id`). */
export const RESERVED_TAG_KEY_PREFIX = '_sys_';
/** For messages: the characters Huawei forbids in keys and values. */
export const FORBIDDEN_TAG_CHARS_DESCRIPTION = 'control characters (U+0000 to U+001F), "*", "<", ">", "\\" and "="';

/** Machine-readable name of the rule a tag breaks. */
export type TagRule =
  | 'KEY_EMPTY'
  | 'KEY_TOO_LONG'
  | 'VALUE_TOO_LONG'
  | 'FORBIDDEN_CHARACTER'
  | 'RESERVED_PREFIX'
  | 'DUPLICATE_KEY'
  | 'TOO_MANY_TAGS'
  | 'MISSING_FIELD';

/** One broken rule: which tag (by key), which rule, and a human reason naming both. */
export interface TagRuleViolation {
  /** The tag key as configured (clipped for display when hostile). */
  tag: string;
  rule: TagRule;
  reason: string;
}

/** A tag as Huawei's API takes and returns it. */
export interface Tag {
  key: string;
  value: string;
}

const QUOTE_LIMIT = 48;
const MAX_LISTED_CHARS = 5;

/** `"owner"`, clipped: keys and values can come from events and be long or hostile. */
export function quoteTagText(text: string): string {
  return JSON.stringify(text.length > QUOTE_LIMIT ? `${text.slice(0, QUOTE_LIMIT)}…` : text);
}

/** Length in Unicode characters (code points), as Huawei counts: an emoji is one, not two. */
export function countCharacters(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // A high surrogate followed by a low one is one code point.
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

/** True for a UTF-16 code unit Huawei forbids in tag keys and values. */
export function isForbiddenTagCharCode(code: number): boolean {
  return (
    code < 0x20 || // ASCII 0-31
    code === 0x2a || // *
    code === 0x3c || // <
    code === 0x3e || // >
    code === 0x5c || // \
    code === 0x3d // =
  );
}

/** Up to five distinct forbidden characters of `text`, described (never echoed raw). */
export function describeForbiddenChars(text: string): string[] {
  const found: string[] = [];
  for (let i = 0; i < text.length; i++) {
    if (!isForbiddenTagCharCode(text.charCodeAt(i))) continue;
    const described = describeChar(text.charAt(i));
    if (!found.includes(described)) found.push(described);
    if (found.length === MAX_LISTED_CHARS) break;
  }
  return found;
}

function hasForbiddenChar(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (isForbiddenTagCharCode(text.charCodeAt(i))) return true;
  }
  return false;
}

/**
 * Checks a tag key against Huawei's key rules: not empty, at most 36 characters, no forbidden
 * character, no `_sys_` prefix (compared without regard to case, to be safe).
 *
 * @example checkTagKey('owner')       // []
 * @example checkTagKey('_sys_owner')  // [{ tag: '_sys_owner', rule: 'RESERVED_PREFIX', reason: … }]
 */
export function checkTagKey(key: string): TagRuleViolation[] {
  const tag = key;
  const name = `tag key ${quoteTagText(key)}`;
  if (key.length === 0) return [{ tag, rule: 'KEY_EMPTY', reason: 'a tag key must not be empty' }];
  const violations: TagRuleViolation[] = [];
  const length = countCharacters(key);
  if (length > TAG_KEY_MAX_LENGTH) {
    violations.push({
      tag,
      rule: 'KEY_TOO_LONG',
      reason: `${name} is ${length} characters; Huawei allows at most ${TAG_KEY_MAX_LENGTH}`,
    });
  }
  if (hasForbiddenChar(key)) {
    violations.push({
      tag,
      rule: 'FORBIDDEN_CHARACTER',
      reason: `${name} contains ${describeForbiddenChars(key).join(', ')}; Huawei forbids ${FORBIDDEN_TAG_CHARS_DESCRIPTION}`,
    });
  }
  if (key.slice(0, RESERVED_TAG_KEY_PREFIX.length).toLowerCase() === RESERVED_TAG_KEY_PREFIX) {
    violations.push({
      tag,
      rule: 'RESERVED_PREFIX',
      reason: `${name} starts with "${RESERVED_TAG_KEY_PREFIX}", which Huawei reserves for system tags`,
    });
  }
  return violations;
}

/**
 * Checks a tag value (of the tag `key`) against Huawei's value rules: at most 43 characters and
 * no forbidden character. An empty value is allowed by the API.
 */
export function checkTagValue(key: string, value: string): TagRuleViolation[] {
  const violations: TagRuleViolation[] = [];
  const name = `the value of tag ${quoteTagText(key)}`;
  const length = countCharacters(value);
  if (length > TAG_VALUE_MAX_LENGTH) {
    violations.push({
      tag: key,
      rule: 'VALUE_TOO_LONG',
      reason: `${name} (${quoteTagText(value)}) is ${length} characters; Huawei allows at most ${TAG_VALUE_MAX_LENGTH} (add |truncate:${TAG_VALUE_MAX_LENGTH}?)`,
    });
  }
  if (hasForbiddenChar(value)) {
    violations.push({
      tag: key,
      rule: 'FORBIDDEN_CHARACTER',
      reason: `${name} contains ${describeForbiddenChars(value).join(', ')}; Huawei forbids ${FORBIDDEN_TAG_CHARS_DESCRIPTION} (add |slug?)`,
    });
  }
  return violations;
}

/**
 * Checks a set of tag keys: no key twice, not even in another case (whether Huawei compares
 * keys with or without case is unverified, so both spellings are refused), and at most
 * `maxTags` keys.
 */
export function checkTagKeySet(keys: readonly string[], maxTags: number = MAX_TAGS_PER_KEY): TagRuleViolation[] {
  const violations: TagRuleViolation[] = [];
  const seen = new Map<string, string>();
  for (const key of keys) {
    const folded = key.toLowerCase();
    const earlier = seen.get(folded);
    if (earlier === undefined) {
      seen.set(folded, key);
      continue;
    }
    violations.push({
      tag: key,
      rule: 'DUPLICATE_KEY',
      reason:
        earlier === key
          ? `tag key ${quoteTagText(key)} appears more than once`
          : `tag keys ${quoteTagText(earlier)} and ${quoteTagText(key)} differ only in case; Huawei may treat them as one key`,
    });
  }
  if (keys.length > maxTags) {
    violations.push({
      tag: keys[maxTags] ?? '',
      rule: 'TOO_MANY_TAGS',
      reason: `${keys.length} tags are configured; a KMS key may carry at most ${maxTags}`,
    });
  }
  return violations;
}

/**
 * Tag keys the Tag Management Service console accepts: letters, digits, `_` and `-`. Huawei's
 * API allows more (see {@link checkTagKey}); a key outside this set works through the API but
 * may be awkward to filter on in the console, so the compiler warns instead of failing.
 */
const CONSOLE_FRIENDLY_KEY = /^[\p{L}\p{N}_-]+$/u;

/** A cold-start warning for a key that the API accepts but the TMS console may not, or undefined. */
export function adviseTagKey(key: string): string | undefined {
  if (CONSOLE_FRIENDLY_KEY.test(key)) return undefined;
  return `tag key ${quoteTagText(key)} has characters other than letters, digits, "_" and "-"; the KMS API accepts it, but the Tag Management Service console documents only those`;
}

/** All violations of one rendered tag (key and value). */
export function checkTag(tag: Tag): TagRuleViolation[] {
  return [...checkTagKey(tag.key), ...checkTagValue(tag.key, tag.value)];
}

/** Joins violations into one reason for logs, the DLQ and the audit record (up to five). */
export function describeTagViolations(violations: readonly TagRuleViolation[]): string {
  const listed = violations.slice(0, 5).map((v) => `${v.rule}: ${v.reason}`);
  const more = violations.length > listed.length ? `; and ${violations.length - listed.length} more` : '';
  return `${listed.join('; ')}${more}`;
}
