// What every dead-letter record must carry so that an operator can act on it: the reason, our
// error code, Huawei's code and request id of the call that decided it, and the original body.
// The real handler against the KMS emulator (signatures verified) and fauxqs as the DLQ.
import { readFileSync } from 'node:fs';
import type { Message } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { createHandler } from '../../functions/create-key-alias/app.ts';
import { buildDeps } from '../../functions/create-key-alias/build-deps.ts';
import { loadConfig } from '../../lib/config/load-config.ts';
import { MAX_ALIASES_PER_KEY } from '../../lib/core/ensure-alias.ts';
import { DLQ_ATTRIBUTE } from '../../lib/dlq/build-dlq-record.ts';
import { BODY_REDACTED_ATTRIBUTE } from '../../lib/dlq/send-to-dlq.ts';
import { createLambdaContext } from '../support/lambda-context.ts';
import { LOCAL_ACCOUNT } from '../support/local-account.ts';
import { toSqsRecord } from '../support/sqs-records.ts';
import { auditRecords, failedIds } from '../support/stack.ts';
import { useStack } from '../support/use-stack.ts';

const world = useStack();

const KEY_A = '11111111-2222-4333-8444-555555555555';
const KEY_B = '66666666-7777-4888-9999-aaaaaaaaaaaa';
const ALIAS = 'alias/test/billing-aes_256';
const body = JSON.stringify({
  type: 'kms.key.created',
  key_id: KEY_A,
  project_id: LOCAL_ACCOUNT.projectId,
  key_alias: 'billing',
  key_spec: 'AES_256',
});

function handlerWith(extra: Record<string, string> = {}) {
  const config = loadConfig(world.stack.env(extra));
  return createHandler(buildDeps(config, { write: (l) => world.lines.push(l), sqsClient: world.stack.sqs.client }));
}

const detailOf = (m: Message | undefined) =>
  JSON.parse(m?.MessageAttributes?.[DLQ_ATTRIBUTE.detail]?.StringValue ?? '{}') as Record<string, unknown>;

/** The emulator's record of the refused CreateAlias: its X-Request-Id and Huawei code. */
function refusedCreate() {
  const refused = world.stack.emulator.calls.filter((c) => c.operation === 'createAlias' && c.status === 400);
  expect(refused).toHaveLength(1);
  return refused[0];
}

describe('a dead-letter record names the Huawei call that decided it', () => {
  it('a conflict carries the request id of the refused CreateAlias, in the audit and the DLQ record', async () => {
    world.stack.emulator.state.createKey(LOCAL_ACCOUNT.projectId, { key_id: KEY_A, key_alias: 'billing' });
    world.stack.emulator.state.createKey(LOCAL_ACCOUNT.projectId, { key_id: KEY_B, key_alias: 'billing-old' });
    world.stack.emulator.state.putAlias(LOCAL_ACCOUNT.projectId, KEY_B, ALIAS);

    const response = await handlerWith()({ Records: [toSqsRecord({ body })] }, createLambdaContext());

    expect(failedIds(response)).toEqual([]);
    const refused = refusedCreate();
    expect(auditRecords(world.lines)[0]).toMatchObject({ outcome: 'conflict', request_id: refused?.requestId });
    const [dlq] = await world.stack.sqs.drainDlq();
    expect(dlq?.Body).toBe(body);
    expect(detailOf(dlq)).toMatchObject({ reason: 'conflict', existing_key_id: KEY_B, request_id: refused?.requestId });
    expect(world.stack.emulator.state.aliasesOf(KEY_B)).toEqual([ALIAS]);
  });

  it('a key at its alias limit carries Huawei code and request id of the refused CreateAlias', async () => {
    world.stack.emulator.state.createKey(LOCAL_ACCOUNT.projectId, { key_id: KEY_A, key_alias: 'billing' });
    for (let i = 0; i < MAX_ALIASES_PER_KEY; i++) {
      world.stack.emulator.state.putAlias(LOCAL_ACCOUNT.projectId, KEY_A, `alias/other-${i}`);
    }

    const response = await handlerWith()({ Records: [toSqsRecord({ body })] }, createLambdaContext());

    expect(failedIds(response)).toEqual([]);
    const refused = refusedCreate();
    expect(refused?.huaweiCode).toBeDefined();
    const expected = { error_code: 'ALIAS_LIMIT', huawei_code: refused?.huaweiCode, request_id: refused?.requestId };
    expect(auditRecords(world.lines)[0]).toMatchObject({ outcome: 'failed', disposition: 'dlq', ...expected });
    const [dlq] = await world.stack.sqs.drainDlq();
    expect(dlq?.Body).toBe(body);
    expect(dlq?.MessageAttributes?.[DLQ_ATTRIBUTE.reason]?.StringValue).toBe('failed:alias_limit');
    expect(detailOf(dlq)).toMatchObject(expected);
  });
});

