// `npm run demo:ops`: the operator CLI against the embedded KMS emulator (no cloud account).
// Seeds one project with every case (keys to alias, one already aliased, a conflict, a
// non-conforming alias, and each kind of key backfill skips), then runs:
//   reconcile → backfill --dry-run → backfill --resume FILE → reconcile
// then wires the emulated SMN/CTS to the built ingest bundle behind a local HTTP server (a
// function URL on this machine, queueing to fauxqs):
//   wire --dry-run → wire → wire (no changes) → wire --check
// in-process through the same `main()` the `kms-auto-alias` binary runs. Sample output in docs/cli.md.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKmsEmulator } from '../emulator/kms-emulator.ts';
import { startLocalIngest } from '../local/ingest-server.ts';
import { startLocalQueues } from '../local/local-queues.ts';
import { LOCAL_ACCOUNT, LOCAL_EMULATOR_ACCOUNT } from '../test/support/local-account.ts';
import { DEFAULT_TOPIC_NAME } from '../lib/bridge/desired-wiring.ts';
import { main } from './main.ts';

const PROJECT = LOCAL_ACCOUNT.projectId;

/** Fixed ids, so the output in docs/cli.md is reproducible. */
export const DEMO_KEYS = {
  payments: '0a1b2c3d-0000-4000-8000-000000000001',
  orders: '0a1b2c3d-0000-4000-8000-000000000002',
  reporting: '0a1b2c3d-0000-4000-8000-000000000003',
  customer: '0a1b2c3d-0000-4000-8000-000000000004',
  customerOld: '0a1b2c3d-0000-4000-8000-000000000005',
  audit: '0a1b2c3d-0000-4000-8000-000000000006',
  obsDefault: '0a1b2c3d-0000-4000-8000-000000000007',
  retired: '0a1b2c3d-0000-4000-8000-000000000008',
  leaving: '0a1b2c3d-0000-4000-8000-000000000009',
  byok: '0a1b2c3d-0000-4000-8000-00000000000a',
  hsm: '0a1b2c3d-0000-4000-8000-00000000000b',
} as const;

export const DEMO_TEMPLATE = 'alias/{env}/{key_alias|slug}-{key_spec|lower}';

/** Seeds the demo project into an emulator serving LOCAL_EMULATOR_ACCOUNT. */
export function seedDemoProject(emulator: Awaited<ReturnType<typeof startKmsEmulator>>): void {
  const { state } = emulator;
  const key = (key_id: string, input: Parameters<typeof state.createKey>[1] = {}) =>
    state.createKey(PROJECT, { key_id, ...input });
  key(DEMO_KEYS.payments, { key_alias: 'payments-db' });
  key(DEMO_KEYS.orders, { key_alias: 'orders-api', key_spec: 'RSA_2048' });
  state.putAlias(PROJECT, DEMO_KEYS.orders, 'alias/demo/orders-api-rsa_2048');
  key(DEMO_KEYS.reporting, { key_alias: 'Reporting ETL', key_spec: 'EC_P384' });
  state.putAlias(PROJECT, DEMO_KEYS.reporting, 'alias/demo/reporting-etl-ec_p384');
  state.putAlias(PROJECT, DEMO_KEYS.reporting, 'alias/ReportingKey');
  key(DEMO_KEYS.customer, { key_alias: 'customer-pii' });
  // An older, disabled key still holds the alias the new one should get.
  key(DEMO_KEYS.customerOld, { key_alias: 'customer-pii-2019', key_state: '3' });
  state.putAlias(PROJECT, DEMO_KEYS.customerOld, 'alias/demo/customer-pii-aes_256');
  key(DEMO_KEYS.audit, { key_alias: 'audit-signing', key_spec: 'SM2' });
  key(DEMO_KEYS.obsDefault, { key_alias: 'obs/default', default_key_flag: '1' });
  key(DEMO_KEYS.retired, { key_alias: 'retired-key', key_state: '3' });
  key(DEMO_KEYS.leaving, { key_alias: 'leaving-key', key_state: '4' });
  key(DEMO_KEYS.byok, { key_alias: 'byok-key', origin: 'external' });
  key(DEMO_KEYS.hsm, { key_alias: 'hsm-key', keystore_id: '6c5b4a39-2817-4f6e-9d8c-7b6a59483726' });
}

