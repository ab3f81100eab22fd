import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../functions/create-key-alias/app.ts';
import { buildDeps } from '../../functions/create-key-alias/build-deps.ts';
import { loadConfig } from '../../lib/config/load-config.ts';
import { DLQ_ATTRIBUTE } from '../../lib/dlq/build-dlq-record.ts';
import { createLambdaContext } from '../support/lambda-context.ts';
import { LOCAL_ACCOUNT } from '../support/local-account.ts';
import { type SecretsExtension, startSecretsExtension } from '../support/secrets-extension.ts';
import { toSqsRecord } from '../support/sqs-records.ts';
import { auditRecords, failedIds, startStack, type Stack } from '../support/stack.ts';

// The real handler in secret-store mode: the AK/SK come from a stand-in of the Parameters and
// Secrets extension (which caches, like the real one), the emulator revokes the old AK on rotation.

const SECRET_ID = 'prod/huawei-kms';
/** The extension's cache (its TTL): long, the test ends it with expireCache(). */
const EXTENSION_CACHE_MS = 60_000;
const ROTATED = { ak: 'ROTATEDLOCALAK000001', sk: 'rotatedLocalSecretKey0000000000000000001' };

let stack: Stack;
let extension: SecretsExtension;
let lines: string[];

beforeAll(async () => {
  stack = await startStack();
  extension = await startSecretsExtension({ cacheMs: EXTENSION_CACHE_MS });
  // The function finds the extension through its environment, as on Lambda.
  process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT = extension.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT;
});
afterAll(async () => {
  delete process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT;
  await extension.stop();
  await stack.stop();
});
beforeEach(() => {
  lines = [];
  extension.outage(undefined);
});

function handler() {
  const {
    HUAWEICLOUD_SDK_AK: _ak,
    HUAWEICLOUD_SDK_SK: _sk,
    ...env
  } = stack.env({
    HUAWEICLOUD_CREDENTIALS_SECRET_ID: SECRET_ID,
    MAX_RECEIVE_COUNT: '3',
    MAX_RETRIES: '2',
  });
  return createHandler(buildDeps(loadConfig(env), { write: (l) => lines.push(l), sqsClient: stack.sqs.client }));
}