describe('a message whose KMS calls run into the invocation deadline', () => {
  it('on its last receive still reaches the DLQ with its reason, before the invocation ends', async () => {
    // KMS never answers; the client's own timeout (5 s) is longer than the invocation's budget,
    // so the attempt is cut at the retry deadline (DEADLINE_MARGIN_MS before the Lambda timeout).
    world.stack.emulator.state.createKey(LOCAL_ACCOUNT.projectId, { key_id: KEY_A, key_alias: 'billing' });
    world.stack.emulator.faults.add({ operation: 'createAlias', action: { kind: 'hang', ms: 4_000, apply: false } });
    const handler = handlerWith({ REQUEST_TIMEOUT_MS: '5000', DEADLINE_MARGIN_MS: '1000', MAX_RECEIVE_COUNT: '3' });
    const timeoutMs = 2_500;
    const record = toSqsRecord({ body, receiveCount: 3 });

    const started = Date.now();
    const response = await handler({ Records: [record] }, createLambdaContext(timeoutMs));

    expect(Date.now() - started).toBeLessThan(timeoutMs);
    expect(failedIds(response)).toEqual([]);
    expect(auditRecords(world.lines)[0]).toMatchObject({
      outcome: 'failed',
      error_code: 'KMS_TIMEOUT',
      disposition: 'dlq',
    });
    const [dlq] = await world.stack.sqs.drainDlq();
    expect(dlq?.Body).toBe(body);
    expect(dlq?.MessageAttributes?.[DLQ_ATTRIBUTE.reason]?.StringValue).toBe('failed:kms_timeout');
    expect(detailOf(dlq)).toMatchObject({ receive_count: 3, attempts: 1, retryable: true });
  });

  it('on an earlier receive goes back to its queue, with no attempt started past the retry deadline', async () => {
    world.stack.emulator.state.createKey(LOCAL_ACCOUNT.projectId, { key_id: KEY_A, key_alias: 'billing' });
    world.stack.emulator.faults.add({ operation: 'createAlias', action: { kind: 'hang', ms: 2_000, apply: false } });
    // Attempts time out after 300 ms, so ten retries would outlast the 2.5 s invocation.
    const handler = handlerWith({ REQUEST_TIMEOUT_MS: '300', DEADLINE_MARGIN_MS: '1000', MAX_RETRIES: '10' });
    const timeoutMs = 2_500;
    const record = toSqsRecord({ body, receiveCount: 1 });

    const started = Date.now();
    const response = await handler({ Records: [record] }, createLambdaContext(timeoutMs));

    expect(Date.now() - started).toBeLessThan(timeoutMs);
    expect(failedIds(response)).toEqual([record.messageId]);
    expect(auditRecords(world.lines)[0]).toMatchObject({
      outcome: 'failed',
      disposition: 'retry',
      error_code: 'KMS_TIMEOUT',
    });
    // An attempt needs at least its own timeout (300 ms) before the retry deadline (1 s before the end).
    const creates = world.stack.emulator.calls.filter((c) => c.operation === 'createAlias');
    expect(creates.length).toBeGreaterThanOrEqual(2);
    for (const call of creates) expect(call.at - started).toBeLessThanOrEqual(timeoutMs - 1_000 - 300 + 50);
    expect(await world.stack.sqs.drainDlq()).toEqual([]);
  });
});

describe('a dead-letter record never holds one of the function secrets', () => {
  it("masks the function's own AK in a CTS trace body, marks the record, and the masked body still replays", async () => {
    // A CTS trace names the caller's access key; a key created with the AK this function also
    // uses puts that AK in the trace, with no attack at all.
    const trace = JSON.parse(readFileSync(new URL('../../events/cts-create-key.json', import.meta.url), 'utf8')) as {
      user: Record<string, unknown>;
    };
    trace.user.access_key_id = LOCAL_ACCOUNT.ak;
    const traced = JSON.stringify(trace);
    const keyId = '4f2b9c1d-7a3e-4c58-9b6d-2e8f0a1c3d5e'; // the sample's key
    const alias = 'alias/test/payments-db-aes_256';
    world.stack.seedKeysFor([traced]);
    // Its alias is held by another key: a conflict, filed in the DLQ.
    world.stack.emulator.state.createKey(LOCAL_ACCOUNT.projectId, { key_id: KEY_B, key_alias: 'other' });
    world.stack.emulator.state.putAlias(LOCAL_ACCOUNT.projectId, KEY_B, alias);
    const handler = handlerWith();
    await handler({ Records: [toSqsRecord({ body: traced })] }, createLambdaContext());

    expect(auditRecords(world.lines)[0]).toMatchObject({ outcome: 'conflict', key_id: keyId, alias });
    const [dlq] = await world.stack.sqs.drainDlq();
    expect(detailOf(dlq)).toMatchObject({ reason: 'conflict', existing_key_id: KEY_B });
    expect(dlq?.Body).not.toContain(LOCAL_ACCOUNT.ak);
    expect(dlq?.MessageAttributes?.[BODY_REDACTED_ATTRIBUTE]?.StringValue).toBe('true');
    // The other key goes (its alias with it); the operator replays the masked body: the key gets its alias.
    world.stack.emulator.state.deleteKey(KEY_B);
    world.lines = [];
    const replayed = await handler({ Records: [toSqsRecord({ body: dlq?.Body ?? '' })] }, createLambdaContext());
    expect(failedIds(replayed)).toEqual([]);
    expect(auditRecords(world.lines)[0]).toMatchObject({ outcome: 'created', key_id: keyId, alias });
    expect(world.stack.emulator.state.aliasesOf(keyId)).toEqual([alias]);
  });
});
