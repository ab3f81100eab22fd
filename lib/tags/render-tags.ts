/**
 * Fills a compiled tag template from one key's event fields and its alias, and checks every
 * resulting tag against Huawei's rules. Pure and deterministic: no clock, no randomness, no I/O.
 */
import type { KeyCreated } from '../events/key-created.ts';
import type { CompiledTagTemplate, TagValuePart, TagValuePartSource } from './compiled-tag-template.ts';
import { checkTag, describeTagViolations, quoteTagText, type Tag, type TagRuleViolation } from './tag-rules.ts';

export type { Tag, TagRuleViolation } from './tag-rules.ts';

/** One rendered tag with how its value was made, for `explain`, logs and the audit record. */
export interface RenderedTag extends Tag {
  parts: TagValuePart[];
}

/**
 * The outcome of {@link renderTags}: every tag, or every broken rule (all or nothing, like the
 * alias: the tag set is the convention, and a partial set would hide the problem).
 */
export type RenderTagsResult =
  | { ok: true; tags: Tag[]; rendered: RenderedTag[] }
  | { ok: false; code: 'INVALID_TAGS'; reason: string; violations: TagRuleViolation[]; rendered: RenderedTag[] };

/**
 * Renders the template's tags for one key.
 *
 * - `{field}` placeholders read the event exactly as the alias template does; `{alias}` is the
 *   alias chosen for this key (pass `""` when none was chosen: a template using `{alias}` then
 *   fails with MISSING_FIELD).
 * - A placeholder that ends up empty (field absent, or emptied by its filters, and no
 *   `|default:`) is a `MISSING_FIELD` violation of that tag. A value that is empty because the
 *   template wrote it empty (`team=`) is fine: Huawei allows empty values.
 * - Every tag is then checked with `checkTag` (length, characters, reserved prefix).
 *
 * @example
 * renderTags(compiled, event, 'alias/prod/payments-db')
 * // { ok: true, tags: [{ key: 'created_by', value: 'ops-admin' }, { key: 'alias', value: 'alias/prod/payments-db' }], … }
 */
export function renderTags(template: CompiledTagTemplate, event: KeyCreated, alias: string): RenderTagsResult {
  const rendered: RenderedTag[] = [];
  const violations: TagRuleViolation[] = [];
  for (const tag of template.tags) {
    const parts: TagValuePart[] = [];
    let value = '';
    for (const segment of tag.segments) {
      if (segment.kind === 'literal') {
        value += segment.text;
        continue;
      }
      if (segment.kind === 'constant') {
        parts.push({ ...segment.part, filters: segment.part.filters.slice() });
        value += segment.part.value;
        continue;
      }
      const raw = (segment.kind === 'alias' ? alias : segment.read(event)) ?? '';
      let filtered = raw;
      let source: TagValuePartSource = segment.kind === 'alias' ? 'alias' : 'event';
      for (const filter of segment.filters) {
        if (filter.name === 'default' && filtered === '') source = 'default';
        filtered = filter.apply(filtered);
      }
      const field = segment.kind === 'alias' ? 'alias' : segment.field;
      parts.push({
        placeholder: segment.placeholder,
        source,
        field,
        raw,
        value: filtered,
        filters: segment.filterSources.slice(),
      });
      if (filtered === '') {
        violations.push({
          tag: tag.key,
          rule: 'MISSING_FIELD',
          reason:
            raw === ''
              ? `tag ${quoteTagText(tag.key)}: ${segment.placeholder} has no value (${field === 'alias' ? 'no alias was chosen for this key' : `the event has no ${field}`}); add |default:VALUE?`
              : `tag ${quoteTagText(tag.key)}: ${segment.placeholder} is empty after ${segment.filterSources.join('|')} (${field} was ${quoteTagText(raw)})`,
        });
      }
      value += filtered;
    }
    const result: RenderedTag = { key: tag.key, value, parts };
    rendered.push(result);
    violations.push(...checkTag(result));
  }
  if (violations.length > 0) {
    return { ok: false, code: 'INVALID_TAGS', reason: describeTagViolations(violations), violations, rendered };
  }
  return { ok: true, tags: rendered.map(({ key, value }) => ({ key, value })), rendered };
}

/** `created_by=ops-admin, alias=alias/prod/x`: a one-line summary for logs and `explain`. */
export function formatTags(tags: readonly Tag[]): string {
  return tags.map((tag) => `${tag.key}=${tag.value}`).join(', ');
}
