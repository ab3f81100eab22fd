/**
 * The fuzz run: three seeded fast-check phases, each recording every violation it finds
 * (instead of stopping at the first) so the summary can count them.
 *
 * 1. normaliser: every generated body through normaliseEvent, and each event through every
 *    fuzzed template (checkNormalised, checkDerived);
 * 2. templates: random templates and constants through compileAliasTemplate, and hostile
 *    events through what compiles;
 * 3. handler: batches of 10 bodies through the real handler against the emulator and fauxqs
 *    (handler-harness.ts).
 */
import fc from 'fast-check';
import { EVENT_FIELD_NAMES, SAMPLE_KEY_CREATED } from '../lib/naming/alias-fields.ts';
import { compileAliasTemplate, type CompiledTemplate } from '../lib/naming/compile-alias-template.ts';
import type { KeyCreated } from '../lib/events/key-created.ts';
import { anyBody, fitSqsMessage, hostileString, sanitizeForFauxqs, validKeyId } from './arbitraries.ts';
import { pollutionViolations, prototypeSnapshot } from './checks.ts';
import { MAX_RECEIVE_COUNT, VARIANTS, startFuzzHarness, type FuzzRecord } from './handler-harness.ts';
import { checkDerived, checkNormalised } from './properties.ts';

export interface FuzzOptions {
  seed: number;
  /** Bodies through the real handler (in batches of 10). */
  handlerBodies: number;
  /** Bodies through normaliseEvent and the naming layer. */
  normaliserBodies: number;
  /** Random templates compiled and fed hostile events. */
  templateRuns: number;
  /** Progress lines; default none. */
  progress?: (line: string) => void;
}

export interface Violation {
  phase: 'normaliser' | 'templates' | 'handler';
  message: string;
  origin?: string;
  body?: string;
}

export interface FuzzSummary {
  seed: number;
  durationMs: number;
  normaliser: { bodies: number; kinds: Map<string, number>; aliasesDerived: number };
  templates: { runs: number; compiled: number };
  handler: {
    bodies: number;
    batches: number;
    variants: Map<string, number>;
    origins: Map<string, number>;
    outcomes: Map<string, number>;
    reasons: Map<string, number>;
    dispositions: Map<string, number>;
    aliasesCreated: number;
    dlqRecords: number;
    requests: number;
  };
  violations: Violation[];
}

const bump = (map: Map<string, number>, key: string, by = 1) => map.set(key, (map.get(key) ?? 0) + by);

/** The compiled templates of the handler variants, for the pure naming checks. */
function variantTemplates(): CompiledTemplate[] {
  return VARIANTS.map((v) => {
    const constants = Object.fromEntries(
      Object.entries(v.env)
        .filter(([k]) => k.startsWith('ALIAS_VAR_'))
        .map(([k, value]) => [k.slice('ALIAS_VAR_'.length).toLowerCase(), value]),
    );
    const source = v.env.ALIAS_TEMPLATE || 'alias/{key_alias|slug|default:key}-{key_id|short}';
    const compiled = compileAliasTemplate(source, constants);
    if (!compiled.ok) throw new Error(`fuzz variant ${v.name} does not compile: ${compiled.reason}`);
    return compiled.template;
  });
}

