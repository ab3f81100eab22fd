import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../functions/create-key-alias/app.ts';
import { buildDeps } from '../../functions/create-key-alias/build-deps.ts';
import { loadConfig } from '../../lib/config/load-config.ts';
import { DLQ_ATTRIBUTE } from '../../lib/dlq/build-dlq-record.ts';
import { createAkSkAuth } from '../../lib/huawei/aksk-auth.ts';
import { createKmsTestClient } from '../support/kms-test-client.ts';
import { createLambdaContext } from '../support/lambda-context.ts';
import { LOCAL_ACCOUNT } from '../support/local-account.ts';
import { toSqsRecord } from '../support/sqs-records.ts';
import { auditRecords, failedIds, startStack, type Stack } from '../support/stack.ts';

// Issue 12 docs/huawei-kms.md#alias-rules through the real handler: the emulator schedules and cancels deletions over HTTP and
// records their CTS traces; those traces (in a FunctionGraph trigger envelope) go to the handler,
// which deletes or re-creates aliases over signed HTTP; fauxqs takes what goes to the DLQ.

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

const OLD = '11111111-2222-4333-8444-555555555555';
const OTHER = '22222222-3333-4444-8555-666666666666';
const REPLACEMENT = '33333333-4444-4555-8666-777777777777';
const NAME = 'alias/test/payments-db-aes_256';
const HAND_MADE = 'alias/hand-made';
const OTHERS_ALIAS = 'alias/test/other-aes_256';
const project = LOCAL_ACCOUNT.projectId;

const client = () =>
  createKmsTestClient({
    endpointFor: () => stack.emulator.url,
    auth: createAkSkAuth({ ak: LOCAL_ACCOUNT.ak, sk: LOCAL_ACCOUNT.sk }),
  });
const target = (keyId: string) => ({ region: LOCAL_ACCOUNT.region, projectId: project, keyId });

function handlerWith(extra: Record<string, string> = {}) {
  const config = loadConfig(stack.env(extra));
  return createHandler(buildDeps(config, { write: (l) => lines.push(l), sqsClient: stack.sqs.client }));
}

function seed(): void {
  const { state } = stack.emulator;
  state.createKey(project, { key_id: OLD, key_alias: 'payments-db', key_spec: 'AES_256' });
  state.createKey(project, { key_id: OTHER, key_alias: 'other', key_spec: 'AES_256' });
  state.putAlias(project, OLD, NAME);
  state.putAlias(project, OLD, HAND_MADE);
  state.putAlias(project, OTHER, OTHERS_ALIAS);
}

/** The body of the last trace the emulator recorded, as a FunctionGraph CTS trigger delivers it. */
function lastTraceBody(name: string): string {
  const trace = stack.emulator.cts.traces.at(-1);
  expect(trace?.trace_name).toBe(name);
  return JSON.stringify({ cts: trace });
}

async function schedule(): Promise<string> {
  await client().scheduleKeyDeletion({ ...target(OLD), pendingDays: 7 });
  return lastTraceBody('scheduleKeyDeletion');
}

async function deliver(body: string, extra: Record<string, string> = {}) {
  stack.emulator.resetCalls();
  lines = [];
  const response = await handlerWith(extra)({ Records: [toSqsRecord({ body })] }, createLambdaContext());
  return { response, operations: stack.emulator.calls.map((c) => c.operation), audit: auditRecords(lines)[0] };
}

