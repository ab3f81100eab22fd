/**
 * The alias template compiler. It runs once, at cold start, and refuses every template that
 * cannot produce a valid alias, so a bad `ALIAS_TEMPLATE` fails the deployment's first
 * invocation instead of every message.
 *
 * ## Template syntax
 *
 * Literal text, and placeholders `{name}` or `{name|filter|filter:arg}`:
 *
 * - **Event fields**: `key_id`, `key_alias` (the key's display name from CreateKey), `key_spec`,
 *   `key_usage`, `origin`, `project_id`, `region`, `domain_id`, `enterprise_project_id`,
 *   `created_by` (the creator's name) and `created_date` (`YYYYMMDD` of `created_at`, UTC).
 * - **Constants** from configuration (`{env: 'prod'}` → `{env}`). A constant may not shadow an
 *   event field, and its value must use only `[a-zA-Z0-9:/_-]`.
 * - **Filters**, applied left to right: `lower`, `upper`; `slug` (lower-case, each run of
 *   characters outside `[a-z0-9_-]` becomes `-`, then `-` is trimmed from both ends);
 *   `truncate:N` (first N characters, 1 ≤ N ≤ 255); `short` (first 8 characters, for key ids);
 *   `default:VALUE` (VALUE replaces an empty value; VALUE must be legal alias text).
 * - Every placeholder must end up non-empty (else `MISSING_FIELD`), and the whole alias must pass
 *   `checkAlias`: `alias/` prefix, `[a-zA-Z0-9:/_-]`, at most 255 characters, no `//`, no
 *   trailing `/`, no `/default` ending. Braces and `|` are never legal in an alias, so there
 *   is no escaping.
 *
 * @example
 * 'alias/{env}/{key_alias|slug}-{key_spec|lower}'  // alias/prod/payments-db-aes_256
 * 'alias/{team|upper}/{key_id|short}'               // alias/SEC/4f2b9c1d
 * 'alias/{created_by|slug|default:unknown}/{created_date}-{key_alias|slug|truncate:40}'
 */
import { SHORT_LENGTH, createFilter, type AliasFilter } from './alias-filters.ts';
import {
  EVENT_FIELD_NAMES,
  EVENT_FIELD_READERS,
  FREE_TEXT_FIELDS,
  SAMPLE_KEY_CREATED,
  type EventFieldName,
  isEventFieldName,
} from './alias-fields.ts';
import {
  ALIAS_CHARSET_DESCRIPTION,
  ALIAS_MAX_LENGTH,
  ALIAS_PREFIX,
  RESERVED_ALIAS_SUFFIX,
  describeIllegalChars,
  findIllegalChar,
} from './alias-rules.ts';
import type { AliasPart, AliasPartSource, CompiledTemplate, TemplateSegment } from './compiled-template.ts';
import { deriveAlias } from './derive-alias.ts';
import { type PlaceholderNode, parseAliasTemplate } from './parse-alias-template.ts';

export type { AliasPart, CompiledTemplate } from './compiled-template.ts';

/** Compilation outcome; `reason` lists up to five problems, with positions. */
export type CompileAliasTemplateResult = { ok: true; template: CompiledTemplate } | { ok: false; reason: string };

const CONSTANT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_REPORTED_ERRORS = 5;

/**
 * Compiles an alias template (syntax above) against configured constants.
 *
 * Fails, with a reason naming the position or name at fault, for: a syntax error; an unknown
 * placeholder or filter; a bad filter argument; a constant with an illegal name or value, or
 * shadowing an event field; literal text with illegal characters; a template not starting with
 * `alias/`; fixed text that makes `//`, a trailing `/` or a `/default` ending; a fixed part
 * that alone exceeds 255 characters; and finally any template whose trial derivation with a
 * fully populated sample event does not give a valid alias.
 *
 * @example
 * compileAliasTemplate('alias/{env}/{key_alias|slug}', { env: 'prod' })   // { ok: true, template }
 * compileAliasTemplate('alias/{env}/{colour}', { env: 'prod' })
 * // { ok: false, reason: 'unknown placeholder {colour} at position 13; event fields are …; constants are env' }
 */
