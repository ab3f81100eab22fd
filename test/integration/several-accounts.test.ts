import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../functions/create-key-alias/app.ts';
import { buildDeps } from '../../functions/create-key-alias/build-deps.ts';
import { createReconcileHandler } from '../../functions/reconcile/app.ts';
import { buildReconcileDeps } from '../../functions/reconcile/build-deps.ts';
import { loadConfig } from '../../lib/config/load-config.ts';
import { DLQ_ATTRIBUTE } from '../../lib/dlq/build-dlq-record.ts';
import { RateLimitWaitError } from '../../lib/errors/huawei-errors.ts';
import { createKmsFromConfig } from '../../lib/runtime/create-kms-from-config.ts';
import { createLambdaContext } from '../support/lambda-context.ts';
import {
  DATA_ACCOUNT,
  DATA_EMULATOR_ACCOUNT,
  LOCAL_ACCOUNT,
  LOCAL_EMULATOR_ACCOUNT,
  organisationAccounts,
  PAYMENTS_ACCOUNT,
  PAYMENTS_EMULATOR_ACCOUNT,
} from '../support/local-account.ts';
import { rejectionOf } from '../support/rejection-of.ts';
import { runCli } from '../unit/cli/run-cli.ts';
import { type SecretsExtension, startSecretsExtension } from '../support/secrets-extension.ts';
import { toSqsRecord } from '../support/sqs-records.ts';
import { auditRecords, failedIds, startStack, type Stack } from '../support/stack.ts';

// One deployment, three accounts (HUAWEICLOUD_ACCOUNTS), through the real handler against the
// emulator: `security` on the central IAM user, `payments` through an agency it grants that user,
// `data` through its own AK/SK read from a secret (the extension stand-in).

const DATA_SECRET = 'huawei/data-account';
let stack: Stack;
let extension: SecretsExtension;
let lines: string[];

beforeAll(async () => {
  stack = await startStack({ accounts: [LOCAL_EMULATOR_ACCOUNT, PAYMENTS_EMULATOR_ACCOUNT, DATA_EMULATOR_ACCOUNT] });
  extension = await startSecretsExtension();
  extension.put(DATA_SECRET, JSON.stringify({ ak: DATA_ACCOUNT.ak, sk: DATA_ACCOUNT.sk }));
  process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT = extension.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT;
});
afterAll(async () => {
  delete process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT;
  await extension.stop();
  await stack.stop();
});
beforeEach(() => {
  lines = [];
  stack.emulator.reset();
});

function organisationEnv(extra: Record<string, string> = {}): Record<string, string> {
  const { HUAWEICLOUD_SDK_AK: _ak, HUAWEICLOUD_SDK_SK: _sk, HUAWEICLOUD_PROJECT_ID: _p, ...env } = stack.env();
  return {
    ...env,
    HUAWEICLOUD_ACCOUNTS: organisationAccounts(DATA_SECRET),
    HUAWEICLOUD_IAM_USER: LOCAL_ACCOUNT.user,
    HUAWEICLOUD_IAM_PASSWORD: LOCAL_ACCOUNT.password,
    HUAWEICLOUD_IAM_DOMAIN: LOCAL_ACCOUNT.domainName,
    ...extra,
  };
}

function handler() {
  return createHandler(
    buildDeps(loadConfig(organisationEnv()), { write: (l) => lines.push(l), sqsClient: stack.sqs.client }),
  );
}

let seq = 0;
/** A key created in `projectId` (unless `create` is false), and the canonical event announcing it, claiming `domainId`. */
function newKey(projectId: string, domainId: string, create = true): { keyId: string; body: string } {
  seq += 1;
  const keyId = `${seq.toString(16).padStart(8, '0')}-aaaa-4bbb-8ccc-dddddddddddd`;
  if (create) stack.emulator.state.createKey(projectId, { key_id: keyId, key_alias: `app-${seq}` });
  const body = JSON.stringify({
    type: 'kms.key.created',
    key_id: keyId,
    project_id: projectId,
    domain_id: domainId,
    key_alias: `app-${seq}`,
    key_spec: 'AES_256',
  });
  return { keyId, body };
}

