import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEMO_KEYS, demoEnv, seedDemoProject } from '../../cli/demo.ts';
import { type KmsEmulator, startKmsEmulator } from '../../emulator/kms-emulator.ts';
import { createReconcileHandler, type ReconcileFunctionResult } from '../../functions/reconcile/app.ts';
import { buildReconcileDeps } from '../../functions/reconcile/build-deps.ts';
import { loadConfig } from '../../lib/config/load-config.ts';
import type { DriftReport } from '../../lib/reconcile/find-drift.ts';
import { LOCAL_ACCOUNT, LOCAL_EMULATOR_ACCOUNT } from '../support/local-account.ts';
// @ts-expect-error: a plain .mjs build script without type declarations
import { buildReconcileHandler } from '../../scripts/build.mjs';
import { createLambdaContext } from '../support/lambda-context.ts';
import { collectLogLine } from '../setup/secret-scan.ts';
import { runCli } from '../unit/cli/run-cli.ts';

// `kms-auto-alias reconcile` and the scheduled reconcile function, against the KMS emulator.

const PROJECT = LOCAL_ACCOUNT.projectId;
let emulator: KmsEmulator;
let env: Record<string, string>;

beforeAll(async () => {
  emulator = await startKmsEmulator({ accounts: [LOCAL_EMULATOR_ACCOUNT] });
  env = { ...demoEnv(emulator.url), KMS_RATE_LIMIT: '1000', RETRY_MIN_DELAY_MS: '1', RETRY_MAX_DELAY_MS: '5' };
});
afterAll(async () => emulator.stop());
beforeEach(() => emulator.reset());

const NAMELESS = '0a1b2c3d-0000-4000-8000-0000000000ff';

describe('kms-auto-alias reconcile', () => {
  it('reports every kind of drift, key by key, and exits 1', async () => {
    seedDemoProject(emulator);
    emulator.state.createKey(PROJECT, { key_id: NAMELESS, key_alias: ':::' });
    const run = await runCli(['reconcile', '--json'], { env });

    expect(run.code).toBe(1);
    const report = run.json<DriftReport>();
    expect(report.counts).toEqual({
      missing: 2,
      conflict: 1,
      non_conforming: 1,
      naming_failed: 1,
      held_by_pending_deletion: 0,
    });
    expect(report.drift).toEqual(
      expect.arrayContaining([
        {
          kind: 'missing',
          key_id: DEMO_KEYS.payments,
          key_alias: 'payments-db',
          expected_alias: 'alias/demo/payments-db-aes_256',
        },
        {
          kind: 'conflict',
          key_id: DEMO_KEYS.customer,
          key_alias: 'customer-pii',
          expected_alias: 'alias/demo/customer-pii-aes_256',
          held_by: DEMO_KEYS.customerOld,
        },
        {
          kind: 'non_conforming',
          key_id: DEMO_KEYS.reporting,
          key_alias: 'Reporting ETL',
          alias: 'alias/ReportingKey',
          expected_alias: 'alias/demo/reporting-etl-ec_p384',
        },
        expect.objectContaining({ kind: 'naming_failed', key_id: NAMELESS, code: 'MISSING_FIELD' }),
      ]),
    );
    expect(report).toMatchObject({
      keys: 12,
      checked: 6,
      in_order: 1,
      skipped: { default_key: 1, disabled: 2, pending_deletion: 1, pending_import: 1, dedicated_keystore: 1 },
    });
    // Read-only: listings only.
    expect(new Set(emulator.calls.map((c) => c.operation))).toEqual(new Set(['listKeys', 'listAliases']));
  });

  it('prints the drift as a table', async () => {
    seedDemoProject(emulator);
    const run = await runCli(['reconcile'], { env });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/payments-db\s+missing\s+alias\/demo\/payments-db-aes_256\s+backfill would create it/);
    expect(run.stdout).toMatch(
      /Reporting ETL\s+non-conforming\s+alias\/ReportingKey\s+expected alias\/demo\/reporting-etl-ec_p384/,
    );
    expect(run.stdout).toMatch(
      /customer-pii\s+conflict\s+alias\/demo\/customer-pii-aes_256\s+held by 0a1b2c3d-0000-4000-8000-000000000005/,
    );
    expect(run.stdout).toContain('drift found: 4 findings');
    expect(run.stderr).toContain('reconcile: 11 keys listed');
  });

  it('exits 0 on a clean project', async () => {
    emulator.state.createKey(PROJECT, { key_id: DEMO_KEYS.payments, key_alias: 'payments-db' });
    emulator.state.putAlias(PROJECT, DEMO_KEYS.payments, 'alias/demo/payments-db-aes_256');
    emulator.state.putAlias(PROJECT, DEMO_KEYS.payments, 'alias/demo/payments-old-aes_256');
    emulator.state.createKey(PROJECT, {
      key_id: DEMO_KEYS.obsDefault,
      key_alias: 'obs/default',
      default_key_flag: '1',
    });
    const run = await runCli(['reconcile'], { env });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('No drift.');
    expect(run.stdout).toContain('no drift');
  });

  it('pages through keys and aliases, and checks another template with --template', async () => {
    for (let i = 1; i <= 7; i++) {
      const { key_id } = emulator.state.createKey(PROJECT, { key_alias: `k${i}` });
      for (let j = 1; j <= 8; j++) emulator.state.putAlias(PROJECT, key_id, `alias/k${i}-old-${j}`);
    }
    const run = await runCli(['reconcile', '--json', '--page-size', '3', '--template', 'alias/{key_alias}'], { env });
    expect(run.code).toBe(1);
    expect(run.json<DriftReport>()).toMatchObject({
      keys: 7,
      aliases: 56,
      template: 'alias/{key_alias}',
      counts: { missing: 7, non_conforming: 0 },
    });
    expect(emulator.calls.filter((c) => c.operation === 'listKeys')).toHaveLength(3);
    expect(emulator.calls.filter((c) => c.operation === 'listAliases')).toHaveLength(2);
  });
});

