// The SMN and CTS clients (lib/bridge) on the project's signer, against the emulator over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_EMULATOR_ACCOUNT as ACC, type KmsEmulator, startKmsEmulator } from '../../emulator/kms-emulator.ts';
import { createCtsClient } from '../../lib/bridge/cts-client.ts';
import { notificationSpec } from '../../lib/bridge/desired-wiring.ts';
import { createSignedJsonCall } from '../../lib/bridge/signed-json-call.ts';
import { createSmnClient } from '../../lib/bridge/smn-client.ts';
import { KmsApiError } from '../../lib/errors/huawei-errors.ts';
import { createAkSkAuth } from '../../lib/huawei/aksk-auth.ts';

let emu: KmsEmulator;
const target = { region: ACC.region, projectId: ACC.projectId };

beforeAll(async () => {
  // The 200 for an existing subscription carries only SMN.0190 here: the client must cope.
  emu = await startKmsEmulator({ smn: { existingSubscriptionBody: 'code', retryDelaysMs: [] } });
});
afterAll(() => emu.stop());

function clients(sk: string = ACC.permanent.sk) {
  const call = createSignedJsonCall({
    endpointFor: () => emu.url,
    auth: createAkSkAuth({ ak: ACC.permanent.ak, sk }),
    retries: 0,
  });
  return { smn: createSmnClient(call), cts: createCtsClient(call) };
}

describe('SMN client', () => {
  it('creates idempotently, reads the SMN.0190 answer, and pages through 150 subscriptions', async () => {
    const { smn } = clients();
    const first = await smn.createTopic(target, 'paged', 'Paged');
    const again = await smn.createTopic(target, 'paged', 'Paged');
    expect(first).toEqual({ topicUrn: `urn:smn:${ACC.region}:${ACC.projectId}:paged`, created: true });
    expect(again).toEqual({ topicUrn: first.topicUrn, created: false });

    // Loopback port 1: confirmations are refused at once, nothing leaves the machine.
    const endpoint = 'http://127.0.0.1:1/smn';
    const added = await smn.addSubscription(target, first.topicUrn, { protocol: 'http', endpoint });
    expect(added.created).toBe(true);
    expect(added.subscriptionUrn).toMatch(/^urn:smn:.*:paged:[0-9a-f]{32}$/);
    expect(await smn.addSubscription(target, first.topicUrn, { protocol: 'http', endpoint })).toEqual({
      subscriptionUrn: undefined,
      created: false,
    });

    for (let i = 0; i < 149; i++) {
      await smn.addSubscription(target, first.topicUrn, { protocol: 'http', endpoint: `${endpoint}/${i}` });
    }
    const listed = await smn.listSubscriptions(target, first.topicUrn);
    expect(listed).toHaveLength(150);
    expect(new Set(listed.map((s) => s.subscriptionUrn)).size).toBe(150);
    expect(listed[0]).toMatchObject({ endpoint, protocol: 'http', status: 0 });
    await emu.smn.idle();
    expect(emu.smn.deliveries.dropped).toBe(150);
  });

  it('turns a refused signature into a KmsApiError with the gateway code, without the secret', async () => {
    const wrong = 'wrongSecretKeyForTheClientTest0000000001';
    const error = await clients(wrong)
      .smn.listTopics(target)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KmsApiError);
    expect(error).toMatchObject({ status: 401, huaweiCode: 'APIGW.0301' });
    expect(String((error as Error).message)).not.toContain(wrong);
  });
});

describe('CTS client', () => {
  it('creates, finds by exact name and updates a notification', async () => {
    const { cts } = clients();
    const urn = `urn:smn:${ACC.region}:${ACC.projectId}:paged`;
    const created = await cts.createNotification(target, notificationSpec('client_test', urn));
    expect(created).toMatchObject({ notificationName: 'client_test', status: 'enabled', topicId: urn });
    expect(await cts.findNotification(target, 'client_tes')).toBeUndefined();
    const found = await cts.findNotification(target, 'client_test');
    expect(found?.notificationId).toBe(created.notificationId);
    const updated = await cts.updateNotification(target, {
      ...notificationSpec('client_test', urn),
      notification_id: created.notificationId,
      status: 'disabled',
    });
    expect(updated.status).toBe('disabled');
    const duplicate = await cts
      .createNotification(target, notificationSpec('client_test', urn))
      .catch((e: unknown) => e);
    expect(duplicate).toMatchObject({ status: 400, huaweiCode: 'CTS.0400' });
  });
});