// Mostly well-formed pieces (so that a good share compiles and meets hostile events), some not.
const literalPart = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[a-zA-Z0-9:_-][a-zA-Z0-9:/_-]{0,10}$/) },
  { weight: 2, arbitrary: fc.constantFrom('/', '-', ':', '_') },
  { weight: 1, arbitrary: fc.constantFrom('//', 'default', '/default', '.', ' ', 'é', '..', '{', '}', '|', '\u0000') },
);
const VALID_FILTERS = [
  'lower',
  'upper',
  'slug',
  'short',
  'truncate:1',
  'truncate:20',
  'truncate:255',
  'default:x',
  'default:a/b',
  'default:default',
];
const INVALID_FILTERS = [
  'truncate:0',
  'truncate:256',
  'truncate:-1',
  'truncate:1e2',
  'truncate',
  'default:',
  'default:é',
  'default:/default',
  'nope',
  'slug:1',
  '',
  'SLUG',
];
const placeholder = fc
  .record({
    name: fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom(...EVENT_FIELD_NAMES, 'env', 'team') },
      { weight: 1, arbitrary: fc.constantFrom('constructor', '__proto__', 'toString', 'nope', '1x', '', 'key id') },
    ),
    filters: fc.array(
      fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom(...VALID_FILTERS) },
        { weight: 1, arbitrary: fc.constantFrom(...INVALID_FILTERS) },
      ),
      { maxLength: 4 },
    ),
  })
  .map((p) => `{${[p.name, ...p.filters].join('|')}}`);
const templateSource = fc
  .tuple(
    fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom('alias/', 'alias/x/', 'alias/k:') },
      { weight: 1, arbitrary: fc.constantFrom('x/', '', 'Alias/') },
    ),
    fc.array(fc.oneof({ weight: 2, arbitrary: placeholder }, { weight: 1, arbitrary: literalPart }), {
      minLength: 1,
      maxLength: 6,
    }),
  )
  .map(([prefix, parts]) => prefix + parts.join(''));
const constants = fc.dictionary(
  fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('env', 'team') },
    { weight: 1, arbitrary: fc.constantFrom('key_id', 'constructor', '__proto__', 'x y', 'Env', 'toString') },
  ),
  fc.oneof(
    { weight: 4, arbitrary: fc.stringMatching(/^[a-zA-Z0-9:_-]{1,10}$/) },
    { weight: 1, arbitrary: hostileString },
  ),
  { maxKeys: 3 },
);
/** KeyCreated built directly, bypassing the normaliser: any string in any field, control characters included. */
const rawEvent: fc.Arbitrary<KeyCreated> = fc
  .record({
    key_id: fc.oneof(validKeyId, hostileString),
    project_id: hostileString,
    region: fc.option(hostileString, { nil: undefined }),
    domain_id: fc.option(hostileString, { nil: undefined }),
    key_alias: fc.option(hostileString, { nil: undefined }),
    key_spec: fc.option(hostileString, { nil: undefined }),
    key_usage: fc.option(hostileString, { nil: undefined }),
    origin: fc.option(hostileString, { nil: undefined }),
    enterprise_project_id: fc.option(hostileString, { nil: undefined }),
    created_at: fc.option(
      fc.oneof(
        hostileString,
        fc.date({ noInvalidDate: false }).map((d) => (Number.isNaN(d.getTime()) ? 'x' : d.toISOString())),
      ),
      { nil: undefined },
    ),
    created_by: fc.option(fc.record({ name: hostileString }), { nil: undefined }),
  })
  .map((r) => {
    const event: Record<string, unknown> = { source: 'canonical', envelopes: [] };
    for (const [k, v] of Object.entries(r)) if (v !== undefined) event[k] = v;
    return event as unknown as KeyCreated;
  });

