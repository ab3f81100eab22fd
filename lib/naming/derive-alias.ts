import type { KeyCreated } from '../events/key-created.ts';
import { checkAlias, describeIllegalChars, findIllegalChar } from './alias-rules.ts';
import type { AliasPart, AliasPartSource, CompiledTemplate } from './compiled-template.ts';

export type { AliasPart, AliasPartSource, CompiledTemplate } from './compiled-template.ts';

/** The outcome of {@link deriveAlias}. */
export type DeriveAliasResult =
  | { ok: true; alias: string; parts: AliasPart[] }
  | { ok: false; code: 'MISSING_FIELD' | 'INVALID_ALIAS'; reason: string; parts: AliasPart[] };

/** Values quoted in reasons and explanations are clipped: event fields can be long and hostile. */
const QUOTE_LIMIT = 64;
const ALIAS_QUOTE_LIMIT = 100;
const MAX_BLAMED_PARTS = 3;

function quote(value: string, limit: number = QUOTE_LIMIT): string {
  return JSON.stringify(value.length > limit ? `${value.slice(0, limit)}…` : value);
}

/**
 * Fills a compiled template from an event and checks the result against every alias rule
 * (`checkAlias`). Deterministic: it reads no clock and no randomness.
 *
 * Fails with
 * - `MISSING_FIELD` when a placeholder ends up empty (the field is absent or empty, or its
 *   filters emptied it, and no `default` filled it); the reason names every such field;
 * - `INVALID_ALIAS` when the filled alias breaks a rule; the reason lists the violations and
 *   the placeholders whose values hold illegal characters (typically a missing `|slug`).
 *
 * `parts` is returned either way, for logs and the DLQ. {@link explainAlias} puts a derived
 * alias in words (the CLI's `explain`); the Lambda does not need the sentence, so it is not built.
 *
 * @example
 * const t = compileAliasTemplate('alias/{env}/{key_alias|slug}', { env: 'prod' });
 * if (t.ok) deriveAlias(t.template, event);
 * // { ok: true, alias: 'alias/prod/payments-db', parts: [...] }
 */
export function deriveAlias(template: CompiledTemplate, event: KeyCreated): DeriveAliasResult {
  const parts: AliasPart[] = [];
  let alias = '';
  let missing: string[] | undefined;
  for (const segment of template.segments) {
    if (segment.kind === 'literal') {
      alias += segment.text;
      continue;
    }
    if (segment.kind === 'constant') {
      const part = segment.part;
      parts.push({ ...part, filters: part.filters.slice() });
      alias += part.value;
      continue;
    }
    const raw = segment.read(event) ?? '';
    let value = raw;
    let source: AliasPartSource = 'event';
    for (const filter of segment.filters) {
      if (filter.name === 'default' && value === '') source = 'default';
      value = filter.apply(value);
    }
    parts.push({
      placeholder: segment.placeholder,
      source,
      field: segment.field,
      raw,
      value,
      filters: segment.filterSources.slice(),
    });
    if (value === '') {
      missing ??= [];
      missing.push(
        raw === ''
          ? `${segment.placeholder} has no value: the event has no ${segment.field}`
          : `${segment.placeholder} is empty after ${segment.filterSources.join('|')} (${segment.field} was ${quote(raw)})`,
      );
    }
    alias += value;
  }
  if (missing !== undefined) return { ok: false, code: 'MISSING_FIELD', reason: missing.join('; '), parts };
  const violations = checkAlias(alias);
  if (violations.length > 0) {
    return { ok: false, code: 'INVALID_ALIAS', reason: describeViolations(alias, violations, parts), parts };
  }
  return { ok: true, alias, parts };
}

function describeViolations(alias: string, violations: string[], parts: AliasPart[]): string {
  const blamed = parts
    .filter((part) => findIllegalChar(part.value) !== -1)
    .slice(0, MAX_BLAMED_PARTS)
    .map((part) => `${part.placeholder} = ${quote(part.value)} has ${describeIllegalChars(part.value).join(', ')}`);
  const hint = blamed.length === 0 ? '' : `; ${blamed.join('; ')} (add |slug?)`;
  return `alias ${quote(alias, ALIAS_QUOTE_LIMIT)} breaks the alias rules: ${violations.join('; ')}${hint}`;
}

/**
 * `"alias/prod/payments-db" = "alias/" + {env} "prod" (constant) + "/" + {key_alias|slug}
 * "payments-db" (key_alias "Payments DB")`.
 */
export function explainAlias(template: CompiledTemplate, alias: string, parts: readonly AliasPart[]): string {
  const terms: string[] = [];
  let index = 0;
  for (const segment of template.segments) {
    if (segment.kind === 'literal') {
      terms.push(quote(segment.text));
      continue;
    }
    const part = parts[index++];
    if (part === undefined) continue;
    const origin =
      part.source === 'constant'
        ? 'constant'
        : part.source === 'default'
          ? `default; ${part.field} ${part.raw === '' ? 'missing' : `was ${quote(part.raw)}`}`
          : `${part.field} ${quote(part.raw)}`;
    terms.push(`${part.placeholder} ${quote(part.value)} (${origin})`);
  }
  return `${quote(alias, ALIAS_QUOTE_LIMIT)} = ${terms.join(' + ')}`;
}
