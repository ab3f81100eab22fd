import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { KeyCreated } from '../../lib/events/key-created.ts';
import { normaliseEvent } from '../../lib/events/normalise-event.ts';
import { checkAlias } from '../../lib/naming/alias-rules.ts';
import type { CompiledTemplate } from '../../lib/naming/compile-alias-template.ts';
import { type AliasPart, deriveAlias, explainAlias } from '../../lib/naming/derive-alias.ts';
import { type CliIo, EXIT, type ExitCode, UsageError } from '../cli-io.ts';
import { renderTable } from '../format-table.ts';
import { loadOperatorNaming, loadOperatorPlacement } from '../load-operator-config.ts';
import { type PlacementMap, placeEvent } from '../../lib/core/place-event.ts';
import type { Command } from '../parse-command-line.ts';
import type { CompiledTagTemplate } from '../../lib/tags/compile-tag-template.ts';
import { formatTags, type RenderedTag, renderTags } from '../../lib/tags/render-tags.ts';
import type { TagRuleViolation } from '../../lib/tags/tag-rules.ts';

/** What the tag template (TAG_TEMPLATE or --tags) makes of an event, with the alias it was given. */
export type TagExplanation =
  | { status: 'ok'; tags: RenderedTag[] }
  | { status: 'invalid'; reason: string; violations: TagRuleViolation[]; tags: RenderedTag[] };

type ExplainCommand = Extract<Command, { name: 'explain' }>;

/**
 * Whether the configured projects (and accounts) serve the event, as the handler decides before
 * naming (lib/core/place-event.ts); absent when no project is configured in the environment.
 */
export type PlacementExplanation =
  | { served: true; region: string; account?: string }
  | { served: false; kind: 'skipped' | 'invalid'; reason: string; detail: string };

/** What the template makes of one body. */
export type Explanation =
  | {
      file: string;
      status: 'ok';
      event: KeyCreated;
      alias: string;
      parts: AliasPart[];
      explanation: string;
      /** Absent when tags are off. */
      tags?: TagExplanation;
      placement?: PlacementExplanation;
    }
  | {
      file: string;
      status: 'naming_failed';
      event: KeyCreated;
      placement?: PlacementExplanation;
      code: 'MISSING_FIELD' | 'INVALID_ALIAS';
      reason: string;
      /** The alias as filled in, before the rules refused it (absent when a field was missing). */
      attempted?: string;
      rules_broken: string[];
      parts: AliasPart[];
    }
  | { file: string; status: 'not_a_key_event'; kind: 'skipped' | 'invalid'; reason: string; detail: string };

/** Pure: normalise, derive, check. No network, no clock. */
export function explainBody(
  file: string,
  body: string,
  template: CompiledTemplate,
  tagTemplate?: CompiledTagTemplate,
  placementMap?: PlacementMap,
): Explanation {
  // The configured projects place a replica whose trace omits its project, as in the handler.
  const normalised = normaliseEvent(body, placementMap === undefined ? {} : { projects: placementMap.projects });
  if (normalised.kind === 'key_deletion_scheduled' || normalised.kind === 'key_deletion_cancelled') {
    // No alias is derived from a deletion trace: ON_KEY_DELETION decides what happens to the key's aliases.
    return {
      file,
      status: 'not_a_key_event',
      kind: 'skipped',
      reason: normalised.kind,
      detail: `${normalised.kind} of key ${normalised.event.key_id}: handled by ON_KEY_DELETION, no alias derived`,
    };
  }
  if (normalised.kind !== 'key_created') {
    return {
      file,
      status: 'not_a_key_event',
      kind: normalised.kind,
      reason: normalised.reason,
      detail: normalised.detail,
    };
  }
  const event = normalised.event;
  const placement = placementMap === undefined ? {} : { placement: explainPlacement(event, placementMap) };
  const derived = deriveAlias(template, event);
  if (derived.ok) {
    const explained = { file, status: 'ok' as const, event, alias: derived.alias, parts: derived.parts, ...placement };
    if (tagTemplate === undefined)
      return { ...explained, explanation: explainAlias(template, derived.alias, derived.parts) };
    const rendered = renderTags(tagTemplate, event, derived.alias);
    const tags: TagExplanation = rendered.ok
      ? { status: 'ok', tags: rendered.rendered }
      : { status: 'invalid', reason: rendered.reason, violations: rendered.violations, tags: rendered.rendered };
    return { ...explained, explanation: explainAlias(template, derived.alias, derived.parts), tags };
  }
  const attempted = derived.code === 'INVALID_ALIAS' ? fill(template, derived.parts) : undefined;
  return {
    file,
    status: 'naming_failed',
    event,
    ...placement,
    code: derived.code,
    reason: derived.reason,
    ...(attempted === undefined ? {} : { attempted }),
    rules_broken: attempted === undefined ? [] : checkAlias(attempted),
    parts: derived.parts,
  };
}

