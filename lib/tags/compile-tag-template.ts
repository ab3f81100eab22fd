/**
 * The tag template compiler (`TAG_TEMPLATE`). It runs once, at cold start, and refuses every
 * template that cannot produce valid tags, so a bad template fails the deployment's first
 * invocation instead of every message.
 *
 * Syntax: see `parseTagTemplate`. Values use the alias template's placeholders and filters
 * (the parser, event fields and filters of lib/naming are reused, not copied), plus `{alias}`:
 * the alias chosen for this key. Checked here, before any event:
 * - every key against Huawei's key rules (1-36 characters, no `*<>\=` or control characters,
 *   no `_sys_` prefix), no key twice (in any case), at most 10 tags;
 * - every value's fixed text (literals and constants) against the value rules, and its fixed
 *   part plus one character per placeholder against the 43-character limit;
 * - unknown placeholders and filters, constants shadowing event fields or `alias`;
 * - a trial render with a fully populated sample event and a sample alias.
 * Per event, `renderTags` checks the filled values again.
 */
import {
  EVENT_FIELD_NAMES,
  EVENT_FIELD_READERS,
  type EventFieldName,
  FREE_TEXT_FIELDS,
  isEventFieldName,
  SAMPLE_KEY_CREATED,
} from '../naming/alias-fields.ts';
import { checkConstant, compileFilters, resolveConstant } from '../naming/compile-alias-template.ts';
import { parseAliasTemplate } from '../naming/parse-alias-template.ts';
import type { CompiledTag, CompiledTagTemplate, TagValueSegment } from './compiled-tag-template.ts';
import { parseTagTemplate } from './parse-tag-template.ts';
import { renderTags } from './render-tags.ts';
import {
  adviseTagKey,
  checkTagKey,
  checkTagKeySet,
  checkTagValue,
  countCharacters,
  MAX_TAGS_PER_KEY,
  quoteTagText,
  TAG_VALUE_MAX_LENGTH,
} from './tag-rules.ts';

export type { CompiledTagTemplate } from './compiled-tag-template.ts';

/** Compilation outcome; `reason` lists up to five problems. */
export type CompileTagTemplateResult = { ok: true; template: CompiledTagTemplate } | { ok: false; reason: string };

/** The placeholder for the alias chosen for this key. */
export const ALIAS_PLACEHOLDER = 'alias';

/** The alias the trial render uses: as long as a typical convention's alias. */
export const SAMPLE_ALIAS = 'alias/prod/payments-db-0b1c2d3e';

const MAX_REPORTED_ERRORS = 5;

/** Fields (and `{alias}`) whose values can exceed 43 characters: warn unless truncated. */
const UNBOUNDED_FIELDS: ReadonlySet<string> = new Set<string>([...FREE_TEXT_FIELDS, ALIAS_PLACEHOLDER]);

/**
 * Compiles a tag template against the configured constants (the same `ALIAS_VAR_*` constants
 * as the alias template), or explains every problem found.
 *
 * @example
 * compileTagTemplate('created_by={created_by},alias={alias}', {})   // { ok: true, template }
 * compileTagTemplate('_sys_x=1', {})
 * // { ok: false, reason: 'tag key "_sys_x" starts with "_sys_", which Huawei reserves for system tags' }
 */
export function compileTagTemplate(
  source: string,
  constants: Readonly<Record<string, string>>,
  maxTags: number = MAX_TAGS_PER_KEY,
): CompileTagTemplateResult {
  const errors: string[] = [];
  const warnings: string[] = [];
  const constantValues = checkConstants(constants, errors);
  const parsed = parseTagTemplate(source);
  if (!parsed.ok) return fail([...errors, parsed.reason]);

  const keys = parsed.entries.map((entry) => entry.key);
  for (const violation of checkTagKeySet(keys, maxTags)) errors.push(violation.reason);

  const tags: CompiledTag[] = [];
  const fields: EventFieldName[] = [];
  let usesAlias = false;
  for (const entry of parsed.entries) {
    for (const violation of checkTagKey(entry.key)) errors.push(violation.reason);
    const advice = adviseTagKey(entry.key);
    if (advice !== undefined) warnings.push(advice);
    const context = {
      key: entry.key,
      constantValues,
      constantNames: new Set(Object.keys(constants)),
      errors,
      warnings,
    };
    const segments = compileValue(entry.valueSource, context);
    if (segments === undefined) continue;
    for (const segment of segments) {
      if (segment.kind === 'alias') usesAlias = true;
      if (segment.kind === 'field' && !fields.includes(segment.field)) fields.push(segment.field);
    }
    checkFixedText(entry.key, segments, errors);
    tags.push(Object.freeze({ key: entry.key, valueSource: entry.valueSource, segments: Object.freeze(segments) }));
  }
  if (errors.length > 0) return fail(errors);

  const template: CompiledTagTemplate = Object.freeze({
    source,
    tags: Object.freeze(tags),
    keys: Object.freeze(keys),
    fields: Object.freeze(fields),
    usesAlias,
    warnings: Object.freeze(warnings),
  });
  const trial = renderTags(template, SAMPLE_KEY_CREATED, SAMPLE_ALIAS);
  if (!trial.ok) {
    return fail([`a trial render with a fully populated sample event fails: ${trial.reason}`]);
  }
  return { ok: true, template };
}

