// An alias freed between the refused CreateAlias and the listings that follow it, as when a key
// scheduled for deletion gives its name back (ON_KEY_DELETION=release) while its replacement's
// creation event is being handled: the replacement must get the name, not a permanent failure.
// The real handler against the KMS emulator and fauxqs.
import { describe, expect, it } from 'vitest';
import { createHandler } from '../../functions/create-key-alias/app.ts';
import { buildDeps } from '../../functions/create-key-alias/build-deps.ts';
import { loadConfig } from '../../lib/config/load-config.ts';
import { createKmsFromConfig } from '../../lib/runtime/create-kms-from-config.ts';
import { createLambdaContext } from '../support/lambda-context.ts';
import { LOCAL_ACCOUNT } from '../support/local-account.ts';
import { toSqsRecord } from '../support/sqs-records.ts';
import { auditRecords, failedIds } from '../support/stack.ts';
import { useStack } from '../support/use-stack.ts';

const world = useStack();

const OLD = '11111111-2222-4333-8444-555555555555';
const REPLACEMENT = '33333333-4444-4555-8666-777777777777';
const NAME = 'alias/test/payments-db-aes_256';
const project = LOCAL_ACCOUNT.projectId;
const created = JSON.stringify({
  type: 'kms.key.created',
  key_id: REPLACEMENT,
  project_id: project,
  key_alias: 'payments-db',
  key_spec: 'AES_256',
});

describe('an alias freed while its CreateAlias refusal is being looked into', () => {
  it('goes to the key that asked for it, with one more CreateAlias', async () => {
    const { state } = world.stack.emulator;
    state.createKey(project, { key_id: OLD, key_alias: 'payments-db', key_spec: 'AES_256' });
    state.createKey(project, { key_id: REPLACEMENT, key_alias: 'payments-db', key_spec: 'AES_256' });
    state.putAlias(project, OLD, NAME);
    // The key's listing after the refusal is slow; the old key's name is released meanwhile.
    world.stack.emulator.faults.add({ operation: 'listAliases', times: 1, action: { kind: 'latency', ms: 300 } });
    const config = loadConfig(world.stack.env());
    const handler = createHandler(
      buildDeps(config, { write: (l) => world.lines.push(l), sqsClient: world.stack.sqs.client }),
    );

    const handled = handler({ Records: [toSqsRecord({ body: created })] }, createLambdaContext());
    await expect
      .poll(() => world.stack.emulator.calls.some((c) => c.operation === 'listAliases' && c.status === 0))
      .toBe(true);
    await createKmsFromConfig(config).deleteAlias({
      region: LOCAL_ACCOUNT.region,
      projectId: project,
      keyId: OLD,
      aliases: [NAME],
    });
    const response = await handled;

    expect(failedIds(response)).toEqual([]);
    expect(auditRecords(world.lines)[0]).toMatchObject({ outcome: 'created', alias: NAME, disposition: 'ack' });
    expect(state.aliasesOf(REPLACEMENT)).toEqual([NAME]);
    expect(world.stack.emulator.calls.filter((c) => c.operation === 'createAlias').map((c) => c.status)).toEqual([
      400, 201,
    ]);
    expect(await world.stack.sqs.drainDlq()).toEqual([]);
  });
});
