// SMN topics, subscriptions and signed deliveries, CTS key event notifications, and the
// createKey → CTS trace → notification → SMN delivery path, over real HTTP against the emulator.
// Signatures are checked here with node:crypto alone, from the certificate the emulator serves.
import { verify, X509Certificate } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_EMULATOR_ACCOUNT as ACC, type KmsEmulator, startKmsEmulator } from '../../emulator/kms-emulator.ts';
import { type ApiResponse, type SignedCall, signedFetch } from './huawei-client.ts';
import { type ReceivedDelivery, type SmnReceiver, startSmnReceiver } from '../../emulator/smn-subscriber.ts';

const PID = ACC.projectId;
const TOPIC_URN = `urn:smn:${ACC.region}:${PID}:key-events`;

let emu: KmsEmulator;
let receiver: SmnReceiver;

beforeAll(async () => {
  emu = await startKmsEmulator({ smn: { retryDelaysMs: [1, 1, 1, 1, 1, 1], timeoutMs: 2000 } });
});
afterAll(() => emu.stop());
beforeEach(async () => {
  emu.reset();
  receiver = await startSmnReceiver();
});
afterEach(() => receiver.stop());

function call(input: Pick<SignedCall, 'method' | 'path'> & Partial<SignedCall>): Promise<ApiResponse> {
  return signedFetch(emu.url, {
    ak: ACC.permanent.ak,
    sk: ACC.permanent.sk,
    projectId: PID,
    dateMs: Date.now(),
    ...input,
  });
}
const createTopic = (name = 'key-events') =>
  call({ method: 'POST', path: `/v2/${PID}/notifications/topics`, body: { name, display_name: 'Key events' } });
const addSubscription = (endpoint: string, extra: Record<string, unknown> = {}, urn = TOPIC_URN) =>
  call({
    method: 'POST',
    path: `/v2/${PID}/notifications/topics/${urn}/subscriptions`,
    body: { protocol: endpoint.startsWith('https') ? 'https' : 'http', endpoint, remark: 'ingest', ...extra },
  });

/** The canonical string of docs/huawei-kms.md#smn-signature, written independently of the emulator. */
function canonical(body: Record<string, unknown>): string {
  const names =
    body['type'] === 'Notification'
      ? ['message', 'message_id', 'subject', 'timestamp', 'topic_urn', 'type']
      : ['message', 'message_id', 'subscribe_url', 'timestamp', 'topic_urn', 'type'];
  return names
    .filter((n) => !(n === 'subject' && (body[n] === undefined || body[n] === '')))
    .map((n) => `${n}\n${String(body[n])}\n`)
    .join('');
}

async function signatureValid(delivery: ReceivedDelivery): Promise<boolean> {
  const certUrl = String(delivery.body['signing_cert_url']);
  const pem = await (await fetch(certUrl)).text();
  const cert = new X509Certificate(pem);
  return verify(
    'RSA-SHA256',
    Buffer.from(canonical(delivery.body), 'utf8'),
    cert.publicKey,
    Buffer.from(String(delivery.body['signature']), 'base64'),
  );
}

