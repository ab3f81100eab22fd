import { describe, expect, it } from 'vitest';
import { createHandler } from '../../functions/create-key-alias/app.ts';
import { buildDeps } from '../../functions/create-key-alias/build-deps.ts';
import { loadConfig } from '../../lib/config/load-config.ts';
import { DLQ_ATTRIBUTE } from '../../lib/dlq/build-dlq-record.ts';
import { createLambdaContext } from '../support/lambda-context.ts';
import { loadEventBody } from '../support/load-event.ts';
import { toSqsRecord } from '../support/sqs-records.ts';
import { auditRecords, failedIds } from '../support/stack.ts';
import { useStack } from '../support/use-stack.ts';

// Traces that a real key exists for, but that must not give it an alias: the call they record
// failed, or their fields disagree. The real handler against the KMS emulator and fauxqs.

const world = useStack();

const SAMPLE = loadEventBody('cts-create-key');

function traceWith(change: (trace: Record<string, unknown>) => void): string {
  const trace = JSON.parse(SAMPLE) as Record<string, unknown>;
  change(trace);
  return JSON.stringify(trace);
}

describe('create-key-alias handler on failed or garbled traces', () => {
  it('gives no alias for a failed call or a trace naming two projects, and dead-letters only the garbled one', async () => {
    world.stack.seedKeysFor([SAMPLE]);
    const errorBody = toSqsRecord({
      body: traceWith((t) => {
        t['response'] = '{"error":{"error_code":"KMS.1105","error_msg":"quota"}}';
      }),
    });
    const redirected = toSqsRecord({
      body: traceWith((t) => {
        t['code'] = 302;
      }),
    });
    const twoProjects = toSqsRecord({
      body: traceWith((t) => {
        t['resource_id'] = `urn:kms:cn-north-4:${'f'.repeat(32)}:cmk:${String(t['resource_id'])}`;
      }),
    });
    const handler = createHandler(
      buildDeps(loadConfig(world.stack.env()), {
        write: (l) => world.lines.push(l),
        sqsClient: world.stack.sqs.client,
      }),
    );
    const response = await handler({ Records: [errorBody, redirected, twoProjects] }, createLambdaContext());

    expect(failedIds(response)).toEqual([]);
    expect(auditRecords(world.lines).map((a) => [a.outcome, a.reason])).toEqual([
      ['skipped', 'failed_call'],
      ['skipped', 'failed_call'],
      ['invalid', 'invalid_project_id'],
    ]);
    expect(world.stack.emulator.calls).toEqual([]);
    const dlq = await world.stack.sqs.drainDlq();
    expect(dlq.map((m) => m.MessageAttributes?.[DLQ_ATTRIBUTE.reason]?.StringValue)).toEqual([
      'invalid:invalid_project_id',
    ]);
  });
});