export function compileAliasTemplate(
  source: string,
  constants: Readonly<Record<string, string>>,
): CompileAliasTemplateResult {
  const errors: string[] = [];
  const constantValues = checkConstants(constants, errors);
  const constantNames = new Set(Object.keys(constants));
  const parsed = parseAliasTemplate(source);
  if (!parsed.ok) return fail([...errors, parsed.reason]);

  const segments: TemplateSegment[] = [];
  const fields: EventFieldName[] = [];
  const warnings: string[] = [];
  for (const node of parsed.nodes) {
    if (node.kind === 'literal') {
      const bad = findIllegalChar(node.text);
      if (bad !== -1) {
        errors.push(
          `literal text has characters outside ${ALIAS_CHARSET_DESCRIPTION}: ${describeIllegalChars(node.text).join(', ')} (first at position ${node.position + bad})`,
        );
      }
      segments.push({ kind: 'literal', text: node.text });
      continue;
    }
    const filters = compileFilters(node, errors);
    if (filters === undefined) continue;
    if (isEventFieldName(node.name)) {
      if (!fields.includes(node.name)) fields.push(node.name);
      if (FREE_TEXT_FIELDS.has(node.name) && !filters.some((f) => f.name === 'slug')) {
        warnings.push(
          `${node.source} has no |slug: ${node.name} is free text and may hold characters (".", "@", " ", "/") that make INVALID_ALIAS`,
        );
      }
      segments.push({
        kind: 'field',
        placeholder: node.source,
        field: node.name,
        read: EVENT_FIELD_READERS[node.name],
        filters,
        filterSources: filters.map((f) => f.source),
      });
      continue;
    }
    const constant = constantValues.get(node.name);
    if (constant === undefined) {
      // A configured but rejected constant has already been reported above.
      if (constantNames.has(node.name)) continue;
      errors.push(
        `unknown placeholder ${node.source} at position ${node.position}; event fields are ${EVENT_FIELD_NAMES.join(', ')}; constants are ${[...constantValues.keys()].join(', ') || '(none)'}`,
      );
      continue;
    }
    const part = resolveConstant(node, constant, filters);
    if (part.value === '') {
      errors.push(
        `${node.source} at position ${node.position} is empty: constant "${node.name}" is ${JSON.stringify(constant)}`,
      );
    }
    segments.push({ kind: 'constant', part });
  }
  if (errors.length === 0) checkFixedText(segments, errors);
  const endWarning = warnIfEndingCanBeDefault(segments);
  if (endWarning !== undefined) warnings.push(endWarning);
  const collisionWarning = warnIfKeysCanCollide(segments);
  if (collisionWarning !== undefined) warnings.push(collisionWarning);
  if (errors.length > 0) return fail(errors);

  const template: CompiledTemplate = Object.freeze({
    source,
    segments: Object.freeze(segments),
    fields: Object.freeze(fields),
    warnings: Object.freeze(warnings),
  });
  const trial = deriveAlias(template, SAMPLE_KEY_CREATED);
  if (!trial.ok) {
    return fail([`a trial derivation with a fully populated sample event fails (${trial.code}): ${trial.reason}`]);
  }
  return { ok: true, template };
}

function fail(errors: string[]): CompileAliasTemplateResult {
  const listed = errors.slice(0, MAX_REPORTED_ERRORS);
  const more = errors.length > listed.length ? `; and ${errors.length - listed.length} more` : '';
  return { ok: false, reason: `${listed.join('; ')}${more}` };
}

/**
 * A constant's value when its name and type are sound: letters, digits and `_`, not an event
 * field's name (nor `reserved`, a placeholder of the caller's own), a string; else what is wrong.
 * Shared with the tag template compiler (lib/tags), which checks the values where a tag uses them.
 */