export async function runFuzz(options: FuzzOptions): Promise<FuzzSummary> {
  const started = performance.now();
  const progress = options.progress ?? (() => undefined);
  const violations: Violation[] = [];
  const prototypes = prototypeSnapshot();
  const templates = variantTemplates();
  const summary: FuzzSummary = {
    seed: options.seed,
    durationMs: 0,
    normaliser: { bodies: 0, kinds: new Map(), aliasesDerived: 0 },
    templates: { runs: 0, compiled: 0 },
    handler: {
      bodies: 0,
      batches: 0,
      variants: new Map(),
      origins: new Map(),
      outcomes: new Map(),
      reasons: new Map(),
      dispositions: new Map(),
      aliasesCreated: 0,
      dlqRecords: 0,
      requests: 0,
    },
    violations,
  };

  // 1. The normaliser and the naming layer, over every generated body.
  if (options.normaliserBodies > 0) {
    progress(`normaliser: ${options.normaliserBodies} bodies`);
    fc.assert(
      fc.property(anyBody, ({ origin, body }) => {
        summary.normaliser.bodies += 1;
        try {
          const { result, violations: found } = checkNormalised(body);
          for (const message of found) violations.push({ phase: 'normaliser', message, origin, body });
          if (result === undefined) return;
          bump(summary.normaliser.kinds, 'reason' in result ? `${result.kind}:${result.reason}` : result.kind);
          if (result.kind !== 'key_created') return;
          for (const template of templates) {
            const derived = checkDerived(template, result.event);
            if (derived.alias !== undefined) summary.normaliser.aliasesDerived += 1;
            for (const message of derived.violations) violations.push({ phase: 'normaliser', message, origin, body });
          }
        } catch (err) {
          violations.push({ phase: 'normaliser', message: `fuzz check threw: ${(err as Error)?.stack}`, origin, body });
        }
      }),
      { seed: options.seed, numRuns: options.normaliserBodies },
    );
    for (const message of pollutionViolations(prototypes)) violations.push({ phase: 'normaliser', message });
  }

  // 2. Templates: random ones compiled with hostile constants, then fed hostile events.
  if (options.templateRuns > 0) {
    progress(`templates: ${options.templateRuns} runs`);
    fc.assert(
      fc.property(templateSource, constants, rawEvent, (source, consts, event) => {
        summary.templates.runs += 1;
        const where = `template ${JSON.stringify(source)} constants ${JSON.stringify(consts)}`;
        let compiled: ReturnType<typeof compileAliasTemplate>;
        try {
          compiled = compileAliasTemplate(source, consts);
        } catch (err) {
          violations.push({
            phase: 'templates',
            message: `compileAliasTemplate threw ${(err as Error)?.message}: ${where}`,
          });
          return;
        }
        if (!compiled.ok) {
          if (typeof compiled.reason !== 'string' || compiled.reason === '')
            violations.push({ phase: 'templates', message: `refused without a reason: ${where}` });
          return;
        }
        summary.templates.compiled += 1;
        for (const e of [event, SAMPLE_KEY_CREATED]) {
          for (const message of checkDerived(compiled.template, e).violations) {
            violations.push({
              phase: 'templates',
              message: `${message} (${where})`,
              body: JSON.stringify(e).slice(0, 2_000),
            });
          }
        }
      }),
      { seed: options.seed, numRuns: options.templateRuns },
    );
    for (const message of pollutionViolations(prototypes)) violations.push({ phase: 'templates', message });
  }

  // 3. The real handler, batches of 10.
  if (options.handlerBodies > 0) {
    const batches = Math.ceil(options.handlerBodies / 10);
    progress(`handler: ${batches} batches of 10 through the real handler`);
    const harness = await startFuzzHarness();
    try {
      // One key in ten is not created in KMS first, so "key not found" paths are fuzzed too.
      const record: fc.Arbitrary<FuzzRecord> = fc
        .record({
          generated: anyBody,
          receiveCount: fc.constantFrom(1, 1, 1, 2, MAX_RECEIVE_COUNT),
          seed: fc.nat({ max: 9 }),
        })
        .map(({ generated, receiveCount, seed }) => ({
          body: fitSqsMessage(sanitizeForFauxqs(generated.body)),
          origin: generated.origin,
          receiveCount,
          seedKey: seed !== 0,
        }));
      const batch = fc.record({
        variant: fc.nat({ max: VARIANTS.length - 1 }),
        records: fc.array(record, { minLength: 10, maxLength: 10 }),
      });
      await fc.assert(
        fc.asyncProperty(batch, async (input) => {
          summary.handler.batches += 1;
          summary.handler.bodies += input.records.length;
          bump(summary.handler.variants, VARIANTS[input.variant]?.name ?? '?', input.records.length);
          if (summary.handler.batches % 100 === 0) progress(`handler: ${summary.handler.batches}/${batches} batches`);
          try {
            const report = await harness.runBatch(input);
            for (const m of report.messages) {
              bump(summary.handler.origins, m.origin);
              bump(summary.handler.outcomes, m.outcome);
              bump(summary.handler.reasons, m.reason === undefined ? m.outcome : `${m.outcome}:${m.reason}`);
              bump(summary.handler.dispositions, m.disposition);
              if (m.outcome === 'created') summary.handler.aliasesCreated += 1;
            }
            summary.handler.dlqRecords += report.dlqRecords;
            summary.handler.requests += report.requests;
            for (const v of report.violations) {
              const r = v.record >= 0 ? input.records[v.record] : undefined;
              violations.push({
                phase: 'handler',
                message: `[${VARIANTS[input.variant]?.name}] ${v.message}`,
                ...(r === undefined ? {} : { origin: r.origin, body: r.body }),
              });
            }
          } catch (err) {
            violations.push({ phase: 'handler', message: `fuzz harness threw: ${(err as Error)?.stack}` });
          }
        }),
        { seed: options.seed, numRuns: batches },
      );
    } finally {
      await harness.stop();
    }
  }
  summary.durationMs = performance.now() - started;
  return summary;
}

