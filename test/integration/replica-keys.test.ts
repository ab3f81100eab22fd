import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../functions/create-key-alias/app.ts';
import { buildDeps } from '../../functions/create-key-alias/build-deps.ts';
import { loadConfig } from '../../lib/config/load-config.ts';
import { signedFetch } from '../emulator/huawei-client.ts';
import { createLambdaContext } from '../support/lambda-context.ts';
import { LOCAL_ACCOUNT } from '../support/local-account.ts';
import { toSqsRecord } from '../support/sqs-records.ts';
import { auditRecords, failedIds, startStack, type Stack } from '../support/stack.ts';

// A replica of a key is a new key in another region and project. ReplicateKey is called (and
// traced by CTS) in the source key's project; the real handler must alias the replica in the
// replica's project and region, against the emulator over HTTP (signatures verified).

const SOURCE = { projectId: LOCAL_ACCOUNT.projectId, region: LOCAL_ACCOUNT.region };
const REPLICA = { projectId: LOCAL_ACCOUNT.secondProjectId, region: 'ap-southeast-1' };

let stack: Stack;
let lines: string[];

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => stack.stop());
beforeEach(() => {
  stack.emulator.reset();
  lines = [];
});

function handler() {
  const config = loadConfig(
    stack.env({
      HUAWEICLOUD_PROJECT_ID: '',
      HUAWEICLOUD_PROJECTS: `${SOURCE.projectId}=${SOURCE.region},${REPLICA.projectId}=${REPLICA.region}`,
      // A replicateKey call carries no key_spec, so the convention names replicas by name and region.
      ALIAS_TEMPLATE: 'alias/{env}/{key_alias|slug}-{region}',
    }),
  );
  return createHandler(buildDeps(config, { write: (l) => lines.push(l), sqsClient: stack.sqs.client }));
}

/** Replicates `keyId` through the emulator's API; returns the answer and the CTS trace it left. */
async function replicate(keyId: string, keyAlias: string) {
  const answer = await signedFetch(stack.emulator.url, {
    method: 'POST',
    path: `/v2/${SOURCE.projectId}/kms/keys/${keyId}/replicate`,
    body: {
      key_id: keyId,
      replica_region: REPLICA.region,
      replica_project_id: REPLICA.projectId,
      key_alias: keyAlias,
    },
    ak: LOCAL_ACCOUNT.ak,
    sk: LOCAL_ACCOUNT.sk,
    projectId: SOURCE.projectId,
    dateMs: Date.now(),
  });
  const trace = stack.emulator.cts.traces.find((t) => t.trace_name === 'replicateKey');
  if (trace === undefined) throw new Error('no replicateKey trace recorded');
  return { answer, trace: { ...trace } as Record<string, unknown> };
}

describe('replica keys', () => {
  it('gives a replica its alias in the replica’s project and region, not the primary’s', async () => {
    const primary = stack.emulator.state.createKey(SOURCE.projectId, { key_alias: 'payments-db' });
    const { answer, trace } = await replicate(primary.key_id, 'payments-db-sg');

    expect(answer.status).toBe(200);
    const replicaId = (answer.json as { key_id: string }).key_id;
    expect(answer.json).toEqual({ key_id: replicaId, domain_id: LOCAL_ACCOUNT.domainId, region: REPLICA.region });
    expect(stack.emulator.state.getKey(replicaId)).toMatchObject({ realm: REPLICA.region, key_state: '2' });
    // CTS recorded the call where it was made: the source project.
    expect(trace).toMatchObject({ project_id: SOURCE.projectId, resource_id: primary.key_id, code: '200' });

    const response = await handler()(
      { Records: [toSqsRecord({ body: JSON.stringify(trace) })] },
      createLambdaContext(),
    );

    expect(failedIds(response)).toEqual([]);
    expect(auditRecords(lines)).toEqual([
      expect.objectContaining({
        outcome: 'created',
        key_id: replicaId,
        alias: 'alias/test/payments-db-sg-ap-southeast-1',
      }),
    ]);
    expect(stack.emulator.state.allAliases(REPLICA.projectId)).toEqual([
      expect.objectContaining({ key_id: replicaId, alias: 'alias/test/payments-db-sg-ap-southeast-1' }),
    ]);
    expect(stack.emulator.state.allAliases(SOURCE.projectId)).toEqual([]);
    const creates = stack.emulator.calls.filter((c) => c.operation === 'createAlias');
    expect(creates.map((c) => c.path)).toEqual([`/v1.0/${REPLICA.projectId}/kms/aliases`]);
  });

  it('places the replica through the project map when the trace omits replica_project_id', async () => {
    const primary = stack.emulator.state.createKey(SOURCE.projectId, { key_alias: 'orders-api' });
    const { answer, trace } = await replicate(primary.key_id, 'orders-api-sg');
    const replicaId = (answer.json as { key_id: string }).key_id;
    const { replica_project_id: _dropped, ...request } = JSON.parse(String(trace['request'])) as Record<
      string,
      unknown
    >;
    trace['request'] = JSON.stringify(request);

    const response = await handler()(
      { Records: [toSqsRecord({ body: JSON.stringify(trace) })] },
      createLambdaContext(),
    );

    expect(failedIds(response)).toEqual([]);
    expect(stack.emulator.state.aliasesOf(replicaId)).toEqual(['alias/test/orders-api-sg-ap-southeast-1']);
    expect(stack.emulator.state.allAliases(REPLICA.projectId).map((a) => a.key_id)).toEqual([replicaId]);
  });

  it('refuses a replica in the key’s own region, and CTS records the refusal', async () => {
    const primary = stack.emulator.state.createKey(SOURCE.projectId, { key_alias: 'audit-signing' });
    const answer = await signedFetch(stack.emulator.url, {
      method: 'POST',
      path: `/v2/${SOURCE.projectId}/kms/keys/${primary.key_id}/replicate`,
      body: {
        key_id: primary.key_id,
        replica_region: SOURCE.region,
        replica_project_id: SOURCE.projectId,
        key_alias: 'x',
      },
      ak: LOCAL_ACCOUNT.ak,
      sk: LOCAL_ACCOUNT.sk,
      projectId: SOURCE.projectId,
      dateMs: Date.now(),
    });
    expect(answer.status).toBe(400);
    expect(stack.emulator.cts.traces.find((t) => t.trace_name === 'replicateKey')).toMatchObject({ code: '400' });
    expect(stack.emulator.state.keys()).toHaveLength(1);
  });
});
