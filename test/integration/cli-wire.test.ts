// `kms-auto-alias wire` against the emulator: the plan, apply, a second run that changes nothing,
// `--check` when healthy and when a piece is missing or wrong, and the exit codes. A local SMN
// subscriber stands in for the ingest function (it confirms subscriptions as the ingest does).
import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { demoEnv } from '../../cli/demo.ts';
import { type KmsEmulator, startKmsEmulator } from '../../emulator/kms-emulator.ts';
import { type SmnReceiver, startSmnReceiver } from '../../emulator/smn-subscriber.ts';
import type { WireReport } from '../../lib/bridge/run-wire.ts';
import { LOCAL_ACCOUNT, LOCAL_EMULATOR_ACCOUNT } from '../support/local-account.ts';
import { signedFetch } from '../emulator/huawei-client.ts';
import { addKnownSecret } from '../setup/secret-scan.ts';
import { runCli } from '../unit/cli/run-cli.ts';

const TOKEN = 'Zq81mV0pR4sT6uW9yB3kLx';
const PROJECT = LOCAL_ACCOUNT.projectId;
const TOPIC_URN = `urn:smn:${LOCAL_ACCOUNT.region}:${PROJECT}:kms-auto-alias-key-events`;

let emulator: KmsEmulator;
let subscriber: SmnReceiver;
let env: Record<string, string>;

beforeAll(async () => {
  addKnownSecret(TOKEN, 'INGEST_TOKEN');
  emulator = await startKmsEmulator({
    accounts: [LOCAL_EMULATOR_ACCOUNT],
    smn: { retryDelaysMs: [1, 1, 1, 1, 1, 1], timeoutMs: 2000 },
  });
});
afterAll(() => emulator.stop());
beforeEach(async () => {
  emulator.reset();
  subscriber = await startSmnReceiver();
  env = {
    ...demoEnv(emulator.url),
    SMN_ENDPOINT: emulator.url,
    CTS_ENDPOINT: emulator.url,
    INGEST_TOKEN: TOKEN,
    INGEST_URL: subscriber.url,
    RETRY_MIN_DELAY_MS: '1',
    RETRY_MAX_DELAY_MS: '5',
    RETRY_THROTTLE_MIN_DELAY_MS: '1',
  };
});
afterEach(() => subscriber.stop());

const wire = (...args: string[]) => runCli(['wire', ...args], { env });
const wireJson = async (...args: string[]) => {
  const run = await wire(...args, '--json');
  return { ...run, report: run.json<WireReport>() };
};