function table(map: Map<string, number>, indent = '    '): string {
  return [...map]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([k, n]) => `${indent}${String(n).padStart(6)}  ${k}`)
    .join('\n');
}

/** Distinct violation messages with their counts, most frequent first. */
export function groupViolations(
  violations: readonly Violation[],
): Array<{ message: string; count: number; example: Violation }> {
  const groups = new Map<string, { message: string; count: number; example: Violation }>();
  for (const v of violations) {
    const key = `${v.phase}: ${v.message}`;
    const g = groups.get(key);
    if (g === undefined) groups.set(key, { message: key, count: 1, example: v });
    else g.count += 1;
  }
  return [...groups.values()].sort((a, b) => b.count - a.count);
}

export function formatSummary(s: FuzzSummary): string {
  const h = s.handler;
  const groups = groupViolations(s.violations);
  const out = [
    `fuzz seed ${s.seed} (rerun with --seed ${s.seed}), ${(s.durationMs / 1000).toFixed(1)} s`,
    `bodies tried: ${s.normaliser.bodies + h.bodies} (${s.normaliser.bodies} through normaliseEvent + naming, ${h.bodies} through the real handler in ${h.batches} batches of 10); ${s.templates.runs} random templates (${s.templates.compiled} compiled)`,
    '',
    `normaliser outcomes (${s.normaliser.bodies} bodies; ${s.normaliser.aliasesDerived} aliases derived across ${VARIANTS.length} templates):`,
    table(s.normaliser.kinds),
    '',
    'handler bodies by configuration (template / auth):',
    table(h.variants),
    '',
    'handler bodies by origin:',
    table(h.origins),
    '',
    'handler outcomes by kind:',
    table(h.outcomes),
    '',
    'handler reasons by count:',
    table(h.reasons),
    '',
    'handler dispositions:',
    table(h.dispositions),
    '',
    `aliases created: ${h.aliasesCreated}; DLQ records: ${h.dlqRecords}; HTTP requests checked: ${h.requests}`,
    `Object/Array/Function/String.prototype after the run: ${s.violations.some((v) => /prototype|\(\{\}\)\./.test(v.message)) ? 'POLLUTED' : 'unchanged'}`,
    `failures found: ${s.violations.length}${groups.length > 0 ? ` (${groups.length} distinct)` : ''}`,
  ];
  for (const g of groups.slice(0, 25)) {
    out.push(`  ${String(g.count).padStart(5)} × ${g.message.slice(0, 300)}`);
    if (g.example.body !== undefined)
      out.push(`          e.g. ${g.example.origin ?? ''} body ${JSON.stringify(g.example.body.slice(0, 300))}`);
  }
  return out.join('\n');
}