function explainPlacement(event: KeyCreated, map: PlacementMap): PlacementExplanation {
  const placed = placeEvent(event, map);
  if (!placed.ok) {
    const { kind, reason, detail } = placed.outcome;
    return { served: false, kind, reason, detail };
  }
  return placed.account === undefined
    ? { served: true, region: placed.region }
    : { served: true, region: placed.region, account: placed.account.name };
}

/** The template's literals and the parts' values, in order: the alias as filled in. */
function fill(template: CompiledTemplate, parts: readonly AliasPart[]): string {
  let i = 0;
  return template.segments.map((s) => (s.kind === 'literal' ? s.text : (parts[i++]?.value ?? ''))).join('');
}

export async function runExplain(command: ExplainCommand, io: CliIo): Promise<ExitCode> {
  const naming = loadOperatorNaming(command.tags === undefined ? io.env : { ...io.env, TAG_TEMPLATE: command.tags }, {
    ...(command.template === undefined ? {} : { template: command.template }),
    vars: command.vars,
  });
  const template = naming.aliasTemplate;
  const tagTemplate = naming.tagTemplate;
  const placement = loadOperatorPlacement(io.env);
  const inputs = await readInputs(command, io);
  const results = inputs.map(({ file, body }) => explainBody(file, body, template, tagTemplate, placement));
  const failed = results.some(
    (r) => r.status !== 'ok' || r.tags?.status === 'invalid' || r.placement?.served === false,
  );

  for (const warning of template.warnings) io.stderr.write(`warning: ${warning}\n`);
  for (const warning of tagTemplate?.warnings ?? []) io.stderr.write(`warning: tags: ${warning}\n`);
  if (command.json) {
    io.stdout.write(
      `${JSON.stringify({ template: template.source, warnings: template.warnings, results }, null, 2)}\n`,
    );
  } else if (command.events === undefined) {
    const [only] = results;
    if (only !== undefined) io.stdout.write(renderOne(only, template));
  } else {
    io.stdout.write(renderMany(results, template));
  }
  return failed ? EXIT.findings : EXIT.ok;
}

async function readInputs(command: ExplainCommand, io: CliIo): Promise<Array<{ file: string; body: string }>> {
  const cwd = io.cwd ?? process.cwd();
  if (command.events !== undefined) {
    const dir = resolve(cwd, command.events);
    let names: string[];
    try {
      names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
    } catch (err) {
      throw new UsageError(
        `cannot read --events ${command.events}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      );
    }
    if (names.length === 0) throw new UsageError(`--events ${command.events} holds no *.json file`);
    return Promise.all(
      names.map(async (n) => ({ file: join(command.events ?? '', n), body: await readFile(join(dir, n), 'utf8') })),
    );
  }
  if (command.event !== undefined && command.event !== '-') {
    try {
      return [{ file: command.event, body: await readFile(resolve(cwd, command.event), 'utf8') }];
    } catch (err) {
      throw new UsageError(
        `cannot read --event ${command.event}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      );
    }
  }
  const stdin = io.stdin;
  if (stdin === undefined || (stdin.isTTY === true && command.event === undefined)) {
    throw new UsageError('give --event FILE, --events DIR, or a body on stdin');
  }
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  return [{ file: '(stdin)', body: Buffer.concat(chunks).toString('utf8') }];
}