export function checkConstant(
  name: string,
  value: unknown,
  reserved?: { name: string; what: string },
): { ok: true; value: string } | { ok: false; problem: string } {
  const problem = (text: string) => ({ ok: false as const, problem: text });
  if (!CONSTANT_NAME.test(name))
    return problem(`constant name ${JSON.stringify(name.slice(0, 40))} must be letters, digits and _`);
  if (isEventFieldName(name)) return problem(`constant "${name}" would shadow the event field of the same name`);
  if (reserved !== undefined && name === reserved.name)
    return problem(`constant "${name}" would shadow {${name}}, ${reserved.what}`);
  if (typeof value !== 'string') return problem(`constant "${name}" must be a string`);
  return { ok: true, value };
}

/** Validates every configured constant (used or not: a bad one is a configuration mistake). */
function checkConstants(constants: Readonly<Record<string, string>>, errors: string[]): Map<string, string> {
  const values = new Map<string, string>();
  for (const name of Object.keys(constants)) {
    const checked = checkConstant(name, constants[name]);
    if (!checked.ok) {
      errors.push(checked.problem);
      continue;
    }
    const { value } = checked;
    if (value.length > ALIAS_MAX_LENGTH) {
      errors.push(`constant "${name}" is ${value.length} characters; an alias has at most ${ALIAS_MAX_LENGTH}`);
    } else if (findIllegalChar(value) !== -1) {
      errors.push(
        `constant "${name}" has characters outside ${ALIAS_CHARSET_DESCRIPTION}: ${describeIllegalChars(value).join(', ')}`,
      );
    } else {
      values.set(name, value);
    }
  }
  return values;
}

/**
 * A placeholder's filters, or undefined when one is unknown or malformed (each reason pushed to
 * `errors`, prefixed by `where`). Shared with the tag template compiler (lib/tags).
 */
export function compileFilters(
  node: PlaceholderNode,
  errors: string[],
  where: (position: number) => string = (position) => `${node.source} at position ${position}`,
): AliasFilter[] | undefined {
  const filters: AliasFilter[] = [];
  let failed = false;
  for (const { name, arg, position } of node.filters) {
    const created = createFilter(name, arg);
    if (created.ok) {
      filters.push(created.filter);
    } else {
      errors.push(`${where(position)}: ${created.reason}`);
      failed = true;
    }
  }
  return failed ? undefined : filters;
}

/** Constants are fixed, so their filters run once, here (also for tag values, lib/tags). */
export function resolveConstant(node: PlaceholderNode, raw: string, filters: AliasFilter[]): Readonly<AliasPart> {
  let value = raw;
  let source: AliasPartSource = 'constant';
  for (const filter of filters) {
    if (filter.name === 'default' && value === '') source = 'default';
    value = filter.apply(value);
  }
  return Object.freeze({
    placeholder: node.source,
    source,
    field: node.name,
    raw,
    value,
    filters: filters.map((f) => f.source),
  });
}

/**
 * Checks what is known before any event arrives: the fixed text (literals and constants)
 * between event placeholders. Each event placeholder adds at least one character.
 */
function checkFixedText(segments: readonly TemplateSegment[], errors: string[]): void {
  const runs: string[] = [''];
  let fieldCount = 0;
  for (const segment of segments) {
    if (segment.kind === 'field') {
      fieldCount++;
      runs.push('');
    } else {
      const text = segment.kind === 'literal' ? segment.text : segment.part.value;
      runs[runs.length - 1] += text;
    }
  }
  const leading = runs[0] ?? '';
  const trailing = runs.at(-1) ?? '';
  if (!leading.startsWith(ALIAS_PREFIX)) {
    errors.push(
      `the template must start with the fixed text "${ALIAS_PREFIX}" (the prefixed form is the one known to work); it starts with ${leading === '' ? 'a placeholder' : JSON.stringify(leading.slice(0, 20))}`,
    );
  }
  if (runs.some((run) => run.includes('//'))) errors.push('the fixed text contains "//", an empty path segment');
  if (trailing.endsWith('/')) errors.push('the template ends with "/"; an alias must not');
  if (trailing.slice(-RESERVED_ALIAS_SUFFIX.length).toLowerCase() === RESERVED_ALIAS_SUFFIX) {
    errors.push(`the template ends with "${RESERVED_ALIAS_SUFFIX}", which is reserved for service default keys`);
  }
  const fixedLength = runs.reduce((sum, run) => sum + run.length, 0);
  if (fixedLength + fieldCount > ALIAS_MAX_LENGTH) {
    errors.push(
      `the fixed part is ${fixedLength} characters, plus at least 1 per event placeholder (${fieldCount}); an alias has at most ${ALIAS_MAX_LENGTH}`,
    );
  }
}