describe('one deployment for several accounts', () => {
  it("aliases each account's key with that account's own identity, one call each", async () => {
    const security = newKey(LOCAL_ACCOUNT.projectId, LOCAL_ACCOUNT.domainId);
    const payments = newKey(PAYMENTS_ACCOUNT.projectId, PAYMENTS_ACCOUNT.domainId);
    const data = newKey(DATA_ACCOUNT.projectId, DATA_ACCOUNT.domainId);
    const records = [security, payments, data].map(({ body }) => toSqsRecord({ body }));
    expect(failedIds(await handler()({ Records: records }, createLambdaContext()))).toEqual([]);

    for (const { keyId } of [security, payments, data]) expect(stack.emulator.state.aliasesOf(keyId)).toHaveLength(1);
    const creates = stack.emulator.calls.filter((c) => c.operation === 'createAlias');
    expect(creates).toHaveLength(3);
    const principalOf = (keyId: string) => creates.find((c) => c.keyId === keyId)?.principal;
    expect(principalOf(security.keyId)).toBe(LOCAL_ACCOUNT.user);
    expect(principalOf(payments.keyId)).toBe(`${PAYMENTS_ACCOUNT.domainName}/${PAYMENTS_ACCOUNT.agency}`);
    expect(principalOf(data.keyId)).toBe(DATA_ACCOUNT.ak);
    const accounts = auditRecords(lines).map((a) => [a.key_id, a.account, a.outcome]);
    expect(accounts).toEqual(
      expect.arrayContaining([
        [security.keyId, 'security', 'created'],
        [payments.keyId, 'payments', 'created'],
        [data.keyId, 'data', 'created'],
      ]),
    );
    expect(lines.join('\n')).not.toContain(DATA_ACCOUNT.sk);
  });

  it("skips an event of an account outside the map, and refuses one naming another account's project", async () => {
    const stranger = newKey('9'.repeat(32), 'f'.repeat(32), false);
    // The event claims the payments project but the security account: it cannot pick credentials.
    const forged = newKey(PAYMENTS_ACCOUNT.projectId, LOCAL_ACCOUNT.domainId);
    const records = [stranger, forged].map(({ body }) => toSqsRecord({ body }));
    expect(failedIds(await handler()({ Records: records }, createLambdaContext()))).toEqual([]);

    const byKey = new Map(auditRecords(lines).map((a) => [a.key_id, a]));
    expect(byKey.get(stranger.keyId)).toMatchObject({ outcome: 'skipped', reason: 'account_not_configured' });
    expect(byKey.get(forged.keyId)).toMatchObject({ outcome: 'invalid', reason: 'account_mismatch' });
    expect(stack.emulator.calls.filter((c) => c.operation !== 'iamToken')).toEqual([]);
    expect(stack.emulator.state.aliasesOf(forged.keyId)).toEqual([]);
    const dead = await stack.sqs.drainDlq();
    expect(dead.map((m) => m.MessageAttributes?.[DLQ_ATTRIBUTE.reason]?.StringValue)).toEqual([
      'invalid:account_mismatch',
    ]);
  });

  it('gives each account its own rate limit: a busy account does not hold back another', async () => {
    // One call a second per account: with one shared limiter the second call would wait a second.
    const kms = createKmsFromConfig(loadConfig(organisationEnv({ KMS_RATE_LIMIT: '1' })));
    await kms.listAliases({ projectId: DATA_ACCOUNT.projectId, region: DATA_ACCOUNT.region });
    const soon = AbortSignal.timeout(400);
    await expect(
      kms.listAliases({ projectId: PAYMENTS_ACCOUNT.projectId, region: PAYMENTS_ACCOUNT.region }, soon),
    ).resolves.toBeDefined();
    // The same account again within the second waits, and the deadline ends the wait.
    const again = await rejectionOf(
      kms.listAliases({ projectId: DATA_ACCOUNT.projectId, region: DATA_ACCOUNT.region }, AbortSignal.timeout(200)),
    );
    expect(again).toBeInstanceOf(RateLimitWaitError);
  });
});