interface ValueContext {
  key: string;
  constantValues: Map<string, string>;
  constantNames: Set<string>;
  errors: string[];
  warnings: string[];
}

function compileValue(valueSource: string, context: ValueContext): TagValueSegment[] | undefined {
  const tag = quoteTagText(context.key);
  if (valueSource === '') return [];
  const parsed = parseAliasTemplate(valueSource);
  if (!parsed.ok) {
    context.errors.push(`the value of tag ${tag}: ${parsed.reason}`);
    return undefined;
  }
  const segments: TagValueSegment[] = [];
  for (const node of parsed.nodes) {
    if (node.kind === 'literal') {
      segments.push({ kind: 'literal', text: node.text });
      continue;
    }
    const filters = compileFilters(node, context.errors, () => `${node.source} in the value of tag ${tag}`);
    if (filters === undefined) continue;
    const filterSources = filters.map((f) => f.source);
    const truncated = filters.some((f) => f.name === 'truncate' || f.name === 'short');
    if (UNBOUNDED_FIELDS.has(node.name) && !truncated) {
      context.warnings.push(
        `the value of tag ${tag} uses ${node.source} without |truncate: ${node.name} can be longer than the ${TAG_VALUE_MAX_LENGTH} characters a tag value allows (INVALID_TAGS); add |truncate:${TAG_VALUE_MAX_LENGTH}?`,
      );
    }
    if (node.name === ALIAS_PLACEHOLDER) {
      segments.push({ kind: 'alias', placeholder: node.source, filters, filterSources });
      continue;
    }
    if (isEventFieldName(node.name)) {
      segments.push({
        kind: 'field',
        placeholder: node.source,
        field: node.name,
        read: EVENT_FIELD_READERS[node.name],
        filters,
        filterSources,
      });
      continue;
    }
    const constant = context.constantValues.get(node.name);
    if (constant === undefined) {
      // A configured but rejected constant has already been reported.
      if (context.constantNames.has(node.name)) continue;
      context.errors.push(
        `unknown placeholder ${node.source} in the value of tag ${tag}; event fields are ${EVENT_FIELD_NAMES.join(', ')}, and ${ALIAS_PLACEHOLDER}; constants are ${[...context.constantValues.keys()].join(', ') || '(none)'}`,
      );
      continue;
    }
    const part = resolveConstant(node, constant, filters);
    if (part.value === '') {
      context.errors.push(
        `${node.source} in the value of tag ${tag} is empty: constant "${node.name}" is ${JSON.stringify(constant)}`,
      );
    }
    segments.push({ kind: 'constant', part });
  }
  return segments;
}

/** The fixed text must obey the value rules, and leave room for one character per placeholder. */
function checkFixedText(key: string, segments: readonly TagValueSegment[], errors: string[]): void {
  let fixed = '';
  let placeholders = 0;
  for (const segment of segments) {
    if (segment.kind === 'literal') fixed += segment.text;
    else if (segment.kind === 'constant') fixed += segment.part.value;
    else placeholders++;
  }
  for (const violation of checkTagValue(key, fixed)) {
    if (violation.rule === 'FORBIDDEN_CHARACTER') errors.push(`the fixed text of ${violation.reason}`);
  }
  const length = countCharacters(fixed);
  if (length + placeholders > TAG_VALUE_MAX_LENGTH) {
    errors.push(
      `the value of tag ${quoteTagText(key)} has ${length} fixed characters plus at least 1 per placeholder (${placeholders}); a tag value has at most ${TAG_VALUE_MAX_LENGTH}`,
    );
  }
}

/** Validates every configured constant's name (values are checked where a tag uses them). */
function checkConstants(constants: Readonly<Record<string, string>>, errors: string[]): Map<string, string> {
  const values = new Map<string, string>();
  for (const name of Object.keys(constants)) {
    const checked = checkConstant(name, constants[name], {
      name: ALIAS_PLACEHOLDER,
      what: 'the alias chosen for the key',
    });
    if (checked.ok) values.set(name, checked.value);
    else errors.push(checked.problem);
  }
  return values;
}

function fail(errors: string[]): CompileTagTemplateResult {
  const listed = errors.slice(0, MAX_REPORTED_ERRORS);
  const more = errors.length > listed.length ? `; and ${errors.length - listed.length} more` : '';
  return { ok: false, reason: `${listed.join('; ')}${more}` };
}