describe('deleted keys give their names back (ON_KEY_DELETION)', () => {
  it('keep (default): audits the scheduled deletion, calls nothing, the key keeps its aliases', async () => {
    seed();
    const { response, operations, audit } = await deliver(await schedule());
    expect(failedIds(response)).toEqual([]);
    expect(operations).toEqual([]);
    expect(audit).toMatchObject({ outcome: 'skipped', reason: 'key_deletion_kept', key_id: OLD, disposition: 'ack' });
    expect(stack.emulator.state.aliasesOf(OLD)).toEqual([HAND_MADE, NAME]);
  });

  it("release: deletes only the convention's alias of that key; a replacement key then takes the name", async () => {
    seed();
    const { response, operations, audit } = await deliver(await schedule(), { ON_KEY_DELETION: 'release' });
    expect(failedIds(response)).toEqual([]);
    // DescribeKey: only a key still pending deletion gives its names back.
    expect(operations).toEqual(['listAliases', 'describeKey', 'deleteAlias']);
    expect(stack.emulator.state.aliasesOf(OLD)).toEqual([HAND_MADE]);
    expect(stack.emulator.state.aliasesOf(OTHER)).toEqual([OTHERS_ALIAS]);
    expect(audit).toMatchObject({ outcome: 'released', alias: NAME, key_id: OLD, api_calls: 3 });
    expect(audit?.request_id).toEqual(expect.any(String));

    stack.emulator.state.createKey(project, { key_id: REPLACEMENT, key_alias: 'payments-db', key_spec: 'AES_256' });
    const created = JSON.stringify({
      type: 'kms.key.created',
      key_id: REPLACEMENT,
      project_id: project,
      key_alias: 'payments-db',
      key_spec: 'AES_256',
    });
    const next = await deliver(created, { ON_KEY_DELETION: 'release' });
    expect(next.audit).toMatchObject({ outcome: 'created', alias: NAME });
    expect(stack.emulator.state.aliasesOf(REPLACEMENT)).toEqual([NAME]);
  });

  it('release: a schedule delivered after the cancel that followed it releases nothing', async () => {
    seed();
    const scheduled = await schedule();
    // The deletion is cancelled before the (retried, late) schedule message is processed.
    stack.emulator.state.setKeyState(OLD, '2');
    const { operations, audit } = await deliver(scheduled, { ON_KEY_DELETION: 'release' });
    expect(operations).toEqual(['listAliases', 'describeKey']);
    expect(audit).toMatchObject({ outcome: 'skipped', reason: 'key_not_pending_deletion', key_id: OLD });
    expect(stack.emulator.state.aliasesOf(OLD)).toEqual([HAND_MADE, NAME]);
  });

  it('release, dry run: reads the aliases, says what it would release, writes nothing', async () => {
    seed();
    const { operations, audit } = await deliver(await schedule(), { ON_KEY_DELETION: 'release', DRY_RUN: 'true' });
    expect(operations).toEqual(['listAliases', 'describeKey']);
    expect(audit).toMatchObject({ outcome: 'skipped', reason: 'dry_run', alias: NAME, dry_run: true });
    expect(stack.emulator.state.aliasesOf(OLD)).toEqual([HAND_MADE, NAME]);
  });

  it('release: a cancelled deletion re-creates the name while it is still free', async () => {
    seed();
    await deliver(await schedule(), { ON_KEY_DELETION: 'release' });
    await client().cancelKeyDeletion(target(OLD));
    const cancelled = lastTraceBody('cancelKeyDeletion');
    // The emulator brings a cancelled key back disabled (as the DEW guide describes); the team enables it.
    stack.emulator.state.setKeyState(OLD, '2');
    const { response, operations, audit } = await deliver(cancelled, { ON_KEY_DELETION: 'release' });
    expect(failedIds(response)).toEqual([]);
    expect(operations).toEqual(['describeKey', 'createAlias']);
    expect(audit).toMatchObject({ outcome: 'created', alias: NAME, key_id: OLD });
    expect(stack.emulator.state.aliasesOf(OLD)).toEqual([HAND_MADE, NAME]);
  });

  it('release: a cancelled deletion whose name was taken meanwhile is a conflict in the DLQ', async () => {
    seed();
    await deliver(await schedule(), { ON_KEY_DELETION: 'release' });
    stack.emulator.state.createKey(project, { key_id: REPLACEMENT, key_alias: 'payments-db', key_spec: 'AES_256' });
    stack.emulator.state.putAlias(project, REPLACEMENT, NAME);
    await client().cancelKeyDeletion(target(OLD));
    const cancelled = lastTraceBody('cancelKeyDeletion');
    stack.emulator.state.setKeyState(OLD, '2');
    const { audit } = await deliver(cancelled, { ON_KEY_DELETION: 'release' });
    expect(audit).toMatchObject({ outcome: 'conflict', existing_key_id: REPLACEMENT, disposition: 'dlq' });
    expect(stack.emulator.state.aliasesOf(REPLACEMENT)).toEqual([NAME]);
    const [dlq] = await stack.sqs.drainDlq();
    expect(dlq?.Body).toBe(cancelled);
    expect(dlq?.MessageAttributes?.[DLQ_ATTRIBUTE.reason]?.StringValue).toBe('conflict');
  });
});
