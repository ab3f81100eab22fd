import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../functions/create-key-alias/app.ts';
import { buildDeps } from '../../functions/create-key-alias/build-deps.ts';
import { loadConfig } from '../../lib/config/load-config.ts';
import { DLQ_ATTRIBUTE } from '../../lib/dlq/build-dlq-record.ts';
import { LOCAL_ACCOUNT } from '../support/local-account.ts';
import { toSqsRecord } from '../support/sqs-records.ts';
import { createLambdaContext } from '../support/lambda-context.ts';
import { loadEventBody, SAMPLE_EVENT_NAMES } from '../support/load-event.ts';
import { auditRecords, failedIds, startStack, type Stack } from '../support/stack.ts';

// The real handler (middy, processBatch, HTTP client, retry policy, DLQ publisher) against the
// KMS emulator over HTTP (signatures verified) and fauxqs as the DLQ.

let stack: Stack;
let lines: string[];

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => stack.stop());
beforeEach(async () => {
  stack.emulator.reset();
  stack.sqs.server.reset();
  lines = [];
});

function handlerWith(extra: Record<string, string> = {}) {
  const config = loadConfig(stack.env(extra));
  return createHandler(buildDeps(config, { write: (l) => lines.push(l), sqsClient: stack.sqs.client }));
}

const canonical = (keyId: string, keyAlias = 'billing', spec = 'AES_256') =>
  JSON.stringify({
    type: 'kms.key.created',
    key_id: keyId,
    project_id: LOCAL_ACCOUNT.projectId,
    key_alias: keyAlias,
    key_spec: spec,
    created_by: 'alice',
    created_at: '2026-11-29T00:00:00Z',
  });
const KEY_A = '11111111-2222-4333-8444-555555555555';
const KEY_B = '66666666-7777-4888-9999-aaaaaaaaaaaa';

function createCalls() {
  return stack.emulator.calls.filter((c) => c.operation === 'createAlias');
}