async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/ingest`;
}

describe('kms-auto-alias wire', () => {
  it('--dry-run plans the topic, the subscription and the notification, and changes nothing', async () => {
    const { code, report } = await wireJson('--dry-run');
    expect(code).toBe(0);
    expect(report.projects).toHaveLength(1);
    expect(report.projects[0]).toMatchObject({
      project_id: PROJECT,
      topic: { state: 'would_create', id: TOPIC_URN },
      subscription: { state: 'would_create' },
      notification: { state: 'would_create' },
      changes: [],
    });
    expect(emulator.smn.topics()).toEqual([]);
    expect(emulator.cts.notifications()).toEqual([]);
  });

  it('applies once, and a second run changes nothing and says so', async () => {
    const first = await wireJson();
    expect(first.code).toBe(0);
    expect(first.report.changes).toBe(3);
    expect(first.report.projects[0]).toMatchObject({
      topic: { state: 'created', id: TOPIC_URN },
      subscription: { state: 'created', detail: 'confirmed' },
      notification: { state: 'created' },
    });
    const [sub] = emulator.smn.subscriptions(TOPIC_URN);
    expect(sub).toMatchObject({ endpoint: subscriber.url, protocol: 'http', status: 1 });
    expect(sub?.headers).toEqual({ 'x-ingest-token': TOKEN });
    expect(emulator.cts.notifications(PROJECT)).toEqual([
      expect.objectContaining({
        notification_name: 'kms_auto_alias_key_events',
        status: 'enabled',
        topic_id: TOPIC_URN,
        operation_type: 'customized',
        operations: [
          {
            service_type: 'KMS',
            resource_type: 'cmk',
            trace_names: ['createKey', 'replicateKey', 'scheduleKeyDeletion', 'cancelKeyDeletion'],
          },
        ],
        filter: { condition: 'AND', is_support_filter: true, rule: ['code = 200'] },
      }),
    ]);

    const second = await wire();
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('No changes: everything was already in place.');
    expect(second.stdout).not.toContain(TOKEN);
    expect(emulator.smn.subscriptions()).toHaveLength(1);
    expect(emulator.cts.notifications()).toHaveLength(1);
  });

  it('--check is healthy after apply, and what it wired delivers a created key with the token header', async () => {
    await wire();
    const check = await wire('--check');
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('Healthy.');
    expect(check.stdout).toContain('Ingest URL: answers (HTTP 200)');
    expect(check.stdout).toContain('Check by hand');

    const created = await signedFetch(emulator.url, {
      method: 'POST',
      path: `/v1.0/${PROJECT}/kms/create-key`,
      body: { key_alias: 'wired-key' },
      ak: LOCAL_ACCOUNT.ak,
      sk: LOCAL_ACCOUNT.sk,
      dateMs: Date.now(),
    });
    expect(created.status).toBe(200);
    await emulator.cts.idle();
    const notification = subscriber.received.find((r) => r.body['type'] === 'Notification');
    expect(notification?.headers['x-ingest-token']).toBe(TOKEN);
    expect(JSON.parse(String(notification?.body['message']))).toMatchObject({ trace_name: 'createKey' });
  });

  it('--check finds a missing subscription (exit 1), and apply puts it back', async () => {
    await wire();
    const [sub] = emulator.smn.subscriptions(TOPIC_URN);
    emulator.smn.deleteSubscription(sub?.subscription_urn ?? '');
    const check = await wireJson('--check');
    expect(check.code).toBe(1);
    expect(check.report.projects[0]?.subscription.state).toBe('missing');
    expect(check.report.findings).toEqual([
      `${PROJECT} (${LOCAL_ACCOUNT.region}): no subscription of ${subscriber.url} on the topic`,
    ]);
    const again = await wireJson();
    expect(again.report.changes).toBe(1);
    expect((await wire('--check')).code).toBe(0);
  });

  it('--check finds a disabled notification (exit 1), and apply enables it', async () => {
    await wire();
    const [n] = emulator.cts.notifications(PROJECT);
    emulator.cts.setNotificationStatus(n?.notification_id ?? '', 'disabled');
    const check = await wire('--check');
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('status is disabled, not enabled');
    const fixed = await wireJson();
    expect(fixed.report.projects[0]?.notification.state).toBe('updated');
    expect(emulator.cts.notifications(PROJECT)[0]?.status).toBe('enabled');
    expect((await wire('--check')).code).toBe(0);
  });

  it('--dry-run and --check only read (SMN, CTS and KMS call log), whatever is missing or wrong', async () => {
    const READS = new Set(['smnListTopics', 'smnListSubscriptions', 'ctsListNotifications', 'iamToken']);
    const writesOf = () => emulator.calls.filter((c) => !READS.has(c.operation)).map((c) => c.operation);
    const readOnly = async () => {
      emulator.resetCalls();
      expect((await wire('--dry-run')).code).toBe(0);
      expect((await wire('--check')).code).toBeLessThanOrEqual(1);
      expect(writesOf()).toEqual([]);
    };
    await readOnly(); // nothing there
    await wire();
    const [n] = emulator.cts.notifications(PROJECT);
    emulator.cts.setNotificationStatus(n?.notification_id ?? '', 'disabled');
    await readOnly(); // a notification to update
    const [sub] = emulator.smn.subscriptions(TOPIC_URN);
    emulator.smn.deleteSubscription(sub?.subscription_urn ?? '');
    await readOnly(); // a subscription to add
    expect(emulator.smn.subscriptions(TOPIC_URN)).toEqual([]);
    expect(emulator.cts.notifications(PROJECT)[0]?.status).toBe('disabled');
  });

  it('updating a notification keeps the operations it had for other services, and says what it changed', async () => {
    await wire();
    const [n] = emulator.cts.notifications(PROJECT);
    // Someone widened the notification to OBS bucket creations, then switched it off.
    const obs = { service_type: 'OBS', resource_type: 'bucket', trace_names: ['createBucket'] };
    const put = await signedFetch(emulator.url, {
      method: 'PUT',
      path: `/v3/${PROJECT}/notifications`,
      body: {
        notification_id: n?.notification_id,
        notification_name: n?.notification_name,
        operation_type: 'customized',
        operations: [...(n?.operations ?? []), obs],
        notify_user_list: [],
        topic_id: TOPIC_URN,
        filter: n?.filter,
        status: 'disabled',
      },
      ak: LOCAL_ACCOUNT.ak,
      sk: LOCAL_ACCOUNT.sk,
      dateMs: Date.now(),
    });
    expect(put.status).toBe(200);

    const fixed = await wireJson();
    expect(fixed.report.projects[0]?.notification.state).toBe('updated');
    const [after] = emulator.cts.notifications(PROJECT);
    expect(after?.status).toBe('enabled');
    expect(after?.operations).toEqual(expect.arrayContaining([obs]));
    expect(after?.operations.find((o) => o.service_type === 'KMS')?.trace_names).toContain('createKey');
  });

  it('--check reports a subscription still pending confirmation', async () => {
    subscriber.autoConfirm = false;
    const applied = await wireJson('--confirm-wait', '0');
    expect(applied.report.projects[0]?.subscription.detail).toMatch(/^pending confirmation/);
    const check = await wireJson('--check');
    expect(check.code).toBe(1);
    expect(check.report.projects[0]?.subscription.state).toBe('pending_confirmation');
  });

  it('--check reports an ingest URL that does not answer', async () => {
    await wire();
    const check = await wireJson('--check', '--ingest-url', await closedPortUrl());
    expect(check.code).toBe(1);
    expect(check.report.ingest).toMatchObject({ ok: false, error: 'ECONNREFUSED' });
    expect(check.report.findings.some((f) => f.includes('did not answer (ECONNREFUSED)'))).toBe(true);
  });

  it('wires every configured project', async () => {
    env = {
      ...env,
      HUAWEICLOUD_PROJECTS: `${PROJECT}=cn-north-4,${LOCAL_ACCOUNT.secondProjectId}=ap-southeast-1`,
      HUAWEICLOUD_PROJECT_ID: '',
    };
    const { code, report } = await wireJson();
    expect(code).toBe(0);
    expect(report.projects.map((p) => p.project_id).sort()).toEqual([PROJECT, LOCAL_ACCOUNT.secondProjectId].sort());
    expect(emulator.smn.topics()).toHaveLength(2);
  });

  it('exits 3 when SMN refuses the credentials or cannot be reached', async () => {
    env = { ...env, HUAWEICLOUD_SDK_SK: 'not-the-right-secret-key-000000000000000' };
    const refused = await wire('--check');
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('could not run');
    env = {
      ...env,
      HUAWEICLOUD_SDK_SK: LOCAL_ACCOUNT.sk,
      SMN_ENDPOINT: (await closedPortUrl()).replace('/ingest', ''),
    };
    expect((await wire('--check')).code).toBe(3);
  });

  it('authenticates to SMN and CTS with an IAM token (user assuming an agency) as well', async () => {
    const { HUAWEICLOUD_SDK_AK: _ak, HUAWEICLOUD_SDK_SK: _sk, ...rest } = env;
    env = {
      ...rest,
      HUAWEICLOUD_IAM_USER: LOCAL_ACCOUNT.user,
      HUAWEICLOUD_IAM_PASSWORD: LOCAL_ACCOUNT.password,
      HUAWEICLOUD_IAM_DOMAIN: LOCAL_ACCOUNT.domainName,
      HUAWEICLOUD_IAM_AGENCY: LOCAL_ACCOUNT.agency,
      HUAWEICLOUD_IAM_AGENCY_DOMAIN: LOCAL_ACCOUNT.domainName,
    };
    const { code, report } = await wireJson();
    expect(code).toBe(0);
    expect(report.changes).toBe(3);
    // Every SMN/CTS API call (not the subscriber's unauthenticated confirmation GET) as the agency.
    const apiCalls = emulator.calls.filter(
      (c) => (c.operation.startsWith('smn') || c.operation.startsWith('cts')) && c.operation !== 'smnConfirm',
    );
    expect(apiCalls.length).toBeGreaterThanOrEqual(6);
    expect(new Set(apiCalls.map((c) => c.principal))).toEqual(
      new Set([`${LOCAL_ACCOUNT.domainName}/${LOCAL_ACCOUNT.agency}`]),
    );
  });

  it('waits out a throttled answer and goes on', async () => {
    emulator.faults.add({
      operation: 'smnListTopics',
      times: 2,
      action: { status: 429, code: 'APIGW.0308', message: 'The throttling threshold has been reached' },
    });
    const run = await wireJson();
    expect(run.code).toBe(0);
    expect(run.report.changes).toBe(3);
    expect(emulator.calls.filter((c) => c.operation === 'smnListTopics').map((c) => c.status)).toEqual([429, 429, 200]);
  });

  it('exits 2 on bad usage', async () => {
    expect((await runCli(['wire'], { env: { ...env, INGEST_URL: '' } })).code).toBe(2);
    expect((await wire('--dry-run', '--check')).code).toBe(2);
    expect((await wire('--ingest-url', 'http://example.com/ingest')).code).toBe(2);
  });
});