describe('kms-auto-alias reconcile over several projects', () => {
  // A project this account does not have: KMS refuses it, so that project cannot be reconciled.
  const FOREIGN = 'ffffffffffff4fffafffffffffffffff';
  const withForeign = (order: 'first' | 'last') => ({
    ...env,
    HUAWEICLOUD_PROJECT_ID: '',
    HUAWEICLOUD_PROJECTS:
      order === 'first' ? `${FOREIGN}=cn-north-4,${PROJECT}=cn-north-4` : `${PROJECT}=cn-north-4,${FOREIGN}=cn-north-4`,
  });

  it.each(['first', 'last'] as const)(
    'still reconciles and reports the other projects when one fails (%s), and exits 3 (--json)',
    async (order) => {
      seedDemoProject(emulator);
      const run = await runCli(['reconcile', '--json'], { env: withForeign(order) });

      expect(run.code).toBe(3);
      const body = run.json<{ projects: Array<{ project_id: string; has_drift?: boolean; error?: string }> }>();
      const mine = body.projects.find((p) => p.project_id === PROJECT);
      expect(mine?.has_drift).toBe(true);
      expect(body.projects.find((p) => p.project_id === FOREIGN)?.error).toMatch(/KMS_/);
      expect(run.stderr).toContain(FOREIGN);
    },
  );

  it('prints the drift of the projects that ran, and names the one that could not (table)', async () => {
    seedDemoProject(emulator);
    const run = await runCli(['reconcile'], { env: withForeign('first') });

    expect(run.code).toBe(3);
    expect(run.stdout).toContain(`project ${PROJECT}`);
    expect(run.stdout).toContain('drift found');
    expect(run.stdout).toContain(`project ${FOREIGN} (cn-north-4): could not run`);
  });
});