describe('an agency assumed with the central AK/SK (STS AssumeAgency)', () => {
  function akskEnv(): Record<string, string> {
    const {
      HUAWEICLOUD_IAM_USER: _u,
      HUAWEICLOUD_IAM_PASSWORD: _p,
      HUAWEICLOUD_IAM_DOMAIN: _d,
      ...env
    } = organisationEnv();
    return {
      ...env,
      HUAWEICLOUD_SDK_AK: LOCAL_ACCOUNT.ak,
      HUAWEICLOUD_SDK_SK: LOCAL_ACCOUNT.sk,
      STS_ENDPOINT: stack.emulator.url,
    };
  }

  it("aliases the agency account's keys with temporary credentials, assumed once and again after they expire", async () => {
    const run = createHandler(
      buildDeps(loadConfig(akskEnv()), { write: (l) => lines.push(l), sqsClient: stack.sqs.client }),
    );
    const first = [
      newKey(PAYMENTS_ACCOUNT.projectId, PAYMENTS_ACCOUNT.domainId),
      newKey(PAYMENTS_ACCOUNT.projectId, PAYMENTS_ACCOUNT.domainId),
    ];
    const security = newKey(LOCAL_ACCOUNT.projectId, LOCAL_ACCOUNT.domainId);
    const records = [...first, security].map(({ body }) => toSqsRecord({ body }));
    expect(failedIds(await run({ Records: records }, createLambdaContext()))).toEqual([]);

    const assumes = () => stack.emulator.calls.filter((c) => c.operation === 'stsAssumeAgency');
    expect(assumes()).toHaveLength(1);
    expect(assumes()[0]).toMatchObject({ status: 201, principal: LOCAL_ACCOUNT.ak });
    const creates = stack.emulator.calls.filter((c) => c.operation === 'createAlias');
    const principalOf = (keyId: string) => creates.find((c) => c.keyId === keyId)?.principal;
    for (const { keyId } of first) {
      expect(stack.emulator.state.aliasesOf(keyId)).toHaveLength(1);
      expect(principalOf(keyId)).toMatch(/^EMUSTS/);
    }
    expect(principalOf(security.keyId)).toBe(LOCAL_ACCOUNT.ak);

    // The temporary credentials expire (or are revoked): the 401 drops them and the retry assumes again.
    stack.emulator.expireAllTokens();
    const later = newKey(PAYMENTS_ACCOUNT.projectId, PAYMENTS_ACCOUNT.domainId);
    expect(failedIds(await run({ Records: [toSqsRecord({ body: later.body })] }, createLambdaContext()))).toEqual([]);
    expect(stack.emulator.state.aliasesOf(later.keyId)).toHaveLength(1);
    expect(assumes()).toHaveLength(2);
    const text = lines.join('\n');
    expect(text).not.toContain(LOCAL_ACCOUNT.sk);
    expect(text).not.toMatch(/emu-sts-/);
  });

  it('refuses an agency that does not trust the central account, as a failure to the DLQ, not a crash', async () => {
    const env = akskEnv();
    const untrusted = JSON.parse(env.HUAWEICLOUD_ACCOUNTS ?? '{}') as Record<string, { agency?: string }>;
    const payments = untrusted[PAYMENTS_ACCOUNT.domainId];
    if (payments !== undefined) payments.agency = 'no_such_agency';
    const run = createHandler(
      buildDeps(loadConfig({ ...env, HUAWEICLOUD_ACCOUNTS: JSON.stringify(untrusted) }), {
        write: (l) => lines.push(l),
        sqsClient: stack.sqs.client,
      }),
    );
    const key = newKey(PAYMENTS_ACCOUNT.projectId, PAYMENTS_ACCOUNT.domainId);
    expect(
      failedIds(await run({ Records: [toSqsRecord({ body: key.body, receiveCount: 5 })] }, createLambdaContext())),
    ).toEqual([]);
    const [record] = auditRecords(lines);
    expect(record).toMatchObject({ outcome: 'failed', error_code: 'IAM_AUTH', account: 'payments' });
    const dead = await stack.sqs.drainDlq();
    expect(dead).toHaveLength(1);
  });
});

