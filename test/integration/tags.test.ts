import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../functions/create-key-alias/app.ts';
import { buildDeps } from '../../functions/create-key-alias/build-deps.ts';
import { loadConfig } from '../../lib/config/load-config.ts';
import { DLQ_ATTRIBUTE } from '../../lib/dlq/build-dlq-record.ts';
import { createLambdaContext } from '../support/lambda-context.ts';
import { LOCAL_ACCOUNT } from '../support/local-account.ts';
import { toSqsRecord } from '../support/sqs-records.ts';
import { auditRecords, failedIds, startStack, type Stack } from '../support/stack.ts';

// Issue 12 docs/huawei-kms.md#alias-api through the real handler: the HTTP client signs the tag calls, the emulator applies
// Huawei's tag rules and errors (emulator/kms-tags.ts), fauxqs takes what goes to the DLQ.

let stack: Stack;
let lines: string[];

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => stack.stop());
beforeEach(async () => {
  stack.emulator.reset();
  stack.emulator.tags.configure({ createReading: 'overwrites', maxTagsPerKey: 10, countField: 'existTagsNum' });
  stack.sqs.server.reset();
  lines = [];
});

const TAGS = 'created_by={created_by},env={env},alias={alias|truncate:43}';
const KEY = '11111111-2222-4333-8444-555555555555';
const ALIAS = 'alias/test/billing-aes_256';

const body = (createdBy = 'alice') =>
  JSON.stringify({
    type: 'kms.key.created',
    key_id: KEY,
    project_id: LOCAL_ACCOUNT.projectId,
    key_alias: 'billing',
    key_spec: 'AES_256',
    created_by: createdBy,
    created_at: '2026-11-29T00:00:00Z',
  });

function handlerWith(extra: Record<string, string> = {}) {
  const config = loadConfig(stack.env({ TAG_TEMPLATE: TAGS, ...extra }));
  return createHandler(buildDeps(config, { write: (l) => lines.push(l), sqsClient: stack.sqs.client }));
}

const seedKey = () => stack.emulator.state.createKey(LOCAL_ACCOUNT.projectId, { key_id: KEY, key_alias: 'billing' });
const operations = () => stack.emulator.calls.map((c) => c.operation);
const tagsOfKey = () => Object.fromEntries(stack.emulator.tags.tagsOf(KEY).map((t) => [t.key, t.value]));