describe('the scheduled reconcile function', () => {
  const twoProjects = () => ({
    ...env,
    HUAWEICLOUD_PROJECT_ID: '',
    HUAWEICLOUD_PROJECTS: `${PROJECT}=cn-north-4,${LOCAL_ACCOUNT.secondProjectId}=ap-southeast-1`,
  });

  it('reconciles every configured project, logs JSON per project and per finding, publishes nothing', async () => {
    seedDemoProject(emulator);
    emulator.state.createKey(LOCAL_ACCOUNT.secondProjectId, { key_alias: 'eu-key' });
    const lines: string[] = [];
    const handler = createReconcileHandler(
      buildReconcileDeps(loadConfig(twoProjects(), { requireDlqUrl: false }), { write: (l) => lines.push(l) }),
    );
    const result: ReconcileFunctionResult = await handler({}, createLambdaContext());

    expect(result.projects).toEqual([
      {
        project_id: PROJECT,
        region: 'cn-north-4',
        drift: 4,
        counts: { missing: 2, conflict: 1, non_conforming: 1, naming_failed: 0, held_by_pending_deletion: 0 },
      },
      {
        project_id: LOCAL_ACCOUNT.secondProjectId,
        region: 'ap-southeast-1',
        drift: 1,
        counts: { missing: 1, conflict: 0, non_conforming: 0, naming_failed: 0, held_by_pending_deletion: 0 },
      },
    ]);
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.filter((r) => r.log_type === 'reconcile')).toEqual([
      expect.objectContaining({ message: 'reconcile report', project_id: PROJECT, has_drift: true, checked: 5 }),
      expect.objectContaining({ project_id: LOCAL_ACCOUNT.secondProjectId, has_drift: true }),
    ]);
    expect(records.filter((r) => r.log_type === 'drift')).toHaveLength(5);
    // One EMF document per project: the drift the stack's DriftFindings alarm watches.
    const emf = records.filter((r) => r._aws !== undefined);
    expect(emf).toEqual([
      expect.objectContaining({
        Service: 'kms-auto-alias',
        ProjectId: PROJECT,
        Region: 'cn-north-4',
        DriftFindings: 4,
        DriftMissingAliases: 2,
        DriftConflicts: 1,
        DriftNonConformingAliases: 1,
        DriftNamingFailures: 0,
        ReconcileFailures: 0,
      }),
      expect.objectContaining({ ProjectId: LOCAL_ACCOUNT.secondProjectId, DriftFindings: 1 }),
    ]);
    const directive = (emf[0]?._aws as { CloudWatchMetrics: Array<Record<string, unknown>> }).CloudWatchMetrics[0];
    expect(directive).toMatchObject({
      Namespace: 'KmsAutoAlias',
      Dimensions: [['Service'], ['Service', 'ProjectId', 'Region']],
    });
    // Every line carries the invocation's request id (Logs Insights joins on it).
    const requestIds = new Set(records.map((r) => r.function_request_id));
    expect(requestIds.size).toBe(1);
    expect([...requestIds][0]).toMatch(/^req-/);
    expect(records.find((r) => r.kind === 'conflict')).toMatchObject({
      level: 'WARN',
      project_id: PROJECT,
      held_by: DEMO_KEYS.customerOld,
    });
    expect(emulator.calls.every((c) => c.operation === 'listKeys' || c.operation === 'listAliases')).toBe(true);
  });

  it('counts an alias held by a key pending deletion towards the drift alarm only when aliases are released', async () => {
    // With keep (the default) a key keeps its aliases through its pending window by design: the
    // alarm would fire for up to 1096 days. With release, one left behind is a release missed.
    const pending = emulator.state.createKey(LOCAL_ACCOUNT.secondProjectId, { key_alias: 'old-key', key_state: '4' });
    emulator.state.putAlias(LOCAL_ACCOUNT.secondProjectId, pending.key_id, 'alias/demo/old-key');
    const metricsWith = async (onKeyDeletion: string) => {
      const lines: string[] = [];
      const handler = createReconcileHandler(
        buildReconcileDeps(loadConfig({ ...twoProjects(), ON_KEY_DELETION: onKeyDeletion }, { requireDlqUrl: false }), {
          write: (l) => lines.push(l),
        }),
      );
      await handler({}, createLambdaContext());
      return lines
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((r) => r._aws !== undefined && r.ProjectId === LOCAL_ACCOUNT.secondProjectId);
    };
    expect(await metricsWith('keep')).toMatchObject({ DriftHeldByPendingDeletion: 1, DriftFindings: 0 });
    expect(await metricsWith('release')).toMatchObject({ DriftHeldByPendingDeletion: 1, DriftFindings: 1 });
  });

  it('still reconciles the other projects when one fails, then fails the invocation', async () => {
    emulator.faults.add({
      operation: 'listKeys',
      times: 1,
      action: { status: 403, code: 'APIGW.0302', message: 'forbidden' },
    });
    const lines: string[] = [];
    const handler = createReconcileHandler(
      buildReconcileDeps(loadConfig(twoProjects(), { requireDlqUrl: false }), { write: (l) => lines.push(l) }),
    );
    await expect(handler({}, createLambdaContext())).rejects.toThrow(
      `reconcile failed for 1 of 2 projects: ${PROJECT}`,
    );
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.filter((r) => r._aws === undefined).map((r) => r.message)).toEqual([
      'reconcile failed',
      'reconcile report',
    ]);
    // The failed project counts as a ReconcileFailure, the other one reports its drift.
    expect(records.filter((r) => r._aws !== undefined)).toEqual([
      expect.objectContaining({ ProjectId: PROJECT, ReconcileFailures: 1 }),
      expect.objectContaining({ ProjectId: LOCAL_ACCOUNT.secondProjectId, ReconcileFailures: 0, DriftFindings: 0 }),
    ]);
  });

  it('runs as the built bundle (dist/reconcile/handler.mjs), without DLQ_URL', async () => {
    seedDemoProject(emulator);
    // The build script's own entry point and settings; unminified only to keep the test fast.
    const built = await buildReconcileHandler({ outdir: 'dist/test-bundle/reconcile', quiet: true, minify: false });
    vi.unstubAllEnvs();
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    const logged: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      logged.push(String(chunk));
      return true;
    });
    let result: ReconcileFunctionResult;
    try {
      const mod = (await import(`${pathToFileURL(built.handler).href}?instance=${Math.random()}`)) as {
        handler: (event: unknown, context: unknown) => Promise<ReconcileFunctionResult>;
      };
      result = await mod.handler({ source: 'aws.events' }, createLambdaContext());
    } finally {
      write.mockRestore();
    }
    for (const line of logged) collectLogLine(line, 'bundle');
    expect(result.projects).toEqual([expect.objectContaining({ project_id: PROJECT, drift: 4 })]);
    expect(logged.some((l) => l.includes('"log_type":"reconcile"'))).toBe(true);
  });
});
