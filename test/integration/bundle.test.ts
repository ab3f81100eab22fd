import { pathToFileURL } from 'node:url';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DLQ_ATTRIBUTE } from '../../lib/dlq/build-dlq-record.ts';
import { LOCAL_ACCOUNT } from '../support/local-account.ts';
import { toSqsRecord } from '../support/sqs-records.ts';
// @ts-expect-error: a plain .mjs build script without type declarations
import { buildHandler } from '../../scripts/build.mjs';
import { createLambdaContext } from '../support/lambda-context.ts';
import { collectLogLine } from '../setup/secret-scan.ts';
import { loadEventBody, SAMPLE_EVENT_NAMES } from '../support/load-event.ts';
import { auditRecords, failedIds, startStack, type Stack } from '../support/stack.ts';

// The deployed artifact itself (esbuild ESM bundle with its lazily loaded chunks), not the
// sources: catches what only bundling breaks, such as the SDK's dynamic require on first send().

type Handler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
let stack: Stack;
let handlerPath: string;

beforeAll(async () => {
  stack = await startStack();
  const built = await buildHandler({ outdir: 'dist/test-bundle/create-key-alias', quiet: true });
  handlerPath = built.handler;
});
afterAll(async () => stack.stop());

async function loadBundle(env: Record<string, string>): Promise<Handler> {
  vi.unstubAllEnvs();
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  // A fresh module instance per load, as a new Lambda instance would have.
  const url = `${pathToFileURL(handlerPath).href}?instance=${Math.random()}`;
  const mod = (await import(url)) as { handler: Handler };
  return mod.handler;
}

describe('the built bundle', () => {
  it('aliases sample keys and sends an invalid body to the DLQ through the real SQS client', async () => {
    const bodies = SAMPLE_EVENT_NAMES.map(loadEventBody);
    stack.seedKeysFor(bodies);
    const handler = await loadBundle(stack.env());
    const lines: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk).trimEnd());
      // Hand the line to the suite-wide secret scan, which this mock would otherwise bypass.
      collectLogLine(String(chunk), 'bundle-stdout');
      return true;
    });
    const invalid = toSqsRecord({ body: '{"type":"kms.key.created","key_id":"nope"}' });
    let response: SQSBatchResponse;
    try {
      response = await handler(
        { Records: [...bodies.map((body) => toSqsRecord({ body })), invalid] },
        createLambdaContext(),
      );
    } finally {
      write.mockRestore();
    }
    expect(failedIds(response)).toEqual([]);
    const audits = auditRecords(lines);
    expect(audits.filter((a) => a.outcome === 'created')).toHaveLength(bodies.length);
    expect(audits.find((a) => a.message_id === invalid.messageId)).toMatchObject({
      outcome: 'invalid',
      disposition: 'dlq',
    });
    const dlq = await stack.sqs.drainDlq();
    expect(dlq.map((m) => m.Body)).toEqual([invalid.body]);
    expect(dlq[0]?.MessageAttributes?.[DLQ_ATTRIBUTE.reason]?.StringValue).toMatch(/^invalid:/);
    for (const key of stack.emulator.state.keys(LOCAL_ACCOUNT.projectId)) {
      expect(stack.emulator.state.aliasesOf(key.key_id)).toHaveLength(1);
    }
  });

  it('fails at cold start with a message naming the variable', async () => {
    await expect(loadBundle({ ...stack.env(), MAX_RECEIVE_COUNT: 'many' })).rejects.toThrow(/MAX_RECEIVE_COUNT/);
    await expect(loadBundle({ ...stack.env(), KMS_ENDPOINT: 'http://kms.example.com' })).rejects.toThrow(
      /KMS_ENDPOINT/,
    );
  });

  it('with TAG_TEMPLATE set, tags every new key right after its alias: two calls a key', async () => {
    stack.emulator.reset();
    stack.sqs.server.reset();
    const bodies = SAMPLE_EVENT_NAMES.map(loadEventBody);
    stack.seedKeysFor(bodies);
    const handler = await loadBundle(
      stack.env({ TAG_TEMPLATE: 'managed_by=kms-auto-alias,created_by={created_by|default:unknown|truncate:43}' }),
    );
    const lines: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk).trimEnd());
      collectLogLine(String(chunk), 'bundle-stdout');
      return true;
    });
    let response: SQSBatchResponse;
    try {
      response = await handler({ Records: bodies.map((body) => toSqsRecord({ body })) }, createLambdaContext());
    } finally {
      write.mockRestore();
    }
    expect(failedIds(response)).toEqual([]);
    const audits = auditRecords(lines);
    expect(audits.map((a) => [a.outcome, a.tags_status, a.api_calls])).toEqual(
      bodies.map(() => ['created', 'applied', 2]),
    );
    for (const key of stack.emulator.state.keys(LOCAL_ACCOUNT.projectId)) {
      const tags = stack.emulator.tags.tagsOf(key.key_id);
      expect(tags).toContainEqual({ key: 'managed_by', value: 'kms-auto-alias' });
      expect(tags.map((t) => t.key).sort()).toEqual(['created_by', 'managed_by']);
    }
    await expect(loadBundle({ ...stack.env(), TAG_TEMPLATE: 'a=1,a=2' })).rejects.toThrow(/TAG_TEMPLATE/);
  });
});