/**
 * `alias/x/{key_alias|slug}` is a reserved `…/default` alias for a key named "default". Only
 * free-text fields can hold that value; ids, regions and CreateKey enumerations cannot.
 */
function warnIfEndingCanBeDefault(segments: readonly TemplateSegment[]): string | undefined {
  const last = segments.at(-1);
  const before = segments.at(-2);
  if (last?.kind !== 'field' || before === undefined || !FREE_TEXT_FIELDS.has(last.field)) return undefined;
  const text = before.kind === 'literal' ? before.text : before.kind === 'constant' ? before.part.value : '';
  if (!text.endsWith('/')) return undefined;
  return `the template ends with "/${last.placeholder}": a ${last.field} of "default" makes a reserved "${RESERVED_ALIAS_SUFFIX}" alias (INVALID_ALIAS); add a suffix or prefix to that segment`;
}

/** `short` keeps 8 hex characters of a key id: 32 bits, taken as telling keys apart. */
const DISTINCT_KEY_ID_LENGTH = SHORT_LENGTH;

/**
 * Says when two keys can get one alias. An alias names one key in an account and region
 * (docs/huawei-kms.md#alias-rules), and the function never moves an alias from its key, so the
 * second key's alias is refused as a conflict (to the DLQ). A template tells keys apart with the
 * key id (whole or `short`), or with the exact key name: KMS refuses a second live key of the same
 * name (KMS.1104, docs/huawei-kms.md#error-codes). `slug`, `lower`, `upper` and `truncate` fold
 * names that KMS keeps apart ("Payments DB", "payments-db").
 */
function warnIfKeysCanCollide(segments: readonly TemplateSegment[]): string | undefined {
  const lossy: string[] = [];
  for (const segment of segments) {
    if (segment.kind !== 'field') continue;
    if (segment.field === 'key_id') {
      const kept = keptLength(segment.filters);
      if (kept === undefined || kept >= DISTINCT_KEY_ID_LENGTH) return undefined;
      lossy.push(`${segment.placeholder} keeps ${kept} characters`);
    } else if (segment.field === 'key_alias') {
      const folds = segment.filters.filter((f) => f.name !== 'default');
      if (folds.length === 0) return undefined;
      lossy.push(`${segment.placeholder} ${describeFolding(folds)}`);
    }
  }
  const why =
    lossy.length === 0
      ? 'nothing in it tells two keys apart (neither {key_id} nor the exact {key_alias})'
      : lossy.join(', ');
  return `two keys can get the same alias: ${why}; the second one's alias is refused as a conflict and never moved (add {key_id|short} unless a name given back by a deleted key is the point)`;
}

/** The fewest characters `truncate`/`short` keep, or undefined when none cuts. */
function keptLength(filters: readonly AliasFilter[]): number | undefined {
  let kept: number | undefined;
  for (const filter of filters) {
    const length =
      filter.name === 'short'
        ? SHORT_LENGTH
        : filter.name === 'truncate'
          ? Number(filter.source.slice('truncate:'.length))
          : undefined;
    if (length !== undefined && (kept === undefined || length < kept)) kept = length;
  }
  return kept;
}

function describeFolding(filters: readonly AliasFilter[]): string {
  const kept = keptLength(filters);
  if (filters.some((f) => f.name === 'slug')) return 'folds case and punctuation';
  if (filters.some((f) => f.name === 'lower' || f.name === 'upper')) return 'folds case';
  return kept === undefined ? 'changes the name' : `keeps ${kept} characters`;
}