/** The CLI environment for the emulator: the Lambda's variables, no DLQ. */
export function demoEnv(url: string): Record<string, string> {
  return {
    HUAWEICLOUD_PROJECT_ID: PROJECT,
    HUAWEICLOUD_REGION: LOCAL_ACCOUNT.region,
    HUAWEICLOUD_SDK_AK: LOCAL_ACCOUNT.ak,
    HUAWEICLOUD_SDK_SK: LOCAL_ACCOUNT.sk,
    KMS_ENDPOINT: url,
    IAM_ENDPOINT: url,
    ALIAS_TEMPLATE: DEMO_TEMPLATE,
    ALIAS_VAR_ENV: 'demo',
  };
}

async function runDemo(): Promise<void> {
  const emulator = await startKmsEmulator({ accounts: [LOCAL_EMULATOR_ACCOUNT], rateLimit: { perSecond: 20 } });
  const dir = mkdtempSync(join(tmpdir(), 'kms-auto-alias-demo-'));
  const journal = join(dir, 'backfill.jsonl');
  try {
    seedDemoProject(emulator);
    const env = demoEnv(emulator.url);
    const io = { env, stdout: process.stdout, stderr: process.stderr };
    process.stdout.write(
      `KMS emulator at ${emulator.url}, project ${PROJECT} (${LOCAL_ACCOUNT.region})\n` +
        `ALIAS_TEMPLATE=${DEMO_TEMPLATE} ALIAS_VAR_ENV=demo\n`,
    );
    const steps: string[][] = [
      ['reconcile'],
      ['backfill', '--dry-run'],
      ['backfill', '--resume', journal],
      ['reconcile'],
    ];
    for (const argv of steps) {
      const shown = argv.map((a) => (a === journal ? 'backfill.jsonl' : a)).join(' ');
      process.stdout.write(`\n$ kms-auto-alias ${shown}\n`);
      const code = await main(argv, io);
      process.stdout.write(`(exit code ${code})\n`);
    }
    await runWireDemo(emulator.url, env);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await emulator.stop();
  }
}

/**
 * `wire` against the emulated SMN and CTS, with the real ingest function (the built bundle behind
 * a local HTTP server, sending to a fauxqs queue): it verifies SMN's signed SubscriptionConfirmation
 * and confirms it, as the deployed one does.
 */
async function runWireDemo(url: string, baseEnv: Record<string, string>): Promise<void> {
  // @ts-expect-error: a plain .mjs build script without type declarations
  const { buildIngestHandler } = await import('../scripts/build.mjs');
  const built = (await buildIngestHandler({ quiet: true })) as { handler: string };
  const queues = await startLocalQueues({ awsRegion: 'us-east-1', visibilityTimeoutS: 30, maxReceiveCount: '5' });
  // A demo value; a real token comes from Secrets Manager and is never printed.
  const token = 'demo-only-token-not-a-secret';
  const requests: string[] = [];
  const ingest = await startLocalIngest({
    handlerPath: built.handler,
    env: {
      KEY_EVENTS_QUEUE_URL: queues.queueUrl,
      SQS_ENDPOINT: queues.sqsEndpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      SMN_TOPIC_URNS: `urn:smn:${LOCAL_ACCOUNT.region}:${PROJECT}:${DEFAULT_TOPIC_NAME}`,
      SMN_SIGNING_CERT_HOSTS: new URL(url).host,
      INGEST_TOKEN: token,
    },
    onRequest: (seen) => requests.push(`${seen.method} ${seen.smnType ?? '-'} → ${seen.status} ${seen.reason ?? ''}`),
  });
  try {
    const env = { ...baseEnv, SMN_ENDPOINT: url, CTS_ENDPOINT: url, INGEST_URL: ingest.url, INGEST_TOKEN: token };
    const io = { env, stdout: process.stdout, stderr: process.stderr };
    process.stdout.write(
      `\nSMN and CTS at ${url}; INGEST_URL=${ingest.url} (dist/ingest/handler.mjs behind a local HTTP server)\n`,
    );
    for (const argv of [['wire', '--dry-run'], ['wire'], ['wire'], ['wire', '--check']]) {
      process.stdout.write(`\n$ kms-auto-alias ${argv.join(' ')}\n`);
      const code = await main(argv, io);
      process.stdout.write(`(exit code ${code})\n`);
    }
    process.stdout.write(`\nWhat the ingest function answered:\n${requests.map((r) => `  ${r}\n`).join('')}`);
  } finally {
    await ingest.stop();
    await queues.stop();
  }
}

if (import.meta.main) await runDemo();