let keySeq = 0;
function newKeyBody(): { keyId: string; body: string } {
  keySeq += 1;
  const keyId = `${keySeq.toString(16).padStart(8, '0')}-2222-4333-8444-555555555555`;
  stack.emulator.state.createKey(LOCAL_ACCOUNT.projectId, { key_id: keyId, key_alias: `rotation-${keySeq}` });
  const body = JSON.stringify({
    type: 'kms.key.created',
    key_id: keyId,
    project_id: LOCAL_ACCOUNT.projectId,
    key_alias: `rotation-${keySeq}`,
    key_spec: 'AES_256',
    created_by: 'alice',
    created_at: '2026-11-29T00:00:00Z',
  });
  return { keyId, body };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('credentials in Secrets Manager', () => {
  it('survive a rotation: every key aliased, nothing in the DLQ, the reason on a last receive', async () => {
    extension.put(SECRET_ID, JSON.stringify({ ak: LOCAL_ACCOUNT.ak, sk: LOCAL_ACCOUNT.sk }));
    const run = handler();
    const before = [newKeyBody(), newKeyBody()];
    const records = before.map(({ body }) => toSqsRecord({ body }));
    expect(failedIds(await run({ Records: records }, createLambdaContext()))).toEqual([]);

    // Rotation: the store holds the new AK/SK, Huawei revoked the old AK, and the extension
    // still serves the old value from its cache for a while.
    stack.emulator.rotateCredential(LOCAL_ACCOUNT.ak, ROTATED);
    extension.put(SECRET_ID, JSON.stringify(ROTATED));
    const during = [newKeyBody(), newKeyBody(), newKeyBody()];
    const first = during.map(({ body }) => toSqsRecord({ body, receiveCount: 1 }));
    const returned = failedIds(await run({ Records: first }, createLambdaContext()));
    expect(returned.sort()).toEqual(first.map((r) => r.messageId).sort());
    expect(await stack.sqs.drainDlq()).toEqual([]);
    expect(auditRecords(lines).filter((a) => a.disposition === 'retry')).toHaveLength(3);
    expect(auditRecords(lines).find((a) => a.disposition === 'retry')).toMatchObject({
      outcome: 'failed',
      error_code: 'KMS_AUTH_EXPIRED',
    });

    // A message on its last receive meanwhile goes to the DLQ, with the reason.
    const last = newKeyBody();
    const lastRecord = toSqsRecord({ body: last.body, receiveCount: 3 });
    expect(failedIds(await run({ Records: [lastRecord] }, createLambdaContext()))).toEqual([]);
    const [dead] = await stack.sqs.drainDlq();
    expect(dead?.MessageAttributes?.[DLQ_ATTRIBUTE.reason]?.StringValue).toBe('failed:kms_auth_expired');

    // Once the extension's cache has expired, the redelivered messages are aliased.
    extension.expireCache();
    const second = during.map(({ body }) => toSqsRecord({ body, receiveCount: 2 }));
    expect(failedIds(await run({ Records: second }, createLambdaContext()))).toEqual([]);
    for (const { keyId } of [...before, ...during]) {
      expect(stack.emulator.state.aliasesOf(keyId)).toHaveLength(1);
    }
    expect(await stack.sqs.drainDlq()).toEqual([]);
    const text = lines.join('\n');
    for (const secret of [LOCAL_ACCOUNT.sk, ROTATED.sk]) expect(text).not.toContain(secret);
  });

  it('returns a batch to the queue while the extension answers 500, instead of failing it as configuration', async () => {
    extension.put(SECRET_ID, JSON.stringify(ROTATED));
    extension.expireCache();
    extension.outage({ kind: 'status', status: 500 });
    const run = handler(); // a cold instance: no credentials read yet
    const keys = [newKeyBody(), newKeyBody()];
    const records = keys.map(({ body }) => toSqsRecord({ body, receiveCount: 1 }));
    expect(failedIds(await run({ Records: records }, createLambdaContext())).sort()).toEqual(
      records.map((r) => r.messageId).sort(),
    );
    expect(await stack.sqs.drainDlq()).toEqual([]);
    expect(auditRecords(lines)[0]).toMatchObject({ disposition: 'retry', error_code: 'SECRET_UNAVAILABLE' });

    extension.outage(undefined);
    await sleep(300); // the reader's pause after a failed read
    const again = keys.map(({ body }) => toSqsRecord({ body, receiveCount: 2 }));
    expect(failedIds(await run({ Records: again }, createLambdaContext()))).toEqual([]);
    for (const { keyId } of keys) expect(stack.emulator.state.aliasesOf(keyId)).toHaveLength(1);
  });

  it('sends every message to the DLQ at once, naming the secret, when the secret does not exist', async () => {
    const {
      HUAWEICLOUD_SDK_AK: _ak,
      HUAWEICLOUD_SDK_SK: _sk,
      ...env
    } = stack.env({
      HUAWEICLOUD_CREDENTIALS_SECRET_ID: 'prod/missing',
    });
    const run = createHandler(buildDeps(loadConfig(env), { write: (l) => lines.push(l), sqsClient: stack.sqs.client }));
    const record = toSqsRecord({ body: newKeyBody().body, receiveCount: 1 });
    expect(failedIds(await run({ Records: [record] }, createLambdaContext()))).toEqual([]);
    const [dead] = await stack.sqs.drainDlq();
    expect(dead?.MessageAttributes?.[DLQ_ATTRIBUTE.reason]?.StringValue).toBe('failed:secret_invalid');
    expect(dead?.MessageAttributes?.[DLQ_ATTRIBUTE.detail]?.StringValue).toContain('secret prod/missing: not found');
  });
});
