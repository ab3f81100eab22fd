// A CreateAlias whose answer the handler could not read, although KMS wrote the alias: the message
// must end in success (never a second alias, never a conflict), with the doubt said in the audit
// record. The real handler against the KMS emulator (which applies the write) and fauxqs.
import { describe, expect, it } from 'vitest';
import { createHandler } from '../../functions/create-key-alias/app.ts';
import { buildDeps } from '../../functions/create-key-alias/build-deps.ts';
import { loadConfig } from '../../lib/config/load-config.ts';
import { createLambdaContext } from '../support/lambda-context.ts';
import { LOCAL_ACCOUNT } from '../support/local-account.ts';
import { toSqsRecord } from '../support/sqs-records.ts';
import { auditRecords, failedIds } from '../support/stack.ts';
import { useStack } from '../support/use-stack.ts';

const world = useStack();

const KEY = '11111111-2222-4333-8444-555555555555';
const ALIAS = 'alias/test/billing-aes_256';
const body = JSON.stringify({
  type: 'kms.key.created',
  key_id: KEY,
  project_id: LOCAL_ACCOUNT.projectId,
  key_alias: 'billing',
  key_spec: 'AES_256',
});

function handlerWith(extra: Record<string, string> = {}, fetch?: typeof globalThis.fetch) {
  const config = loadConfig(world.stack.env(extra));
  return createHandler(
    buildDeps(config, {
      write: (l) => world.lines.push(l),
      sqsClient: world.stack.sqs.client,
      ...(fetch === undefined ? {} : { kms: { fetch } }),
    }),
  );
}

const creates = () => world.stack.emulator.calls.filter((c) => c.operation === 'createAlias');

describe('a CreateAlias that KMS applied but whose answer was not read', () => {
  it('a 2xx with a body that is not JSON: success, and the audit says the create may be its own', async () => {
    // Real HTTP to the emulator, with the body of every 2xx CreateAlias answer replaced (a proxy's page).
    const garbling: typeof globalThis.fetch = async (input, init) => {
      const response = await fetch(input, init);
      const url = new URL(input instanceof Request ? input.url : input);
      if (init?.method !== 'POST' || !url.pathname.endsWith('/kms/aliases') || response.status >= 300) return response;
      return new Response('<html>OK</html>', { status: response.status, headers: response.headers });
    };
    world.stack.emulator.state.createKey(LOCAL_ACCOUNT.projectId, { key_id: KEY, key_alias: 'billing' });

    const response = await handlerWith({}, garbling)({ Records: [toSqsRecord({ body })] }, createLambdaContext());

    expect(failedIds(response)).toEqual([]);
    expect(world.stack.emulator.state.aliasesOf(KEY)).toEqual([ALIAS]);
    expect(creates().map((c) => c.status)).toEqual([201, 400]);
    expect(auditRecords(world.lines)[0]).toMatchObject({
      outcome: 'already_present',
      disposition: 'ack',
      create_outcome_unknown: true,
    });
    expect(await world.stack.sqs.drainDlq()).toEqual([]);
  });

  it('a 201 whose JSON is not the alias object: created with one call, the surprise logged and counted', async () => {
    // Real HTTP to the emulator, with the body of the 201 replaced by JSON of another shape.
    const reshaping: typeof globalThis.fetch = async (input, init) => {
      const response = await fetch(input, init);
      const url = new URL(input instanceof Request ? input.url : input);
      if (init?.method !== 'POST' || !url.pathname.endsWith('/kms/aliases') || response.status !== 201) return response;
      return new Response('{"result":"ok"}', { status: 201, headers: response.headers });
    };
    world.stack.emulator.state.createKey(LOCAL_ACCOUNT.projectId, { key_id: KEY, key_alias: 'billing' });

    const response = await handlerWith({}, reshaping)({ Records: [toSqsRecord({ body })] }, createLambdaContext());

    expect(failedIds(response)).toEqual([]);
    expect(creates().map((c) => c.status)).toEqual([201]);
    expect(auditRecords(world.lines)[0]).toMatchObject({ outcome: 'created', api_calls: 1 });
    const records = world.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.find((r) => r.level === 'WARN')).toMatchObject({
      message: 'CreateAlias answered 201 without the alias object asked for',
      key_id: KEY,
      reason: expect.stringMatching(/^(alias|key_id|body)/),
    });
    expect(records.find((r) => r._aws !== undefined)).toMatchObject({ UnexpectedKmsAnswers: 1 });
  });

  it('a create that timed out but was applied: the next delivery finds it, with one call more than a create', async () => {
    world.stack.emulator.state.createKey(LOCAL_ACCOUNT.projectId, { key_id: KEY, key_alias: 'billing' });
    // Answered only after the client's timeout (200 ms), applied all the same.
    world.stack.emulator.faults.add({ operation: 'createAlias', times: 1, action: { kind: 'hang', ms: 400 } });
    const handler = handlerWith({ REQUEST_TIMEOUT_MS: '200', MAX_RETRIES: '0' });
    const first = toSqsRecord({ body, receiveCount: 1 });

    expect(failedIds(await handler({ Records: [first] }, createLambdaContext()))).toEqual([first.messageId]);
    await expect.poll(() => world.stack.emulator.state.aliasesOf(KEY), { timeout: 2_000 }).toEqual([ALIAS]);
    const again = toSqsRecord({ body, receiveCount: 2 });
    expect(failedIds(await handler({ Records: [again] }, createLambdaContext()))).toEqual([]);

    const [failed, found] = auditRecords(world.lines);
    expect(failed).toMatchObject({ outcome: 'failed', disposition: 'retry', create_outcome_unknown: true });
    expect(found).toMatchObject({ outcome: 'already_present', disposition: 'ack', api_calls: 2 });
    expect(world.stack.emulator.state.aliasesOf(KEY)).toEqual([ALIAS]);
    expect(await world.stack.sqs.drainDlq()).toEqual([]);
  });
});