describe('tags from the same convention', () => {
  it('gives a new key its alias and its tags in exactly two calls', async () => {
    seedKey();
    const response = await handlerWith()({ Records: [toSqsRecord({ body: body() })] }, createLambdaContext());
    expect(failedIds(response)).toEqual([]);
    expect(operations()).toEqual(['createAlias', 'createTags']);
    expect(stack.emulator.state.aliasesOf(KEY)).toEqual([ALIAS]);
    expect(tagsOfKey()).toEqual({ created_by: 'alice', env: 'test', alias: ALIAS });
    const [audit] = auditRecords(lines);
    expect(audit).toMatchObject({
      outcome: 'created',
      api_calls: 2,
      tags: ['created_by=alice', 'env=test', `alias=${ALIAS}`],
      tags_status: 'applied',
      tag_calls: 1,
    });
    expect(audit?.tag_request_ids).toHaveLength(1);
    const emf = lines.map((l) => JSON.parse(l)).find((r) => r._aws !== undefined);
    expect(emf).toMatchObject({ AliasesCreated: 1, TagsCreated: 3, KmsApiCalls: 2 });
  });

  it('costs one call per key with TAG_TEMPLATE unset, and writes no tag', async () => {
    seedKey();
    const config = loadConfig(stack.env());
    const handler = createHandler(buildDeps(config, { write: (l) => lines.push(l), sqsClient: stack.sqs.client }));
    await handler({ Records: [toSqsRecord({ body: body() })] }, createLambdaContext());
    expect(operations()).toEqual(['createAlias']);
    expect(stack.emulator.tags.tagsOf(KEY)).toEqual([]);
    const [audit] = auditRecords(lines);
    expect(audit?.api_calls).toBe(1);
    expect(audit).not.toHaveProperty('tags');
  });

  it('is idempotent on redelivery: lists, finds every tag in place, writes nothing', async () => {
    seedKey();
    const handler = handlerWith();
    await handler({ Records: [toSqsRecord({ body: body() })] }, createLambdaContext());
    const writes = stack.emulator.tags.writes.length;
    stack.emulator.resetCalls();
    lines = [];
    const response = await handler(
      { Records: [toSqsRecord({ body: body(), receiveCount: 2 })] },
      createLambdaContext(),
    );
    expect(failedIds(response)).toEqual([]);
    expect(operations()).toEqual(['createAlias', 'listAliases', 'listTags']);
    expect(stack.emulator.tags.writes).toHaveLength(writes);
    expect(auditRecords(lines)[0]).toMatchObject({
      outcome: 'already_present',
      tags_status: 'in_sync',
      tag_listed: true,
    });
    expect(await stack.sqs.drainDlq()).toEqual([]);
  });

  it('keeps and reports a managed tag that holds another value (TAG_OVERWRITE off), and acknowledges', async () => {
    seedKey();
    stack.emulator.tags.put(KEY, { created_by: 'bob' });
    const response = await handlerWith()(
      { Records: [toSqsRecord({ body: body(), receiveCount: 2 })] },
      createLambdaContext(),
    );
    expect(failedIds(response)).toEqual([]);
    expect(tagsOfKey()).toEqual({ created_by: 'bob', env: 'test', alias: ALIAS });
    expect(stack.emulator.tags.writes.filter((w) => w.from !== undefined)).toEqual([]);
    const [audit] = auditRecords(lines);
    expect(audit).toMatchObject({
      outcome: 'created',
      tags_status: 'conflict',
      tag_conflicts: [{ key: 'created_by', desired: 'alice', existing: 'bob', reason: 'other-value' }],
      tags_created: ['env=test', `alias=${ALIAS}`],
    });
    const warned = lines.map((l) => JSON.parse(l)).find((r) => r.level === 'WARN' || r.level === 'warn');
    expect(warned?.message).toMatch(/managed tags kept/);
    expect(await stack.sqs.drainDlq()).toEqual([]);
  });

  it('keeps the conflicting tag under the "rejects" reading too, on a live first receive', async () => {
    seedKey();
    stack.emulator.tags.configure({ createReading: 'rejects' });
    stack.emulator.tags.put(KEY, { created_by: 'bob' });
    const response = await handlerWith()({ Records: [toSqsRecord({ body: body() })] }, createLambdaContext());
    expect(failedIds(response)).toEqual([]);
    // The direct create is refused (KMS.0406), the tags are listed, the missing ones created.
    expect(operations()).toEqual(['createAlias', 'createTags', 'listTags', 'createTags']);
    expect(tagsOfKey()).toEqual({ created_by: 'bob', env: 'test', alias: ALIAS });
    expect(auditRecords(lines)[0]).toMatchObject({ tags_status: 'conflict', api_calls: 4 });
  });

  it('overwrites the managed tag with TAG_OVERWRITE=true', async () => {
    seedKey();
    stack.emulator.tags.put(KEY, { created_by: 'bob', team: 'kept' });
    await handlerWith({ TAG_OVERWRITE: 'true' })(
      { Records: [toSqsRecord({ body: body(), receiveCount: 2 })] },
      createLambdaContext(),
    );
    expect(tagsOfKey()).toEqual({ created_by: 'alice', team: 'kept', env: 'test', alias: ALIAS });
    // Overwriting is wanted, so no listing is needed: one direct create (Huawei's overwriting reading).
    expect(operations()).toEqual(['createAlias', 'createTags']);
    expect(stack.emulator.tags.writes).toContainEqual({ keyId: KEY, key: 'created_by', from: 'bob', to: 'alice' });
    expect(auditRecords(lines)[0]).toMatchObject({ tags_status: 'applied', tag_calls: 1 });
  });

  it('overwrites under the "rejects" reading by deleting the old value first', async () => {
    seedKey();
    stack.emulator.tags.configure({ createReading: 'rejects' });
    stack.emulator.tags.put(KEY, { created_by: 'bob' });
    await handlerWith({ TAG_OVERWRITE: 'true' })({ Records: [toSqsRecord({ body: body() })] }, createLambdaContext());
    expect(tagsOfKey()).toEqual({ created_by: 'alice', env: 'test', alias: ALIAS });
    expect(operations()).toEqual(['createAlias', 'createTags', 'listTags', 'createTags', 'createTags']);
    expect(auditRecords(lines)[0]).toMatchObject({
      tags_status: 'applied',
      tags_replaced: [{ key: 'created_by', from: 'bob', to: 'alice' }],
    });
  });

  it('sends a key whose rendered tag value breaks the rules to the DLQ with the reason; the alias stays', async () => {
    seedKey();
    const response = await handlerWith()(
      { Records: [toSqsRecord({ body: body('x'.repeat(60)) })] },
      createLambdaContext(),
    );
    expect(failedIds(response)).toEqual([]);
    expect(operations()).toEqual(['createAlias']);
    expect(stack.emulator.state.aliasesOf(KEY)).toEqual([ALIAS]);
    const dlq = await stack.sqs.drainDlq();
    expect(dlq).toHaveLength(1);
    expect(dlq[0]?.MessageAttributes?.[DLQ_ATTRIBUTE.reason]?.StringValue).toBe('failed:invalid_tags');
    const detail = JSON.parse(dlq[0]?.MessageAttributes?.[DLQ_ATTRIBUTE.detail]?.StringValue ?? '{}');
    expect(detail).toMatchObject({ error_code: 'INVALID_TAGS', alias: ALIAS });
    expect(detail.detail).toMatch(/created_by/);
    const [audit] = auditRecords(lines);
    expect(audit).toMatchObject({ outcome: 'failed', reason: 'invalid_tags', error_code: 'INVALID_TAGS' });
    expect(audit?.tag_violations).toEqual([expect.objectContaining({ tag: 'created_by', rule: 'VALUE_TOO_LONG' })]);
  });

  it('files a key that would go over the tag limit, sending nothing', async () => {
    seedKey();
    const ten: Record<string, string> = {};
    for (let i = 0; i < 9; i += 1) ten[`other${i}`] = 'v';
    stack.emulator.tags.put(KEY, ten);
    await handlerWith()({ Records: [toSqsRecord({ body: body() })] }, createLambdaContext());
    expect(operations()).toEqual(['createAlias', 'createTags', 'listTags']);
    expect(stack.emulator.tags.tagsOf(KEY)).toHaveLength(9);
    const [audit] = auditRecords(lines);
    expect(audit).toMatchObject({ outcome: 'failed', reason: 'tag_limit', error_code: 'TAG_LIMIT' });
    expect(await stack.sqs.drainDlq()).toHaveLength(1);
  });

  it('reads a listing that spells the count existTagNum', async () => {
    seedKey();
    stack.emulator.tags.configure({ countField: 'existTagNum' });
    await handlerWith()({ Records: [toSqsRecord({ body: body(), receiveCount: 3 })] }, createLambdaContext());
    expect(auditRecords(lines)[0]).toMatchObject({ outcome: 'created', tags_status: 'applied', tag_listed: true });
  });

  it('names the variable when TAG_TEMPLATE breaks the rules at cold start', () => {
    expect(() => loadConfig(stack.env({ TAG_TEMPLATE: '_sys_x=1' }))).toThrow(/TAG_TEMPLATE/);
    expect(() => loadConfig(stack.env({ TAG_TEMPLATE: 'a=1', TAG_OVERWRITE: 'maybe' }))).toThrow(/TAG_OVERWRITE/);
  });
});
