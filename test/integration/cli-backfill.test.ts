import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_KEYS, demoEnv, seedDemoProject } from '../../cli/demo.ts';
import { FAULT_PRESETS, type KmsEmulator, startKmsEmulator } from '../../emulator/kms-emulator.ts';
import type { BackfillReport } from '../../lib/backfill/run-backfill.ts';
import { LOCAL_ACCOUNT, LOCAL_EMULATOR_ACCOUNT } from '../support/local-account.ts';
import { runCli } from '../unit/cli/run-cli.ts';

// `kms-auto-alias backfill` in-process against the KMS emulator over HTTP (signatures verified).

const PROJECT = LOCAL_ACCOUNT.projectId;
let emulator: KmsEmulator;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  emulator = await startKmsEmulator({ accounts: [LOCAL_EMULATOR_ACCOUNT] });
  dir = mkdtempSync(join(tmpdir(), 'cli-backfill-'));
  env = {
    ...demoEnv(emulator.url),
    KMS_RATE_LIMIT: '1000',
    RETRY_MIN_DELAY_MS: '1',
    RETRY_MAX_DELAY_MS: '5',
    RETRY_THROTTLE_MIN_DELAY_MS: '1',
  };
});
afterAll(async () => {
  await emulator.stop();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => emulator.reset());

const calls = (operation: string) => emulator.calls.filter((c) => c.operation === operation);
const WRITES = ['createAlias', 'deleteAlias', 'associateAlias', 'createKey'];
const keyId = (n: number) => `0b0b0b0b-0000-4000-8000-${String(n).padStart(12, '0')}`;

function seedEnabledKeys(count: number): string[] {
  return Array.from(
    { length: count },
    (_, i) => emulator.state.createKey(PROJECT, { key_id: keyId(i + 1), key_alias: `app-key-${i + 1}` }).key_id,
  );
}

describe('kms-auto-alias backfill', () => {
  it('--dry-run makes no writes and predicts every outcome, with every skip reason', async () => {
    seedDemoProject(emulator);
    emulator.state.createKey(PROJECT, { key_id: keyId(99), key_alias: 'not-yet', key_state: '1' });
    const before = emulator.state.allAliases(PROJECT);
    const run = await runCli(['backfill', '--dry-run', '--json'], { env });

    expect(run.code).toBe(1); // the conflict is a finding
    expect(emulator.calls.filter((c) => WRITES.includes(c.operation))).toEqual([]);
    expect(emulator.state.allAliases(PROJECT)).toEqual(before);
    const report = run.json<BackfillReport>();
    const outcome = (id: string) => report.results.find((r) => r.key_id === id);
    expect(outcome(DEMO_KEYS.payments)).toMatchObject({
      outcome: 'would_create',
      alias: 'alias/demo/payments-db-aes_256',
    });
    expect(outcome(DEMO_KEYS.orders)).toMatchObject({ outcome: 'already_present' });
    expect(outcome(DEMO_KEYS.customer)).toMatchObject({ outcome: 'conflict', existing_key_id: DEMO_KEYS.customerOld });
    expect(report.summary).toMatchObject({
      would_create: 2,
      already_present: 2,
      conflict: 1,
      created: 0,
      skipped: {
        default_key: 1,
        disabled: 2,
        pending_deletion: 1,
        pending_import: 1,
        dedicated_keystore: 1,
        pending_activation: 1,
      },
    });
    for (const [id, reason] of [
      [DEMO_KEYS.obsDefault, 'default_key'],
      [DEMO_KEYS.retired, 'disabled'],
      [DEMO_KEYS.leaving, 'pending_deletion'],
      [DEMO_KEYS.byok, 'pending_import'],
      [DEMO_KEYS.hsm, 'dedicated_keystore'],
      [keyId(99), 'pending_activation'],
    ] as const) {
      expect(outcome(id)).toMatchObject({ outcome: 'skipped', reason, detail: expect.any(String) });
    }
  });

  it('aliases every eligible key once through the idempotent create, and prints a summary table', async () => {
    seedDemoProject(emulator);
    const run = await runCli(['backfill'], { env });

    expect(run.code).toBe(1);
    expect(emulator.state.aliasesOf(DEMO_KEYS.payments)).toEqual(['alias/demo/payments-db-aes_256']);
    expect(emulator.state.aliasesOf(DEMO_KEYS.audit)).toEqual(['alias/demo/audit-signing-sm2']);
    expect(emulator.state.aliasesOf(DEMO_KEYS.orders)).toEqual(['alias/demo/orders-api-rsa_2048']);
    expect(emulator.state.aliasesOf(DEMO_KEYS.customer)).toEqual([]);
    for (const skipped of [DEMO_KEYS.obsDefault, DEMO_KEYS.retired, DEMO_KEYS.leaving, DEMO_KEYS.byok, DEMO_KEYS.hsm]) {
      expect(emulator.state.aliasesOf(skipped)).toEqual([]);
    }
    // One create per eligible key; list-keys asked for every spec.
    expect(
      calls('createAlias')
        .map((c) => c.keyId)
        .sort(),
    ).toEqual([DEMO_KEYS.payments, DEMO_KEYS.orders, DEMO_KEYS.reporting, DEMO_KEYS.customer, DEMO_KEYS.audit].sort());
    expect(run.stdout).toMatch(/payments-db\s+created\s+alias\/demo\/payments-db-aes_256/);
    expect(run.stdout).toMatch(/customer-pii\s+conflict\s+alias\/demo\/customer-pii-aes_256 is held by/);
    expect(run.stdout).toMatch(
      /created\s+2\nalready present\s+2\nskipped: dedicated keystore\s+1\nskipped: default key\s+1\nskipped: disabled\s+2\nskipped: pending deletion\s+1\nskipped: pending import\s+1\nconflict\s+1\nfailed\s+0\ntotal\s+11/,
    );
    expect(run.stderr).toContain('backfill: page 1: 11 keys');
  });

  it('exits 0 on a project without conflicts, and a second run only finds aliases present', async () => {
    seedEnabledKeys(3);
    expect((await runCli(['backfill'], { env })).code).toBe(0);
    const again = await runCli(['backfill', '--json'], { env });
    expect(again.code).toBe(0);
    expect(again.json<BackfillReport>().summary).toMatchObject({ created: 0, already_present: 3 });
    for (let i = 1; i <= 3; i++)
      expect(emulator.state.aliasesOf(keyId(i))).toEqual([`alias/demo/app-key-${i}-aes_256`]);
  });

  it('resumes an interrupted run without redoing done keys, leaving exactly one alias per key', async () => {
    const ids = seedEnabledKeys(12);
    const journal = join(dir, 'interrupted.jsonl');
    emulator.faults.add({ operation: 'createAlias', action: { kind: 'latency', ms: 15 } });
    const controller = new AbortController();
    const watch = setInterval(() => {
      if (calls('createAlias').length >= 4) controller.abort();
    }, 1);
    const first = await runCli(['backfill', '--resume', journal, '--page-size', '5', '--json'], {
      env,
      signal: controller.signal,
    });
    clearInterval(watch);

    expect(first.code).toBe(130);
    const firstReport = first.json<BackfillReport>();
    expect(firstReport).toMatchObject({ interrupted: true, complete: false });
    const doneFirst = firstReport.results.map((r) => r.key_id);
    expect(doneFirst.length).toBeGreaterThanOrEqual(4);
    expect(doneFirst.length).toBeLessThan(12);
    expect(first.stderr).toContain(`run the same command again to continue from ${journal}`);

    emulator.resetCalls();
    const second = await runCli(['backfill', '--resume', journal, '--page-size', '5', '--json'], { env });
    expect(second.code).toBe(0);
    const report = second.json<BackfillReport>();
    expect(report).toMatchObject({ complete: true, interrupted: false, earlier_keys: doneFirst.length });
    expect(report.summary).toMatchObject({ total: 12, created: 12, failed: 0 });
    const createdNow = calls('createAlias').map((c) => c.keyId);
    expect(createdNow.filter((id) => doneFirst.includes(id ?? ''))).toEqual([]);
    expect(createdNow).toHaveLength(12 - doneFirst.length);
    for (const [i, id] of ids.entries())
      expect(emulator.state.aliasesOf(id)).toEqual([`alias/demo/app-key-${i + 1}-aes_256`]);

    const third = await runCli(['backfill', '--resume', journal], { env });
    expect(third.code).toBe(0);
    expect(third.stdout).toContain('12 keys settled by earlier runs');
    expect(third.stdout).toMatch(/created\s+12/);
    const lines = readFileSync(journal, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).type);
    expect(lines.at(-1)).toBe('complete');
  });

  it('keeps failed keys in the journal and retries only them on the next run', async () => {
    seedEnabledKeys(6);
    const journal = join(dir, 'failed.jsonl');
    emulator.faults.add({
      operation: 'createAlias',
      times: 1,
      action: { status: 403, code: 'KMS.0306', message: 'The user has no permission on the key.', shape: 'nested' },
    });
    const first = await runCli(['backfill', '--resume', journal, '--page-size', '4', '--json'], { env });
    expect(first.code).toBe(1);
    const failed = first.json<BackfillReport>().results.filter((r) => r.outcome === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ reason: 'kms_forbidden' });
    expect(first.stderr).toContain('1 key failed: run the same command again to retry them');
    expect(first.stderr).toMatch(/backfill: page 1: 4 keys, 4 listed so far, 1 failed\n/);

    emulator.resetCalls();
    const second = await runCli(['backfill', '--resume', journal, '--page-size', '4', '--json'], { env });
    expect(second.code).toBe(0);
    expect(calls('createAlias').map((c) => c.keyId)).toEqual([failed[0]?.key_id]);
    expect(second.json<BackfillReport>().summary).toMatchObject({ total: 6, created: 6, failed: 0 });
  });

  it('refuses a second run on a journal in use (exit 2), so the journal stays resumable', async () => {
    seedEnabledKeys(6);
    const journal = join(dir, 'concurrent.jsonl');
    emulator.faults.add({ operation: 'createAlias', action: { kind: 'latency', ms: 20 } });
    const argv = ['backfill', '--resume', journal, '--page-size', '2', '--json'];
    const [one, two] = await Promise.all([runCli(argv, { env }), runCli(argv, { env })]);

    expect([one.code, two.code].sort()).toEqual([0, 2]);
    const refused = one.code === 2 ? one : two;
    expect(refused.stderr).toContain(`--resume ${journal} is in use by another backfill`);
    // The journal has one start and is resumable: a third run finds everything done.
    const third = await runCli(argv, { env });
    expect(third.code).toBe(0);
    expect(third.json<BackfillReport>()).toMatchObject({ complete: true, earlier_keys: 6 });
  });

  it('still backfills and reports the other projects when one cannot be listed, and exits 3', async () => {
    const ids = seedEnabledKeys(2);
    // A project this account does not have: KMS refuses it.
    const foreign = 'ffffffffffff4fffafffffffffffffff';
    const several = {
      ...env,
      HUAWEICLOUD_PROJECT_ID: '',
      HUAWEICLOUD_PROJECTS: `${foreign}=cn-north-4,${PROJECT}=cn-north-4`,
    };
    const run = await runCli(['backfill', '--json'], { env: several });

    expect(run.code).toBe(3);
    const body = run.json<{ projects: Array<Partial<BackfillReport> & { error?: string }> }>();
    expect(body.projects.find((p) => p.project_id === PROJECT)?.summary).toMatchObject({ created: 2 });
    expect(body.projects.find((p) => p.project_id === foreign)?.error).toMatch(/KMS_/);
    for (const id of ids) expect(emulator.state.aliasesOf(id)).toHaveLength(1);
    expect(run.stderr).toContain(`project ${foreign} (cn-north-4): could not run`);
  });

  it('stops starting keys when KMS keeps throttling (exit 3), and a later run goes on from the journal', async () => {
    const ids = seedEnabledKeys(12);
    const journal = join(dir, 'throttled.jsonl');
    const throttle = emulator.faults.add({ operation: 'createAlias', action: FAULT_PRESETS.throttle });
    const argv = ['backfill', '--resume', journal, '--page-size', '4', '--json'];
    const first = await runCli(argv, { env: { ...env, RETRY_ATTEMPTS: '1' } });

    expect(first.code).toBe(3);
    expect(first.stderr).toContain('stopped: KMS kept throttling');
    const report = first.json<BackfillReport>();
    expect(report).toMatchObject({ complete: false, stopped: 'throttled' });
    // Only the keys already started were tried: not one create per remaining key.
    const tried = new Set(calls('createAlias').map((c) => c.keyId));
    expect(tried.size).toBeLessThanOrEqual(4);

    throttle.remove();
    const second = await runCli(argv, { env });
    expect(second.code).toBe(0);
    expect(second.json<BackfillReport>().summary).toMatchObject({ total: 12, created: 12, failed: 0 });
    for (const id of ids) expect(emulator.state.aliasesOf(id)).toHaveLength(1);
  });

  it('finds, on resume, a key that moved before the cursor because an earlier key was purged', async () => {
    const ids = seedEnabledKeys(6);
    const journal = join(dir, 'shifted.jsonl');
    const argv = ['backfill', '--resume', journal, '--page-size', '2', '--json'];
    // A first run did page 1 (keys 1 and 2) and was stopped; its cursor is past that page.
    const controller = new AbortController();
    emulator.faults.add({ operation: 'createAlias', action: { kind: 'latency', ms: 20 } });
    const watch = setInterval(() => {
      if (calls('createAlias').length >= 1) controller.abort();
    }, 1);
    const first = await runCli(argv, { env, signal: controller.signal });
    clearInterval(watch);
    expect(first.json<BackfillReport>().results.map((r) => r.key_id)).toEqual([ids[0], ids[1]]);
    expect(readFileSync(journal, 'utf8')).toContain('{"type":"cursor","marker":"2"}');
    // Key 1 is purged (its deletion was scheduled long ago): list-keys positions shift by one, and
    // key 3 is now on the page the cursor skips.
    emulator.state.deleteKey(ids[0] ?? '');

    const second = await runCli(argv, { env });
    expect(second.code).toBe(0);
    expect(second.json<BackfillReport>().complete).toBe(true);
    for (const id of ids.slice(1)) expect(emulator.state.aliasesOf(id)).toHaveLength(1);
  });

  it('refuses a journal written for another template (exit 2)', async () => {
    seedEnabledKeys(1);
    const journal = join(dir, 'template.jsonl');
    expect((await runCli(['backfill', '--resume', journal], { env })).code).toBe(0);
    const run = await runCli(['backfill', '--resume', journal, '--template', 'alias/{key_id}'], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('was written for template alias/{env}/{key_alias|slug}-{key_spec|lower}');
  });

  it('takes the rate from --rate, else KMS_RATE_LIMIT, else 10 a second', async () => {
    const rateOf = async (argv: string[], extra: Record<string, string | undefined>) =>
      (await runCli(['backfill', '--dry-run', '--json', ...argv], { env: { ...env, ...extra } })).json<{
        rate: number;
      }>().rate;
    expect(await rateOf(['--rate', '3'], {})).toBe(3);
    expect(await rateOf([], { KMS_RATE_LIMIT: '7' })).toBe(7);
    expect(await rateOf([], { KMS_RATE_LIMIT: undefined })).toBe(10);
    const loud = await runCli(['backfill', '--dry-run', '--rate', '50'], { env });
    expect(loud.stderr).toContain("above KMS's 20 per user");
  });
});