function renderParts(parts: readonly AliasPart[]): string {
  if (parts.length === 0) return '';
  return renderTable(
    ['PLACEHOLDER', 'FROM', 'FIELD', 'RAW', 'VALUE'],
    parts.map((p) => [p.placeholder, p.source, p.field, JSON.stringify(p.raw), JSON.stringify(p.value)]),
  );
}

function renderOne(r: Explanation, template: CompiledTemplate): string {
  const lines = [`template  ${template.source}`, `event     ${r.file}`];
  if (r.status === 'not_a_key_event') {
    lines.push(`result    not a key-created event (${r.kind}: ${r.reason})`, `          ${r.detail}`);
    return `${lines.join('\n')}\n`;
  }
  lines.push(
    `shape     ${[...r.event.envelopes, r.event.source].join(' > ')}`,
    '',
    'normalised event:',
    JSON.stringify(r.event, null, 2),
    '',
  );
  lines.push(...renderPlacementLines(r.event, r.placement));
  if (r.status === 'ok') {
    lines.push(`alias     ${r.alias}`, 'rules     all followed', '', renderParts(r.parts), r.explanation);
    lines.push(...renderTagLines(r.tags));
  } else {
    lines.push(`alias     none: ${r.code}`, `reason    ${r.reason}`);
    if (r.attempted !== undefined) lines.push(`filled    ${r.attempted}`);
    for (const rule of r.rules_broken) lines.push(`broken    ${rule}`);
    lines.push('', renderParts(r.parts).trimEnd());
  }
  return `${lines.join('\n')}\n`;
}

function renderMany(results: readonly Explanation[], template: CompiledTemplate): string {
  const withTags = results.some((r) => r.status === 'ok' && r.tags !== undefined);
  const rows = results.map((r) => {
    if (r.status === 'not_a_key_event')
      return [r.file, '-', '-', `not a key event: ${r.reason}`, ...(withTags ? ['-'] : [])];
    const shape = [...r.event.envelopes, r.event.source].join('>');
    if (r.status === 'ok') {
      const tags =
        r.tags === undefined
          ? '-'
          : r.tags.status === 'ok'
            ? formatTags(r.tags.tags)
            : `INVALID_TAGS: ${r.tags.reason}`;
      const alias = r.placement?.served === false ? `${r.alias} (not served: ${r.placement.reason})` : r.alias;
      return [r.file, shape, r.event.key_id, alias, ...(withTags ? [tags] : [])];
    }
    return [r.file, shape, r.event.key_id, `${r.code}: ${r.reason}`, ...(withTags ? ['-'] : [])];
  });
  const ok = results.filter((r) => r.status === 'ok').length;
  const headers = ['EVENT', 'SHAPE', 'KEY ID', 'ALIAS / PROBLEM', ...(withTags ? ['TAGS'] : [])];
  return `template  ${template.source}\n\n${renderTable(headers, rows)}\n${ok} of ${results.length} events give a valid alias\n`;
}

/** Whether the configuration serves the event, and with which account. */
function renderPlacementLines(event: KeyCreated, placement: PlacementExplanation | undefined): string[] {
  if (placement === undefined) return [];
  if (!placement.served) {
    return [
      `served    no, the function would not act: ${placement.kind} ${placement.reason}`,
      `          ${placement.detail}`,
      '',
    ];
  }
  const account = placement.account === undefined ? '' : `account ${placement.account}, `;
  return [`served    yes: ${account}project ${event.project_id} (${placement.region})`, ''];
}

/** One line per tag: its value and where each part came from; the broken rules when invalid. */
function renderTagLines(tags: TagExplanation | undefined): string[] {
  if (tags === undefined) return ['', 'tags      off (TAG_TEMPLATE not set)'];
  const lines = ['', tags.status === 'ok' ? 'tags      all rules followed' : `tags      none sent: ${tags.reason}`];
  for (const tag of tags.tags) {
    const made = tag.parts.map((p) => `${p.placeholder} from ${p.source}`).join(', ');
    lines.push(`  ${tag.key} = ${JSON.stringify(tag.value)}${made === '' ? '  (fixed)' : `  (${made})`}`);
  }
  if (tags.status === 'invalid') for (const v of tags.violations) lines.push(`broken    ${v.reason}`);
  return lines;
}