describe('backfill and reconcile over several accounts', () => {
  it('backfill --account walks only that account, with its own identity; the scheduled reconcile walks them all', async () => {
    const keys = [
      [LOCAL_ACCOUNT.projectId, 'security-db'],
      [PAYMENTS_ACCOUNT.projectId, 'payments-db'],
      [DATA_ACCOUNT.projectId, 'data-lake'],
    ] as const;
    const ids = keys.map(([projectId, name]) => stack.emulator.state.createKey(projectId, { key_alias: name }).key_id);
    const env = organisationEnv();

    const backfill = await runCli(['backfill', '--account', 'payments', '--json'], { env });
    expect(backfill.code).toBe(0);
    const report = JSON.parse(backfill.stdout) as { project_id: string; summary: { created: number } };
    expect(report).toMatchObject({ project_id: PAYMENTS_ACCOUNT.projectId, summary: { created: 1 } });
    expect(ids.map((id) => stack.emulator.state.aliasesOf(id).length)).toEqual([0, 1, 0]);
    const writers = new Set(stack.emulator.calls.filter((c) => c.operation === 'createAlias').map((c) => c.principal));
    expect([...writers]).toEqual([`${PAYMENTS_ACCOUNT.domainName}/${PAYMENTS_ACCOUNT.agency}`]);

    // The CLI reads an account's own secret with the AWS SDK (no extension off Lambda): this
    // run reconciles the two accounts reached through the central IAM user.
    const reconcile = await runCli(['reconcile', '--account', 'security', '--json'], { env });
    expect(reconcile.code).toBe(1); // drift: the security key lacks its alias
    expect(JSON.parse(reconcile.stdout)).toMatchObject({
      project_id: LOCAL_ACCOUNT.projectId,
      drift: [{ kind: 'missing', key_id: ids[0] }],
    });

    // The scheduled reconcile function walks every account, each with its own identity.
    const lines: string[] = [];
    const handler = createReconcileHandler(buildReconcileDeps(loadConfig(env), { write: (l) => lines.push(l) }));
    const walked = await handler({}, createLambdaContext());
    expect(walked.projects.map((p) => [p.account, p.project_id, p.drift])).toEqual([
      ['security', LOCAL_ACCOUNT.projectId, 1],
      ['payments', PAYMENTS_ACCOUNT.projectId, 0],
      ['data', DATA_ACCOUNT.projectId, 1],
    ]);
    const drift = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.log_type === 'drift');
    expect(drift.map((d) => [d.account, d.key_id])).toEqual([
      ['security', ids[0]],
      ['data', ids[2]],
    ]);
    expect(lines.join('\n')).not.toContain(DATA_ACCOUNT.sk);
    expect(reconcile.stderr + backfill.stderr).not.toContain(DATA_ACCOUNT.sk);

    // wire: one account's projects, reached through its agency (a plan: nothing changes).
    const wire = await runCli(
      ['wire', '--ingest-url', 'https://ingest.example.com/hook', '--account', 'payments', '--dry-run', '--json'],
      { env: { ...env, SMN_ENDPOINT: stack.emulator.url, CTS_ENDPOINT: stack.emulator.url } },
    );
    expect(wire.code).toBe(0);
    const plan = JSON.parse(wire.stdout) as { projects: Array<{ project_id: string; topic: { state: string } }> };
    expect(plan.projects).toMatchObject([{ project_id: PAYMENTS_ACCOUNT.projectId, topic: { state: 'would_create' } }]);
    const listed = stack.emulator.calls.filter((c) => c.operation === 'smnListTopics');
    expect(listed.map((c) => c.principal)).toEqual([`${PAYMENTS_ACCOUNT.domainName}/${PAYMENTS_ACCOUNT.agency}`]);
  });
});
