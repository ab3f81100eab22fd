/**
 * Pure properties of the normaliser and the naming layer, checked per generated body. Each
 * returns the violations it found (empty when all hold) instead of throwing, so that a run
 * counts every failure rather than stopping at the first.
 */
import type { KeyDeletion } from '../lib/events/key-deletion.ts';
import { isDeepStrictEqual } from 'node:util';
import type { KeyCreated } from '../lib/events/key-created.ts';
import { normaliseEvent, type NormaliseResult } from '../lib/events/normalise-event.ts';
import { INVALID_REASONS, SKIP_REASONS } from '../lib/events/normalise-result.ts';
// The id shapes the clients accept (one definition): what the normaliser lets through must never
// be refused later by the endpoint builder or a path. A copy here had drifted (three
// dash-separated parts for a region, where Huawei's shape allows four: `cn-north-cn-north-4`).
import { KEY_ID_PATTERN, PROJECT_ID_PATTERN, REGION_ID_PATTERN } from '../lib/huawei/id-patterns.ts';
import { checkAlias } from '../lib/naming/alias-rules.ts';
import type { CompiledTemplate } from '../lib/naming/compile-alias-template.ts';
import { deriveAlias } from '../lib/naming/derive-alias.ts';
import { aliasRuleViolations } from './checks.ts';

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** Details quote input through JSON.stringify, which escapes C0 (C1 is valid, inert JSON text). */
const C0 = /[\u0000-\u001f]/;
const EVENT_KEYS = new Set([
  'key_id',
  'project_id',
  'region',
  'domain_id',
  'created_by',
  'created_at',
  'key_alias',
  'key_spec',
  'key_usage',
  'origin',
  'enterprise_project_id',
  'key_description',
  'trace_id',
  'source',
  'envelopes',
  'notes',
]);
const CREATOR_KEYS = new Set(['name', 'id', 'type', 'domain_name']);
const SOURCES = new Set(['cts', 'functiongraph-cts', 'eventgrid', 'canonical']);

/** The result of normalising one body, and what is wrong with it. */
export function checkNormalised(body: string): { result: NormaliseResult | undefined; violations: string[] } {
  const violations: string[] = [];
  let result: NormaliseResult;
  try {
    result = normaliseEvent(body);
  } catch (err) {
    return {
      result: undefined,
      violations: [`normaliseEvent threw ${(err as Error)?.name}: ${(err as Error)?.message}`],
    };
  }
  if (!isDeepStrictEqual(normaliseEvent(body), result)) violations.push('normaliseEvent is not deterministic');
  switch (result.kind) {
    case 'skipped':
      if (!(SKIP_REASONS as readonly string[]).includes(result.reason))
        violations.push(`unknown skip reason ${result.reason}`);
      violations.push(...checkDetail(result.detail));
      break;
    case 'invalid':
      if (!(INVALID_REASONS as readonly string[]).includes(result.reason))
        violations.push(`unknown invalid reason ${result.reason}`);
      if (result.reason === 'internal') violations.push(`normalisation threw inside: ${result.detail}`);
      violations.push(...checkDetail(result.detail));
      break;
    case 'key_created':
      violations.push(...checkEvent(result.event));
      break;
    case 'key_deletion_scheduled':
    case 'key_deletion_cancelled':
      violations.push(...checkDeletion(result.event, body));
      break;
    default:
      violations.push(`unknown result kind ${(result as { kind: unknown }).kind}`);
  }
  return { result, violations };
}

function checkDetail(detail: unknown): string[] {
  if (typeof detail !== 'string' || detail.length === 0) return ['detail is empty'];
  const problems: string[] = [];
  if (detail.length > 400) problems.push(`detail is ${detail.length} characters (max 400)`);
  if (C0.test(detail)) problems.push('detail holds a raw C0 control character');
  return problems;
}

const DELETION_KEYS = new Set([
  'key_id',
  'project_id',
  'region',
  'domain_id',
  'time',
  'trace_id',
  'source',
  'envelopes',
]);

