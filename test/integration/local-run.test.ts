import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLocal, type LocalRunResult } from '../../local/run-local.ts';
// @ts-expect-error: a plain .mjs build script without type declarations
import { buildHandler } from '../../scripts/build.mjs';
import { SAMPLE_EVENT_NAMES } from '../support/load-event.ts';

// The same runner `npm start` uses: emulator + fauxqs + the built bundle in worker threads,
// drained the way Lambda's SQS event source does.

let result: LocalRunResult;

beforeAll(async () => {
  const built = await buildHandler({ outdir: 'dist/test-local/create-key-alias', quiet: true });
  result = await runLocal({
    eventsDir: join(import.meta.dirname, '..', '..', 'events'),
    extras: true,
    handlerPath: built.handler,
    env: { ALIAS_TEMPLATE: 'alias/{env}/{key_alias|slug}-{key_spec|lower}', ALIAS_VAR_ENV: 'local' },
    batchSize: 4,
    maxConcurrency: 2,
    // Lambda requires visibility ≥ function timeout; nothing here fails transiently, so a
    // long visibility costs nothing and a slow cold start cannot cause a redelivery.
    timeoutMs: 20_000,
    visibilityTimeoutS: 30,
  });
}, 60_000);
afterAll(async () => result?.stop());

describe('npm start (local event-source run)', () => {
  it('passes every check it prints', () => {
    expect(result.checks.filter((c) => !c.pass)).toEqual([]);
    expect(result.checks.length).toBeGreaterThanOrEqual(5);
  });

  it('aliases every sample key with the configured template, one create call each', () => {
    expect(result.scenario.expectedAliases.size).toBe(SAMPLE_EVENT_NAMES.length);
    for (const [keyId, alias] of result.scenario.expectedAliases) {
      expect(alias).toMatch(/^alias\/local\/[a-z0-9-]+-[a-z0-9_]+$/);
      expect(result.aliases.get(keyId)).toEqual([alias]);
    }
    expect(result.calls.get('createAlias 201')).toBe(SAMPLE_EVENT_NAMES.length);
  });

  it('puts the invalid and the conflicting message in the DLQ with their reasons, and nothing else', () => {
    expect(result.dlq.map((d) => d.reason).sort()).toEqual(['conflict', 'invalid:invalid_key_id']);
    const conflict = result.dlq.find((d) => d.reason === 'conflict');
    expect(conflict?.detail).toMatchObject({ existing_key_id: '0c0ff11c-7000-4000-8000-000000000002' });
  });

  it('writes one final audit record per message, in several invocations of batches of 4', () => {
    const outcomes = result.audits.map((a) => a.outcome).sort();
    const created = SAMPLE_EVENT_NAMES.map(() => 'created');
    expect(outcomes).toEqual(['already_present', 'conflict', ...created, 'invalid']);
    expect(result.runner.invocations).toBeGreaterThanOrEqual(3);
    // DLQ-bound messages are deleted from the source queue too: every message was settled.
    expect(result.runner.deleted).toBe(result.scenario.messages.length);
  });
});