async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/gone`;
}

describe('SMN topics', () => {
  it('creates a topic once: 201 then 200 with the same URN, listed once', async () => {
    const first = await createTopic();
    const second = await createTopic();
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(first.json).toMatchObject({ topic_urn: TOPIC_URN });
    expect((second.json as { topic_urn: string }).topic_urn).toBe(TOPIC_URN);
    const list = await call({ method: 'GET', path: `/v2/${PID}/notifications/topics` });
    expect(list.json).toMatchObject({ topic_count: 1, topics: [{ name: 'key-events', topic_urn: TOPIC_URN }] });
  });

  it('refuses an invalid topic name with an SMN error body', async () => {
    const res = await createTopic('-bad name');
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: 'SMN.0002', request_id: expect.any(String) });
  });

  it('refuses unsigned calls like every other API', async () => {
    const res = await fetch(`${emu.url}/v2/${PID}/notifications/topics`);
    expect(res.status).toBe(401);
  });
});

describe('SMN subscriptions', () => {
  it('sends a signed SubscriptionConfirmation whose subscribe_url confirms the subscription', async () => {
    await createTopic();
    const added = await addSubscription(receiver.url, { extension: { header: { 'x-ingest-token': 'tok-1' } } });
    expect(added.status).toBe(201);
    const urn = (added.json as { subscription_urn: string }).subscription_urn;
    expect(urn).toMatch(new RegExp(`^${TOPIC_URN}:[0-9a-f]{32}$`));
    await emu.smn.idle();

    expect(receiver.received).toHaveLength(1);
    const confirmation = receiver.received[0] as ReceivedDelivery;
    expect(confirmation.headers['x-smn-message-type']).toBe('SubscriptionConfirmation');
    expect(confirmation.headers['x-smn-topic-urn']).toBe(TOPIC_URN);
    // Custom headers go to confirmed subscriptions only.
    expect(confirmation.headers['x-ingest-token']).toBeUndefined();
    expect(confirmation.body).toMatchObject({
      type: 'SubscriptionConfirmation',
      topic_urn: TOPIC_URN,
      signature_version: 'v1',
      message_id: confirmation.headers['x-smn-message-id'],
    });
    expect(String(confirmation.body['timestamp'])).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(await signatureValid(confirmation)).toBe(true);
    expect(receiver.confirmations).toEqual([200]);

    const list = await call({ method: 'GET', path: `/v2/${PID}/notifications/topics/${TOPIC_URN}/subscriptions` });
    expect(list.json).toMatchObject({
      subscription_count: 1,
      subscriptions: [
        { subscription_urn: urn, endpoint: receiver.url, protocol: 'http', status: 1, owner: ACC.domainId },
      ],
    });
  });

  it('is idempotent: the same endpoint again is a 200 with the same URN and no second confirmation', async () => {
    await createTopic();
    const first = await addSubscription(receiver.url);
    const again = await addSubscription(receiver.url);
    await emu.smn.idle();
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({
      subscription_urn: (first.json as { subscription_urn: string }).subscription_urn,
    });
    expect(receiver.received).toHaveLength(1);
    expect(emu.smn.subscriptions(TOPIC_URN)).toHaveLength(1);
  });

  it('accepts the topic URN raw (as the SDK sends it) or percent-encoded in the path', async () => {
    await createTopic();
    await addSubscription(receiver.url);
    const path = `/v2/${PID}/notifications/topics/${TOPIC_URN}/subscriptions`;
    const raw = await call({ method: 'GET', path });
    // Signed over the raw path, sent with `:` as `%3A`: the gateway decodes segments before it
    // checks the signature, so both forms name the same topic.
    const encoded = await call({
      method: 'GET',
      path,
      tamper: (r) => {
        r.path = r.path.replaceAll(':', '%3A');
      },
    });
    expect(raw.status).toBe(200);
    expect(encoded.status).toBe(200);
    expect(encoded.json).toMatchObject({ subscription_count: 1 });
  });

  it('lists with offset and limit, and refuses a limit above 100', async () => {
    await createTopic();
    for (let i = 0; i < 3; i++) await addSubscription(`${receiver.url}/${i}`);
    const page = await call({
      method: 'GET',
      path: `/v2/${PID}/notifications/topics/${TOPIC_URN}/subscriptions`,
      query: { offset: '1', limit: '1' },
    });
    expect(page.json).toMatchObject({ subscription_count: 3, subscriptions: [{ endpoint: `${receiver.url}/1` }] });
    const tooMany = await call({
      method: 'GET',
      path: `/v2/${PID}/notifications/topics/${TOPIC_URN}/subscriptions`,
      query: { limit: '101' },
    });
    expect(tooMany.status).toBe(400);
  });

  it('answers 404 for an unknown topic', async () => {
    const res = await addSubscription(receiver.url);
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({ code: 'SMN.0008' });
  });

  it('can answer an existing subscription with the SMN.0190 body instead', async () => {
    const other = await startKmsEmulator({ smn: { existingSubscriptionBody: 'code' } });
    try {
      const send = (path: string, body: unknown) =>
        signedFetch(other.url, {
          method: 'POST',
          path,
          body,
          ak: ACC.permanent.ak,
          sk: ACC.permanent.sk,
          dateMs: Date.now(),
        });
      await send(`/v2/${PID}/notifications/topics`, { name: 'key-events' });
      const sub = { protocol: 'http', endpoint: receiver.url };
      await send(`/v2/${PID}/notifications/topics/${TOPIC_URN}/subscriptions`, sub);
      const again = await send(`/v2/${PID}/notifications/topics/${TOPIC_URN}/subscriptions`, sub);
      expect(again.status).toBe(200);
      expect(again.json).toMatchObject({ code: 'SMN.0190' });
    } finally {
      await other.stop();
    }
  });
});

describe('SMN deliveries', () => {
  it('signs notifications and sends the custom headers to confirmed subscriptions', async () => {
    await createTopic();
    await addSubscription(receiver.url, { extension: { header: { 'x-ingest-token': 'tok-1' } } });
    await emu.smn.idle();
    const published = await call({
      method: 'POST',
      path: `/v2/${PID}/notifications/topics/${TOPIC_URN}/publish`,
      body: { message: '{"hello":"world"}', subject: 'greeting' },
    });
    expect(published.status).toBe(200);
    await emu.smn.idle();
    const notification = receiver.received.find((r) => r.body['type'] === 'Notification') as ReceivedDelivery;
    expect(notification.headers['x-ingest-token']).toBe('tok-1');
    expect(notification.headers['x-smn-message-type']).toBe('Notification');
    expect(notification.body).toMatchObject({
      message: '{"hello":"world"}',
      subject: 'greeting',
      topic_urn: TOPIC_URN,
      message_id: (published.json as { message_id: string }).message_id,
      unsubscribe_url: expect.stringContaining('/smn/subscription/unsubscribe?'),
    });
    expect(await signatureValid(notification)).toBe(true);
    // A tampered message no longer verifies.
    expect(await signatureValid({ ...notification, body: { ...notification.body, message: '{"hello":"moon"}' } })).toBe(
      false,
    );
  });

  it('does not deliver to unconfirmed subscriptions', async () => {
    receiver.autoConfirm = false;
    await createTopic();
    await addSubscription(receiver.url);
    await emu.smn.idle();
    emu.smn.publish(TOPIC_URN, 'x');
    await emu.smn.idle();
    expect(receiver.received.map((r) => r.body['type'])).toEqual(['SubscriptionConfirmation']);
  });

  it('retries an unreachable endpoint six more times, then drops the message and counts it', async () => {
    await createTopic();
    const gone = await closedPortUrl();
    const added = await addSubscription(gone);
    await emu.smn.idle();
    emu.smn.setSubscriptionStatus((added.json as { subscription_urn: string }).subscription_urn, 1);
    const before = { ...emu.smn.deliveries };
    emu.smn.publish(TOPIC_URN, 'lost');
    await emu.smn.idle();
    expect(emu.smn.deliveries.attempts - before.attempts).toBe(7);
    expect(emu.smn.deliveries.dropped - before.dropped).toBe(1);
    expect(emu.smn.deliveryLog.filter((d) => d.type === 'Notification').every((d) => d.status === 0)).toBe(true);
  });

  it('retries 5xx answers by default and lands the retry', async () => {
    await createTopic();
    await addSubscription(receiver.url);
    await emu.smn.idle();
    receiver.status = 503;
    setTimeout(() => {
      receiver.status = 200;
    }, 5);
    emu.smn.publish(TOPIC_URN, 'eventually');
    await emu.smn.idle();
    const attempts = emu.smn.deliveryLog.filter((d) => d.type === 'Notification');
    expect(attempts[0]?.status).toBe(503);
    expect(attempts.at(-1)?.status).toBe(200);
    expect(receiver.received.filter((r) => r.body['message'] === 'eventually').length).toBe(attempts.length);
  });

  it('does not retry a 4xx answer', async () => {
    await createTopic();
    await addSubscription(receiver.url);
    await emu.smn.idle();
    receiver.status = 403;
    const dropped = emu.smn.deliveries.dropped;
    emu.smn.publish(TOPIC_URN, 'refused');
    await emu.smn.idle();
    expect(emu.smn.deliveryLog.filter((d) => d.type === 'Notification')).toHaveLength(1);
    expect(emu.smn.deliveries.dropped).toBe(dropped + 1);
  });

  it('serves the certificate at signing_cert_url', async () => {
    const res = await fetch(emu.smn.certificateUrl(ACC.region));
    expect(res.status).toBe(200);
    const cert = new X509Certificate(await res.text());
    expect(cert.publicKey.asymmetricKeyType).toBe('rsa');
  });
});

const KMS_CREATE_KEY = [{ service_type: 'KMS', resource_type: 'cmk', trace_names: ['createKey'] }];
const notificationBody = (name = 'kms_key_events', rules = ['code = 200']) => ({
  notification_name: name,
  operation_type: 'customized',
  operations: KMS_CREATE_KEY,
  notify_user_list: [],
  topic_id: TOPIC_URN,
  filter: { condition: 'AND', is_support_filter: true, rule: rules },
});

describe('CTS key event notifications', () => {
  it('creates, refuses a duplicate name, lists by name and updates', async () => {
    const created = await call({ method: 'POST', path: `/v3/${PID}/notifications`, body: notificationBody() });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      notification_name: 'kms_key_events',
      operation_type: 'customized',
      operations: KMS_CREATE_KEY,
      status: 'enabled',
      topic_id: TOPIC_URN,
      notification_type: 'smn',
      project_id: PID,
      domain_id: ACC.domainId,
      create_time: expect.any(Number),
      filter: { condition: 'AND', is_support_filter: true, rule: ['code = 200'] },
      notification_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    const duplicate = await call({ method: 'POST', path: `/v3/${PID}/notifications`, body: notificationBody() });
    expect(duplicate.status).toBe(400);
    expect(duplicate.json).toMatchObject({ error_code: 'CTS.0400' });

    const listed = await call({
      method: 'GET',
      path: `/v3/${PID}/notifications/smn`,
      query: { notification_name: 'kms_key_events' },
    });
    expect((listed.json as { notifications: unknown[] }).notifications).toHaveLength(1);
    const id = (created.json as { notification_id: string }).notification_id;
    const updated = await call({
      method: 'PUT',
      path: `/v3/${PID}/notifications`,
      body: { ...notificationBody(), notification_id: id, status: 'disabled' },
    });
    expect(updated.status).toBe(200);
    expect(updated.json).toMatchObject({ notification_id: id, status: 'disabled' });
    const unknown = await call({
      method: 'PUT',
      path: `/v3/${PID}/notifications`,
      body: { ...notificationBody(), notification_id: '00000000-0000-4000-8000-000000000000', status: 'enabled' },
    });
    expect(unknown.status).toBe(404);
  });

  it('refuses a filter rule on an unknown field', async () => {
    const res = await call({
      method: 'POST',
      path: `/v3/${PID}/notifications`,
      body: notificationBody('x', ['who = me']),
    });
    expect(res.status).toBe(400);
  });
});

describe('createKey → CTS trace → notification → SMN delivery', () => {
  async function wire(rules = ['code = 200']): Promise<string> {
    await createTopic();
    await addSubscription(receiver.url, { extension: { header: { 'x-ingest-token': 'tok-1' } } });
    const created = await call({
      method: 'POST',
      path: `/v3/${PID}/notifications`,
      body: notificationBody(undefined, rules),
    });
    await emu.smn.idle();
    return (created.json as { notification_id: string }).notification_id;
  }
  const createKey = (alias: string) =>
    call({ method: 'POST', path: `/v1.0/${PID}/kms/create-key`, body: { key_alias: alias } });

  it('delivers the trace of a successful createKey, signed, as the SMN message', async () => {
    await wire();
    const res = await createKey('payments-db');
    expect(res.status).toBe(200);
    const keyId = (res.json as { key_info: { key_id: string } }).key_info.key_id;
    await emu.cts.idle();
    expect(emu.cts.stats).toMatchObject({ traces: 1, notified: 1, published: 1 });
    const notification = receiver.received.find((r) => r.body['type'] === 'Notification') as ReceivedDelivery;
    expect(await signatureValid(notification)).toBe(true);
    expect(notification.headers['x-ingest-token']).toBe('tok-1');
    const trace = JSON.parse(String(notification.body['message'])) as Record<string, unknown>;
    expect(trace).toMatchObject({
      service_type: 'KMS',
      resource_type: 'cmk',
      trace_name: 'createKey',
      code: '200',
      resource_id: keyId,
      resource_name: 'payments-db',
      project_id: PID,
      time: expect.any(Number),
      record_time: expect.any(Number),
    });
    expect(JSON.parse(String(trace['response']))).toEqual({ key_info: expect.objectContaining({ key_id: keyId }) });
  });

  it('records a refused createKey but the code = 200 filter keeps it from the topic', async () => {
    await wire();
    await createKey('dup');
    const refused = await createKey('dup');
    expect(refused.status).toBe(400);
    await emu.cts.idle();
    expect(emu.cts.traces.map((t) => t['code'])).toEqual(['200', '400']);
    expect(receiver.received.filter((r) => r.body['type'] === 'Notification')).toHaveLength(1);
  });

  it('publishes nothing through a disabled notification, and counts a missing topic', async () => {
    const id = await wire();
    emu.cts.setNotificationStatus(id, 'disabled');
    await createKey('quiet');
    await emu.cts.idle();
    expect(emu.cts.stats.published).toBe(0);

    emu.cts.setNotificationStatus(id, 'enabled');
    emu.reset();
    await call({ method: 'POST', path: `/v3/${PID}/notifications`, body: notificationBody() });
    await createKey('nowhere');
    await emu.cts.idle();
    expect(emu.cts.stats).toMatchObject({ notified: 1, missingTopic: 1, published: 0 });
  });

  it('does not delay the createKey answer when the endpoint is unreachable', async () => {
    await createTopic();
    const gone = await closedPortUrl();
    const added = await addSubscription(gone);
    emu.smn.setSubscriptionStatus((added.json as { subscription_urn: string }).subscription_urn, 1);
    await call({ method: 'POST', path: `/v3/${PID}/notifications`, body: notificationBody() });
    const started = Date.now();
    expect((await createKey('fast')).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1000);
    await emu.cts.idle();
    expect(emu.smn.deliveries.dropped).toBeGreaterThanOrEqual(1);
  });
});
