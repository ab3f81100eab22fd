import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler } from '../../functions/create-key-alias/app.ts';
import { buildDeps } from '../../functions/create-key-alias/build-deps.ts';
import { SQS_INVALID_CHAR } from '../../fuzz/arbitraries.ts';
import { checkNormalised } from '../../fuzz/properties.ts';
import { loadConfig } from '../../lib/config/load-config.ts';
import { buildDlqRecord, DLQ_ATTRIBUTE } from '../../lib/dlq/build-dlq-record.ts';
import { LOCAL_ACCOUNT } from '../support/local-account.ts';
import { toSqsRecord } from '../support/sqs-records.ts';
import { createLambdaContext } from '../support/lambda-context.ts';
import { auditRecords, failedIds, startStack, type Stack } from '../support/stack.ts';

// Bugs the fuzz run found, pinned.

describe('DLQ records SQS would refuse (fuzz: U+FFFE/U+FFFF in a quoted field)', () => {
  // An event may carry "\uffff" (escaped, so the body itself is a valid SQS message). The
  // normaliser quotes the bad value in its detail with JSON.stringify, which leaves U+FFFF raw;
  // SQS refuses attribute values holding it, so the DLQ send failed and the message went back to
  // its queue on every receive (the queue's redrive then moved it without a reason). fauxqs does
  // not check attribute characters, hence the explicit check here.
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack.stop());

  it('escapes them in the detail attribute, which still parses to the same text', () => {
    const record = buildDlqRecord(
      '{}',
      { kind: 'invalid', reason: 'invalid_key_id', detail: 'key_id: got "\uffff\ufffe"' },
      {
        messageId: 'm',
        receiveCount: 1,
        firstReceivedAt: undefined,
        sourceQueueArn: undefined,
        keyId: undefined,
        projectId: undefined,
        region: undefined,
        attempts: 0,
        failedAt: '2026-01-01T00:00:00.000Z',
      },
    );
    const value = record.attributes[DLQ_ATTRIBUTE.detail]?.StringValue ?? '';
    expect(SQS_INVALID_CHAR.test(value)).toBe(false);
    expect(JSON.parse(value).detail).toBe('key_id: got "\uffff\ufffe"');
  });

  it.each([
    ['key_id', { key_id: '\uffff' }, 'invalid'],
    ['project_id', { project_id: 'x\ufffe' }, 'invalid'],
    ['key_alias, unslugged template', { key_alias: 'a\uffffb' }, 'failed'],
  ])('sends an event with U+FFFF in %s to the DLQ with its reason', async (_what, fields, outcome) => {
    stack.emulator.reset();
    stack.sqs.server.reset();
    const key = '1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e';
    stack.emulator.state.createKey(LOCAL_ACCOUNT.projectId, { key_id: key, key_alias: 'x' });
    const body = JSON.stringify({
      type: 'kms.key.created',
      key_id: key,
      project_id: LOCAL_ACCOUNT.projectId,
      key_alias: 'x',
      ...fields,
    }).replace(/[\ufffe\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
    expect(SQS_INVALID_CHAR.test(body)).toBe(false);
    const lines: string[] = [];
    const config = loadConfig(stack.env({ ALIAS_TEMPLATE: 'alias/{key_alias}' }));
    const handler = createHandler(buildDeps(config, { write: (l) => lines.push(l), sqsClient: stack.sqs.client }));
    const response = await handler({ Records: [toSqsRecord({ body })] }, createLambdaContext());
    expect(failedIds(response)).toEqual([]);
    expect(auditRecords(lines)[0]).toMatchObject({ outcome, disposition: 'dlq' });
    const [dlq] = await stack.sqs.drainDlq();
    expect(dlq?.Body).toBe(body);
    for (const attribute of Object.values(dlq?.MessageAttributes ?? {})) {
      expect(SQS_INVALID_CHAR.test(attribute.StringValue ?? '')).toBe(false);
    }
  });
});

describe('the fuzz oracle reads ids with the clients own shapes (fuzz seed 1554179451)', () => {
  // The oracle had its own copy of the region shape, which had drifted: it called a
  // four-part region (two letters, three words, a number) not a region id, where the
  // normaliser, the configuration and the endpoint builder all accept it.
  it('finds nothing wrong with a canonical event in a four-part region', () => {
    const body = JSON.stringify({
      type: 'kms.key.created',
      key_id: '2d4f6a8c-0e1b-4d3f-9a5c-7e9b1d3f5a7c',
      project_id: '0f3a8c1e5b7d4e2a9c6b8d0e1f2a3b4c',
      region: 'cn-north-cn-north-4',
    });
    const { result, violations } = checkNormalised(body);
    expect(result?.kind).toBe('key_created');
    expect(violations).toEqual([]);
  });
});
