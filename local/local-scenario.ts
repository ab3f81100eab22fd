import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyCreated } from '../lib/events/key-created.ts';
import { normaliseEvent } from '../lib/events/normalise-event.ts';
import type { CompiledTemplate } from '../lib/naming/compile-alias-template.ts';
import { deriveAlias } from '../lib/naming/derive-alias.ts';

/** One message the local run sends, with what should become of it. */
export interface ScenarioMessage {
  label: string;
  body: string;
  expect: 'created' | 'already_present' | 'conflict' | 'invalid' | 'skipped';
}

/** A key the emulator must hold before the run (from an event, or the holder of a conflict). */
export interface ScenarioKey {
  event: KeyCreated;
  aliases: string[];
}

export interface Scenario {
  messages: ScenarioMessage[];
  keys: ScenarioKey[];
  /** Key id → the alias the convention gives it, for every key that should end with one. */
  expectedAliases: Map<string, string>;
}

/**
 * What is wrong with the directory `--events` names, as one line for the user (naming the flag
 * and the path), or undefined when it holds at least one `*.json` body. Checked before anything
 * starts, so a mistyped path ends the run at once instead of in a stack trace, and an empty
 * directory does not give a run whose checks pass over zero messages.
 */
export function eventsDirProblem(dir: string): string | undefined {
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory()) return `--events ${dir}: not a directory`;
    entries = readdirSync(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return `--events ${dir}: no such directory`;
    return `--events ${dir}: cannot read it (${code ?? 'unknown error'})`;
  }
  if (!entries.some((f) => f.endsWith('.json'))) return `--events ${dir}: no *.json files in it`;
  return undefined;
}

/** Reads every `*.json` body in a directory, in name order. */
export function readEventBodies(dir: string): Array<{ name: string; body: string }> {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((name) => ({ name, body: readFileSync(join(dir, name), 'utf8') }));
}

const CONFLICT_KEY = '0c0ff11c-7000-4000-8000-000000000001';
const HOLDER_KEY = '0c0ff11c-7000-4000-8000-000000000002';

/**
 * The embedded default: every sample event, one of them sent twice (a duplicate), an event whose
 * alias another key already holds (a conflict), and a body that is not an event (invalid).
 * With `--events DIR` only the bodies of that directory are sent (plus nothing made up).
 */
export function buildScenario(
  bodies: ReadonlyArray<{ name: string; body: string }>,
  template: CompiledTemplate,
  options: { projectId: string; extras: boolean },
): Scenario {
  const messages: ScenarioMessage[] = [];
  const keys: ScenarioKey[] = [];
  const expectedAliases = new Map<string, string>();
  for (const { name, body } of bodies) {
    const result = normaliseEvent(body);
    if (result.kind === 'key_deletion_scheduled' || result.kind === 'key_deletion_cancelled') continue;
    if (result.kind !== 'key_created') {
      messages.push({ label: name, body, expect: result.kind });
      continue;
    }
    const derived = deriveAlias(template, result.event);
    if (!derived.ok) {
      messages.push({ label: name, body, expect: 'invalid' });
      continue;
    }
    const seen = expectedAliases.has(result.event.key_id);
    if (!seen) keys.push({ event: result.event, aliases: [] });
    expectedAliases.set(result.event.key_id, derived.alias);
    messages.push({ label: name, body, expect: seen ? 'already_present' : 'created' });
  }
  if (options.extras && messages.length > 0) {
    const first = messages.find((m) => m.expect === 'created');
    if (first !== undefined)
      messages.push({ label: `${first.label} (duplicate)`, body: first.body, expect: 'already_present' });
    const conflict: KeyCreated = {
      key_id: CONFLICT_KEY,
      project_id: options.projectId,
      key_alias: 'ledger',
      key_spec: 'AES_256',
      created_by: { name: 'mallory' },
      source: 'canonical',
      envelopes: [],
    };
    const conflictAlias = deriveAlias(template, conflict);
    if (conflictAlias.ok && ![...expectedAliases.values()].includes(conflictAlias.alias)) {
      keys.push({ event: conflict, aliases: [] });
      keys.push({
        event: { ...conflict, key_id: HOLDER_KEY, key_alias: 'ledger-legacy' },
        aliases: [conflictAlias.alias],
      });
      messages.push({
        label: 'conflict (alias held by another key)',
        body: JSON.stringify({
          type: 'kms.key.created',
          key_id: CONFLICT_KEY,
          project_id: options.projectId,
          key_alias: 'ledger',
          key_spec: 'AES_256',
          created_by: 'mallory',
        }),
        expect: 'conflict',
      });
    }
    messages.push({
      label: 'invalid body',
      body: '{"type":"kms.key.created","key_id":"not-a-key-id"}',
      expect: 'invalid',
    });
  }
  return { messages, keys, expectedAliases };
}