/** A deletion event: only its identifying fields, clean; and only from a deletion trace's name. */
function checkDeletion(event: KeyDeletion, body: string): string[] {
  const problems: string[] = [];
  if (Object.getPrototypeOf(event) !== Object.prototype) problems.push('deletion event does not have Object.prototype');
  for (const key of Reflect.ownKeys(event)) {
    if (typeof key !== 'string' || !DELETION_KEYS.has(key))
      problems.push(`deletion event has unexpected key ${String(key)}`);
  }
  if (!KEY_ID_PATTERN.test(event.key_id)) problems.push('deletion key_id is not a key id');
  if (!PROJECT_ID_PATTERN.test(event.project_id)) problems.push('deletion project_id is not a project id');
  if (event.region !== undefined && !REGION_ID_PATTERN.test(event.region))
    problems.push('deletion region is not a region id');
  if (!SOURCES.has(event.source)) problems.push(`unknown source ${event.source}`);
  // The trace must name a deletion operation (any case); a name like `__proto__` is not one.
  // (The body may hold the trace as an escaped JSON string, inside an envelope.)
  if (!/trace_name\\*"\s*:\s*\\*"(schedulekeydeletion|cancelkeydeletion)\\*"/i.test(body)) {
    problems.push('a deletion event from a body that names no deletion trace');
  }
  return problems;
}

function checkEvent(event: KeyCreated): string[] {
  const problems: string[] = [];
  if (Object.getPrototypeOf(event) !== Object.prototype) problems.push('event does not have Object.prototype');
  for (const key of Reflect.ownKeys(event)) {
    if (typeof key !== 'string' || !EVENT_KEYS.has(key)) problems.push(`event has unexpected key ${String(key)}`);
  }
  if (!KEY_ID_PATTERN.test(event.key_id)) problems.push('event key_id is not a key id');
  if (!PROJECT_ID_PATTERN.test(event.project_id)) problems.push('event project_id is not a project id');
  if (event.region !== undefined && !REGION_ID_PATTERN.test(event.region))
    problems.push('event region is not a region id');
  for (const [name, value] of Object.entries(event)) {
    if (name === 'envelopes' || name === 'created_by') continue;
    if (name === 'notes') {
      // Normalisation notes (an unreadable trace time): quoted input only, so no C0 character.
      if (!Array.isArray(value) || value.length === 0 || value.some((n) => typeof n !== 'string' || C0.test(n)))
        problems.push('event notes are not a non-empty list of clean strings');
      continue;
    }
    if (typeof value !== 'string') problems.push(`event ${name} is a ${typeof value}`);
    else if (value === '') problems.push(`event ${name} is empty`);
    else if (name !== 'key_description' && CONTROL.test(value))
      problems.push(`event ${name} holds a control character`);
  }
  if (event.created_by !== undefined) {
    if (Object.getPrototypeOf(event.created_by) !== Object.prototype)
      problems.push('created_by does not have Object.prototype');
    for (const [name, value] of Object.entries(event.created_by)) {
      if (!CREATOR_KEYS.has(name)) problems.push(`created_by has unexpected key ${name}`);
      if (typeof value !== 'string' || CONTROL.test(value)) problems.push(`created_by.${name} is not clean text`);
    }
  }
  if (!SOURCES.has(event.source)) problems.push(`unknown source ${event.source}`);
  if (
    !Array.isArray(event.envelopes) ||
    event.envelopes.length > 3 ||
    event.envelopes.some((e) => e !== 'sns' && e !== 'smn' && e !== 'eventbridge')
  ) {
    problems.push('envelopes are not a list of at most 3 sns/smn/eventbridge');
  }
  return problems;
}

/** deriveAlias on one event: either an alias within the rules, or a named failure. Never a throw. */
export function checkDerived(
  template: CompiledTemplate,
  event: KeyCreated,
): { alias: string | undefined; violations: string[] } {
  let derived: ReturnType<typeof deriveAlias>;
  try {
    derived = deriveAlias(template, event);
  } catch (err) {
    return {
      alias: undefined,
      violations: [`deriveAlias(${template.source}) threw ${(err as Error)?.name}: ${(err as Error)?.message}`],
    };
  }
  if (derived.ok) {
    const problems = [...aliasRuleViolations(derived.alias), ...checkAlias(derived.alias)].map(
      (v) => `template ${template.source} made alias ${JSON.stringify(derived.alias.slice(0, 80))} that ${v}`,
    );
    return { alias: derived.alias, violations: problems };
  }
  const problems: string[] = [];
  if (derived.code !== 'MISSING_FIELD' && derived.code !== 'INVALID_ALIAS')
    problems.push(`unknown naming code ${String(derived.code)}`);
  if (typeof derived.reason !== 'string' || derived.reason.length === 0)
    problems.push('naming failure without a reason');
  return { alias: undefined, violations: problems };
}
