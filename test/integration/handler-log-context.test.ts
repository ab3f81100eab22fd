import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHandler } from '../../functions/create-key-alias/app.ts';
import { buildDeps } from '../../functions/create-key-alias/build-deps.ts';
import { loadConfig } from '../../lib/config/load-config.ts';
import { LOCAL_ACCOUNT } from '../support/local-account.ts';
import { toSqsRecord } from '../support/sqs-records.ts';
import { createLambdaContext } from '../support/lambda-context.ts';
import { startStack, type Stack } from '../support/stack.ts';

// What the real handler writes can be joined to its invocation (Logs Insights) and survives
// Lambda's log-level filtering when an operator raises it.

let stack: Stack;
let lines: string[];

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => stack.stop());
beforeEach(() => {
  stack.emulator.reset();
  stack.sqs.server.reset();
  lines = [];
});

const body = (keyId: string) =>
  JSON.stringify({
    type: 'kms.key.created',
    key_id: keyId,
    project_id: LOCAL_ACCOUNT.projectId,
    key_alias: 'billing',
    key_spec: 'AES_256',
    created_at: '2026-11-29T00:00:00Z',
  });

const handlerWith = (extra: Record<string, string> = {}) =>
  createHandler(buildDeps(loadConfig(stack.env(extra)), { write: (l) => lines.push(l), sqsClient: stack.sqs.client }));

/** Lambda's rule: a line below the configured level is dropped; no valid level counts as INFO. */
const RANK: Record<string, number> = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4, FATAL: 5 };
const keptByLambda = (line: Record<string, unknown>, level: string) =>
  (RANK[String(line.level)] ?? RANK.INFO!) >= RANK[level]!;

describe('create-key-alias log lines', () => {
  it('carry the invocation on every line: request id, cold start, function name', async () => {
    const keys = ['11111111-2222-4333-8444-000000000001', '11111111-2222-4333-8444-000000000002'];
    stack.seedKeysFor(keys.map(body));
    // One retried create, so the retry policy's DEBUG line is among them.
    stack.emulator.faults.add({
      operation: 'createAlias',
      times: 1,
      action: { status: 503, code: 'KMS.0101', message: 'busy' },
    });
    const handler = handlerWith({ LOG_LEVEL: 'debug' });
    const contexts = [createLambdaContext(), createLambdaContext()];
    const perInvocation: Array<Array<Record<string, unknown>>> = [];
    for (const [i, context] of contexts.entries()) {
      lines = [];
      await handler({ Records: [toSqsRecord({ body: body(keys[i] as string) })] }, context);
      perInvocation.push(lines.map((l) => JSON.parse(l) as Record<string, unknown>));
    }
    const [first, second] = perInvocation as [Array<Record<string, unknown>>, Array<Record<string, unknown>>];
    expect(first.map((l) => l.log_type ?? (l._aws === undefined ? l.message : 'emf'))).toEqual([
      'retrying',
      'audit',
      'emf',
    ]);
    for (const [lines, context, cold] of [
      [first, contexts[0], true],
      [second, contexts[1], false],
    ] as const) {
      expect(lines.length).toBeGreaterThanOrEqual(2);
      for (const line of lines) {
        expect(line).toMatchObject({
          function_request_id: context?.awsRequestId,
          function_name: context?.functionName,
          cold_start: cold,
        });
      }
    }
    expect(first.find((l) => l.log_type === 'audit')).toMatchObject({
      level: 'INFO',
      message: 'decision',
      service: 'kms-auto-alias',
      outcome: 'created',
    });
  });

  it.each(['WARN', 'ERROR'])('keeps the audit records and metrics when Lambda filters at %s', async (lambdaLevel) => {
    vi.stubEnv('AWS_LAMBDA_LOG_LEVEL', lambdaLevel);
    const keyId = '11111111-2222-4333-8444-000000000003';
    stack.seedKeysFor([body(keyId)]);
    await handlerWith({ LOG_LEVEL: 'debug' })(
      { Records: [toSqsRecord({ body: body(keyId) }), toSqsRecord({ body: 'not json' })] },
      createLambdaContext(),
    );
    const written = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const kept = written.filter((l) => keptByLambda(l, lambdaLevel));
    const outcomes = kept.filter((l) => l.log_type === 'audit').map((l) => String(l.outcome));
    expect(outcomes.sort()).toEqual(['created', 'invalid']);
    expect(kept.filter((l) => l._aws !== undefined).length).toBeGreaterThan(0);
  });
});