describe('create-key-alias handler', () => {
  it('aliases the key of every sample event shape with one API call each', async () => {
    const bodies = SAMPLE_EVENT_NAMES.map(loadEventBody);
    stack.seedKeysFor(bodies);
    const handler = handlerWith();
    const records = bodies.map((body) => toSqsRecord({ body }));
    const response = await handler({ Records: records }, createLambdaContext());

    expect(failedIds(response)).toEqual([]);
    const audits = auditRecords(lines);
    expect(audits.map((a) => a.outcome)).toEqual(bodies.map(() => 'created'));
    for (const audit of audits) {
      expect(stack.emulator.state.aliasesOf(String(audit.key_id))).toEqual([audit.alias]);
      expect(audit.alias).toMatch(/^alias\/test\/[a-z0-9-]+-[a-z0-9_]+$/);
      expect(audit.api_calls).toBe(1);
      expect(audit.alias_fields).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'key_alias' })]));
      expect(audit.created_by).toBeDefined();
    }
    expect(stack.emulator.calls.map((c) => c.operation)).toEqual(bodies.map(() => 'createAlias'));
    expect(await stack.sqs.drainDlq()).toEqual([]);
    const emf = lines.map((l) => JSON.parse(l)).filter((r) => r._aws !== undefined);
    expect(emf).toEqual([
      expect.objectContaining({
        ProjectId: LOCAL_ACCOUNT.projectId,
        AliasesCreated: bodies.length,
        KmsApiCalls: bodies.length,
        Failures: 0,
      }),
    ]);
  });

  it('leaves one alias for duplicates in one batch, at the cost of one call', async () => {
    stack.emulator.state.createKey(LOCAL_ACCOUNT.projectId, { key_id: KEY_A, key_alias: 'billing' });
    const body = canonical(KEY_A);
    const response = await handlerWith()(
      { Records: [toSqsRecord({ body }), toSqsRecord({ body }), toSqsRecord({ body })] },
      createLambdaContext(),
    );
    expect(failedIds(response)).toEqual([]);
    expect(
      auditRecords(lines)
        .map((a) => a.outcome)
        .sort(),
    ).toEqual(['already_present', 'already_present', 'created']);
    expect(stack.emulator.state.aliasesOf(KEY_A)).toEqual(['alias/test/billing-aes_256']);
    expect(createCalls()).toHaveLength(1);
  });

  it('counts a duplicate in a later batch as already present', async () => {
    stack.emulator.state.createKey(LOCAL_ACCOUNT.projectId, { key_id: KEY_A, key_alias: 'billing' });
    const handler = handlerWith();
    await handler({ Records: [toSqsRecord({ body: canonical(KEY_A) })] }, createLambdaContext());
    const second = await handler({ Records: [toSqsRecord({ body: canonical(KEY_A) })] }, createLambdaContext());
    expect(failedIds(second)).toEqual([]);
    const [first, again] = auditRecords(lines);
    expect(first?.outcome).toBe('created');
    expect(again).toMatchObject({ outcome: 'already_present', disposition: 'ack', api_calls: 2 });
    expect(stack.emulator.state.aliasesOf(KEY_A)).toEqual(['alias/test/billing-aes_256']);
  });

  it('reports an alias held by another key as a conflict in the DLQ and never moves it', async () => {
    stack.emulator.state.createKey(LOCAL_ACCOUNT.projectId, { key_id: KEY_A, key_alias: 'billing' });
    stack.emulator.state.createKey(LOCAL_ACCOUNT.projectId, { key_id: KEY_B, key_alias: 'billing-old' });
    stack.emulator.state.putAlias(LOCAL_ACCOUNT.projectId, KEY_B, 'alias/test/billing-aes_256');
    const body = canonical(KEY_A);
    const record = toSqsRecord({ body });
    const response = await handlerWith()({ Records: [record] }, createLambdaContext());

    expect(failedIds(response)).toEqual([]);
    expect(stack.emulator.state.aliasesOf(KEY_B)).toEqual(['alias/test/billing-aes_256']);
    expect(stack.emulator.state.aliasesOf(KEY_A)).toEqual([]);
    expect(auditRecords(lines)[0]).toMatchObject({ outcome: 'conflict', existing_key_id: KEY_B, disposition: 'dlq' });
    const [dlq] = await stack.sqs.drainDlq();
    expect(dlq?.Body).toBe(body);
    expect(dlq?.MessageAttributes?.[DLQ_ATTRIBUTE.reason]?.StringValue).toBe('conflict');
    const detail = JSON.parse(dlq?.MessageAttributes?.[DLQ_ATTRIBUTE.detail]?.StringValue ?? '{}');
    expect(detail).toMatchObject({
      existing_key_id: KEY_B,
      alias: 'alias/test/billing-aes_256',
      source_message_id: record.messageId,
    });
  });

  it('sends an invalid body to the DLQ with a reason and still processes the rest of the batch', async () => {
    stack.emulator.state.createKey(LOCAL_ACCOUNT.projectId, { key_id: KEY_A, key_alias: 'billing' });
    const bad = toSqsRecord({ body: '{"cts": {"trace_name": ' });
    const good = toSqsRecord({ body: canonical(KEY_A) });
    const response = await handlerWith()({ Records: [bad, good] }, createLambdaContext());

    expect(failedIds(response)).toEqual([]);
    const audits = auditRecords(lines);
    expect(audits.find((a) => a.message_id === bad.messageId)).toMatchObject({
      outcome: 'invalid',
      reason: 'not_json',
    });
    expect(audits.find((a) => a.message_id === good.messageId)).toMatchObject({ outcome: 'created' });
    const [dlq] = await stack.sqs.drainDlq();
    expect(dlq?.Body).toBe(bad.body);
    expect(dlq?.MessageAttributes?.[DLQ_ATTRIBUTE.reason]?.StringValue).toBe('invalid:not_json');
  });

  it('retries a 429 and succeeds', async () => {
    stack.emulator.state.createKey(LOCAL_ACCOUNT.projectId, { key_id: KEY_A, key_alias: 'billing' });
    stack.emulator.faults.add({
      operation: 'createAlias',
      times: 1,
      action: { status: 429, code: 'APIGW.0308', message: 'The throttling threshold has been reached', shape: 'flat' },
    });
    const response = await handlerWith()({ Records: [toSqsRecord({ body: canonical(KEY_A) })] }, createLambdaContext());
    expect(failedIds(response)).toEqual([]);
    expect(auditRecords(lines)[0]).toMatchObject({ outcome: 'created', api_calls: 2, retries: 1 });
    expect(stack.emulator.state.aliasesOf(KEY_A)).toHaveLength(1);
  });

  it('returns a message failing with 5xx to the queue, and sends it to the DLQ on its last receive', async () => {
    stack.emulator.state.createKey(LOCAL_ACCOUNT.projectId, { key_id: KEY_A, key_alias: 'billing' });
    stack.emulator.faults.add({
      operation: 'createAlias',
      action: { status: 503, code: 'APIGW.0503', message: 'service unavailable', shape: 'flat' },
    });
    const handler = handlerWith({ MAX_RETRIES: '2', MAX_RECEIVE_COUNT: '3' });
    const first = toSqsRecord({ body: canonical(KEY_A), receiveCount: 1 });
    expect(failedIds(await handler({ Records: [first] }, createLambdaContext()))).toEqual([first.messageId]);
    expect(await stack.sqs.drainDlq()).toEqual([]);

    const last = toSqsRecord({ body: canonical(KEY_A), receiveCount: 3 });
    expect(failedIds(await handler({ Records: [last] }, createLambdaContext()))).toEqual([]);
    const audits = auditRecords(lines);
    expect(audits[0]).toMatchObject({
      outcome: 'failed',
      disposition: 'retry',
      api_calls: 3,
      error_code: 'KMS_UNAVAILABLE',
    });
    expect(audits[1]).toMatchObject({ outcome: 'failed', disposition: 'dlq', receive_count: 3 });
    const [dlq] = await stack.sqs.drainDlq();
    const detail = JSON.parse(dlq?.MessageAttributes?.[DLQ_ATTRIBUTE.detail]?.StringValue ?? '{}');
    expect(detail).toMatchObject({ huawei_code: 'APIGW.0503', attempts: 3, retryable: true, receive_count: 3 });
    expect(detail.request_id).toMatch(/^[0-9a-f]{16,}$/);
  });

  it('sends a disabled key to the DLQ at once, with Huawei code and request id', async () => {
    stack.emulator.state.createKey(LOCAL_ACCOUNT.projectId, { key_id: KEY_A, key_alias: 'billing', key_state: '3' });
    const response = await handlerWith()({ Records: [toSqsRecord({ body: canonical(KEY_A) })] }, createLambdaContext());
    expect(failedIds(response)).toEqual([]);
    expect(auditRecords(lines)[0]).toMatchObject({
      outcome: 'failed',
      error_code: 'KMS_KEY_DISABLED',
      huawei_code: 'KMS.0209',
      api_calls: 1,
    });
    const [dlq] = await stack.sqs.drainDlq();
    expect(dlq?.MessageAttributes?.[DLQ_ATTRIBUTE.errorCode]?.StringValue).toBe('KMS_KEY_DISABLED');
  });

  it('waits for a key that is not visible yet (KMS.0207) within the window', async () => {
    stack.emulator.state.createKey(LOCAL_ACCOUNT.projectId, {
      key_id: KEY_A,
      key_alias: 'billing',
      visibleAfterMs: 60,
    });
    // Full jitter: ten waits of up to 50-100 ms each make "still invisible after all of them" vanishingly unlikely.
    const response = await handlerWith({ RETRY_MIN_DELAY_MS: '50', RETRY_MAX_DELAY_MS: '100', MAX_RETRIES: '10' })(
      { Records: [toSqsRecord({ body: canonical(KEY_A) })] },
      createLambdaContext(),
    );
    expect(failedIds(response)).toEqual([]);
    const [audit] = auditRecords(lines);
    expect(audit?.outcome).toBe('created');
    expect(Number(audit?.retries)).toBeGreaterThanOrEqual(1);
  });

  it('keeps the message when the DLQ cannot be reached', async () => {
    const record = toSqsRecord({ body: 'not json at all' });
    const response = await handlerWith({ DLQ_URL: `${stack.sqs.endpoint}/000000000000/no-such-queue` })(
      { Records: [record] },
      createLambdaContext(),
    );
    expect(failedIds(response)).toEqual([record.messageId]);
    expect(auditRecords(lines)[0]).toMatchObject({ outcome: 'invalid', disposition: 'retry' });
    expect(auditRecords(lines)[0]?.dlq_error).toBeDefined();
  });

  it('skips other operations and projects outside the map, with reasons', async () => {
    const other = JSON.parse(loadEventBody('cts-create-key')) as Record<string, unknown>;
    other.trace_name = 'disableKey';
    const foreign = JSON.stringify({
      type: 'kms.key.created',
      key_id: KEY_A,
      project_id: 'ffffffffffffffffffffffffffffffff',
    });
    const response = await handlerWith()(
      { Records: [toSqsRecord({ body: JSON.stringify(other) }), toSqsRecord({ body: foreign })] },
      createLambdaContext(),
    );
    expect(failedIds(response)).toEqual([]);
    expect(auditRecords(lines).map((a) => [a.outcome, a.reason])).toEqual([
      ['skipped', 'not_create_key'],
      ['skipped', 'project_not_configured'],
    ]);
    expect(stack.emulator.calls).toEqual([]);
  });

  it('in dry run makes no write and says what it would have done', async () => {
    stack.emulator.state.createKey(LOCAL_ACCOUNT.projectId, { key_id: KEY_A, key_alias: 'billing' });
    const response = await handlerWith({ DRY_RUN: 'true' })(
      { Records: [toSqsRecord({ body: canonical(KEY_A) })] },
      createLambdaContext(),
    );
    expect(failedIds(response)).toEqual([]);
    expect(auditRecords(lines)[0]).toMatchObject({
      outcome: 'skipped',
      reason: 'dry_run',
      alias: 'alias/test/billing-aes_256',
      dry_run: true,
    });
    expect(stack.emulator.state.aliasesOf(KEY_A)).toEqual([]);
    expect(stack.emulator.calls).toEqual([]);
  });

  it('sends a naming failure (missing placeholder) to the DLQ with the field named', async () => {
    stack.emulator.state.createKey(LOCAL_ACCOUNT.projectId, { key_id: KEY_A, key_alias: 'billing' });
    const body = JSON.stringify({ type: 'kms.key.created', key_id: KEY_A, project_id: LOCAL_ACCOUNT.projectId });
    const response = await handlerWith()({ Records: [toSqsRecord({ body })] }, createLambdaContext());
    expect(failedIds(response)).toEqual([]);
    const [audit] = auditRecords(lines);
    expect(audit).toMatchObject({ outcome: 'failed', error_code: 'MISSING_FIELD', disposition: 'dlq' });
    expect(String(audit?.detail)).toContain('key_alias');
  });

  it.each([
    ['IAM password token', {}],
    [
      'IAM agency token (assume_role)',
      { HUAWEICLOUD_IAM_AGENCY: LOCAL_ACCOUNT.agency, HUAWEICLOUD_IAM_AGENCY_DOMAIN: LOCAL_ACCOUNT.domainName },
    ],
  ])('works in %s mode, fetching the token once and healing an expired one', async (_, agency) => {
    stack.emulator.state.createKey(LOCAL_ACCOUNT.projectId, { key_id: KEY_A, key_alias: 'billing' });
    stack.emulator.state.createKey(LOCAL_ACCOUNT.projectId, { key_id: KEY_B, key_alias: 'ledger' });
    const handler = handlerWith({
      HUAWEICLOUD_SDK_AK: '',
      HUAWEICLOUD_SDK_SK: '',
      HUAWEICLOUD_IAM_USER: LOCAL_ACCOUNT.user,
      HUAWEICLOUD_IAM_PASSWORD: LOCAL_ACCOUNT.password,
      HUAWEICLOUD_IAM_DOMAIN: LOCAL_ACCOUNT.domainName,
      ...agency,
    });
    await handler({ Records: [toSqsRecord({ body: canonical(KEY_A) })] }, createLambdaContext());
    stack.emulator.expireAllTokens();
    const response = await handler(
      { Records: [toSqsRecord({ body: canonical(KEY_B, 'ledger') })] },
      createLambdaContext(),
    );

    expect(failedIds(response)).toEqual([]);
    expect(auditRecords(lines).map((a) => a.outcome)).toEqual(['created', 'created']);
    const tokenCalls = stack.emulator.calls.filter((c) => c.operation === 'iamToken' && c.status === 201);
    // One token per fetch (two with an agency: the user's, then the agency's), fetched again after expiry.
    expect(tokenCalls).toHaveLength(Object.keys(agency).length === 0 ? 2 : 4);
    expect(stack.emulator.state.aliasesOf(KEY_B)).toEqual(['alias/test/ledger-aes_256']);
    for (const line of lines) expect(line).not.toContain(LOCAL_ACCOUNT.password);
  });

  it('never writes a credential into a log line', async () => {
    stack.emulator.state.createKey(LOCAL_ACCOUNT.projectId, { key_id: KEY_A, key_alias: 'billing' });
    stack.emulator.faults.add({
      operation: 'createAlias',
      times: 1,
      action: { status: 500, code: 'KMS.0101', message: 'kms error.', shape: 'nested' },
    });
    await handlerWith({ LOG_LEVEL: 'debug' })(
      { Records: [toSqsRecord({ body: canonical(KEY_A) }), toSqsRecord({ body: '[]' })] },
      createLambdaContext(),
    );
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) {
      expect(line).not.toContain(LOCAL_ACCOUNT.sk);
      expect(line).not.toContain(LOCAL_ACCOUNT.sk.slice(0, 12));
      expect(line).not.toContain(LOCAL_ACCOUNT.ak);
    }
  });
});
