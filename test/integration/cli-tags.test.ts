import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_KEYS, demoEnv, seedDemoProject } from '../../cli/demo.ts';
import { type KmsEmulator, startKmsEmulator } from '../../emulator/kms-emulator.ts';
import type { BackfillReport } from '../../lib/backfill/run-backfill.ts';
import type { DriftReport } from '../../lib/reconcile/find-drift.ts';
import { LOCAL_EMULATOR_ACCOUNT } from '../support/local-account.ts';
import { runCli } from '../unit/cli/run-cli.ts';

// backfill and reconcile with TAG_TEMPLATE set, against the KMS emulator (issue 12 docs/huawei-kms.md#alias-api).

let emulator: KmsEmulator;
let env: Record<string, string>;

beforeAll(async () => {
  emulator = await startKmsEmulator({ accounts: [LOCAL_EMULATOR_ACCOUNT] });
  env = {
    ...demoEnv(emulator.url),
    KMS_RATE_LIMIT: '1000',
    RETRY_MIN_DELAY_MS: '1',
    RETRY_MAX_DELAY_MS: '5',
    TAG_TEMPLATE: 'managed_by=kms-auto-alias,name={key_alias|slug|truncate:43}',
  };
});
afterAll(async () => emulator.stop());
beforeEach(() => emulator.reset());

const tagsOf = (keyId: string) => Object.fromEntries(emulator.tags.tagsOf(keyId).map((t) => [t.key, t.value]));

describe('tags in backfill and reconcile', () => {
  it('reconcile reports missing and drifted managed tags, never the others; backfill adds the missing ones and keeps the drifted', async () => {
    seedDemoProject(emulator);
    emulator.tags.put(DEMO_KEYS.reporting, { managed_by: 'someone-else', cost_center: '42' });

    const before = await runCli(['reconcile', '--json'], { env });
    const drift = before.json<DriftReport>().tag_drift ?? [];
    expect(drift).toContainEqual(
      expect.objectContaining({
        key_id: DEMO_KEYS.reporting,
        kind: 'tag_drift',
        tag: 'managed_by',
        found: 'someone-else',
      }),
    );
    expect(drift.some((d) => d.tag === 'cost_center')).toBe(false);
    expect(drift.filter((d) => d.kind === 'tag_missing').length).toBeGreaterThan(0);

    const dry = await runCli(['backfill', '--dry-run', '--json'], { env });
    expect(dry.json<BackfillReport>().results.some((r) => r.tags === 'would_apply')).toBe(true);
    expect(emulator.tags.writes).toEqual([]);

    const run = await runCli(['backfill', '--json'], { env });
    const report = run.json<BackfillReport>();
    expect(run.code).toBe(1); // the kept conflict (and the demo's alias conflict) are findings
    expect(report.summary.tags?.conflict).toBe(1);
    expect(tagsOf(DEMO_KEYS.reporting)).toMatchObject({ managed_by: 'someone-else', cost_center: '42' });
    const applied = report.results.filter((r) => r.tags === 'applied');
    expect(applied.length).toBeGreaterThan(0);
    for (const r of applied) expect(tagsOf(r.key_id)).toMatchObject({ managed_by: 'kms-auto-alias' });
    expect(emulator.tags.writes.filter((w) => w.from !== undefined)).toEqual([]);

    const after = await runCli(['reconcile', '--json'], { env });
    expect((after.json<DriftReport>().tag_drift ?? []).map((d) => [d.key_id, d.kind])).toEqual([
      [DEMO_KEYS.reporting, 'tag_drift'],
    ]);
  });
});
