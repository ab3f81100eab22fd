import { beforeEach, describe, expect, it } from 'vitest';
import { httpEvent, type IngestWorld, type Invoke, OTHER_TOPIC, smnDelivery, TOKEN, TOPIC } from './ingest-harness.ts';

/** One ingest instance: its handler and the lines it wrote. */
export interface IngestInstance {
  invoke: Invoke;
  lines: string[];
}

/**
 * The ingest cases, run once against the sources and once against the built bundle. Each test
 * starts a fresh instance (a new Lambda instance: empty certificate cache, no recent ids).
 */
export function defineIngestCases(
  label: string,
  world: () => IngestWorld,
  newInstance: (env: Record<string, string>) => Promise<IngestInstance>,
): void {
  describe(label, () => {
    let w: IngestWorld;
    beforeEach(async () => {
      w = world();
      w.sqs.server.reset?.();
      await w.receiveAll();
      w.huawei.requests.length = 0;
      w.foreign.requests.length = 0;
      w.failSendMessage.on = false;
      w.failSendMessage.seen = 0;
    });

    const post = async (instance: IngestInstance, delivery: { body: string; headers: Record<string, string> }) => {
      const response = await instance.invoke(httpEvent(delivery));
      return { status: response.statusCode, reason: (JSON.parse(String(response.body)) as { reason: string }).reason };
    };
    const ingestLines = (instance: IngestInstance) =>
      instance.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => r.log_type === 'ingest');
    const metricNames = (instance: IngestInstance) =>
      instance.lines
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((r) => r._aws !== undefined)
        .flatMap((r) => Object.keys(r).filter((k) => k.startsWith('Ingest')));

    it('enqueues a valid SMN notification with its message_id, fetching the certificate once', async () => {
      const instance = await newInstance(w.env());
      const first = smnDelivery(w);
      const second = smnDelivery(w);
      expect(await post(instance, first)).toEqual({ status: 200, reason: 'enqueued' });
      expect(await post(instance, second)).toEqual({ status: 200, reason: 'enqueued' });
      const messages = await w.receiveAll();
      const sent = [first, second].map((d) => JSON.parse(d.body) as { message: string; message_id: string });
      expect(messages.map((m) => m.Body).sort()).toEqual(sent.map((s) => s.message).sort());
      expect(messages.map((m) => m.MessageAttributes?.smn_message_id?.StringValue).sort()).toEqual(
        sent.map((s) => s.message_id).sort(),
      );
      expect(w.huawei.requests).toEqual([{ method: 'GET', path: new URL(w.certUrl).pathname }]);
      expect(metricNames(instance)).toEqual(['IngestEnqueued', 'IngestEnqueued']);
    });

    it('accepts a base64-encoded body (isBase64Encoded)', async () => {
      const instance = await newInstance(w.env());
      const delivery = smnDelivery(w);
      const response = await instance.invoke(httpEvent({ ...delivery, base64: true }));
      expect(response.statusCode).toBe(200);
      expect(await w.receiveAll()).toHaveLength(1);
    });

    it('answers a replayed delivery 200 without a second SendMessage', async () => {
      const instance = await newInstance(w.env());
      const delivery = smnDelivery(w);
      expect(await post(instance, delivery)).toEqual({ status: 200, reason: 'enqueued' });
      expect(await post(instance, delivery)).toEqual({ status: 200, reason: 'duplicate' });
      expect(await w.receiveAll()).toHaveLength(1);
      expect(w.failSendMessage.seen).toBe(1);
    });

    it('treats as a repeat only the same delivery: the same message_id on another topic is enqueued', async () => {
      const instance = await newInstance(w.env({ SMN_TOPIC_URNS: `${TOPIC},${OTHER_TOPIC}` }));
      const first = smnDelivery(w, { message_id: 'a7f3c1e5b9d24e6a8c0b2d4f6a8c0e1f' });
      const other = smnDelivery(w, { message_id: 'a7f3c1e5b9d24e6a8c0b2d4f6a8c0e1f', topic_urn: OTHER_TOPIC });
      expect(await post(instance, first)).toEqual({ status: 200, reason: 'enqueued' });
      expect(await post(instance, other)).toEqual({ status: 200, reason: 'enqueued' });
      expect(await post(instance, other)).toEqual({ status: 200, reason: 'duplicate' });
      const messages = await w.receiveAll();
      expect(messages.map((m) => m.MessageAttributes?.smn_topic_urn?.StringValue).sort()).toEqual(
        [TOPIC, OTHER_TOPIC].sort(),
      );
    });

    it('treats as a repeat only the same CloudEvent: another body under the same source and id is enqueued', async () => {
      const instance = await newInstance(w.env());
      const event = (keyId: string) =>
        JSON.stringify({
          specversion: '1.0',
          id: 'relay-1',
          source: 'my-relay',
          type: 'KMS:CloudTrace:ApiCall',
          data: { service_type: 'KMS', trace_name: 'createKey', code: 200, resource_id: keyId },
        });
      const headers = { 'x-ingest-token': TOKEN };
      const a = event('1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d');
      const b = event('9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a');
      expect(await post(instance, { body: a, headers })).toEqual({ status: 200, reason: 'enqueued' });
      expect(await post(instance, { body: b, headers })).toEqual({ status: 200, reason: 'enqueued' });
      expect(await post(instance, { body: b, headers })).toEqual({ status: 200, reason: 'duplicate' });
      expect((await w.receiveAll()).map((m) => m.Body).sort()).toEqual([a, b].sort());
    });

    it('refuses a tampered delivery with 403 and one log line that holds no body, signature or token', async () => {
      const instance = await newInstance(w.env());
      const delivery = smnDelivery(
        w,
        {},
        { message: '{"service_type":"KMS","trace_name":"createKey","code":200,"evil":1}' },
      );
      expect(await post(instance, delivery)).toEqual({ status: 403, reason: 'bad_signature' });
      expect(await w.receiveAll()).toEqual([]);
      const lines = ingestLines(instance);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ level: 'WARN', reason: 'bad_signature', status: 403, topic_urn: TOPIC });
      const signature = (JSON.parse(delivery.body) as { signature: string }).signature;
      for (const text of instance.lines) {
        expect(text).not.toContain(signature.slice(0, 24));
        expect(text).not.toContain('evil');
        expect(text).not.toContain(TOKEN);
      }
    });

    it('never fetches a certificate URL on a foreign host', async () => {
      const instance = await newInstance(w.env());
      const delivery = smnDelivery(w, { signing_cert_url: `${w.foreign.url}/smn/SMN_cn-north-4_x.pem` });
      expect(await post(instance, delivery)).toEqual({ status: 403, reason: 'cert_host_not_allowed' });
      expect(w.foreign.requests).toEqual([]);
      expect(w.huawei.requests).toEqual([]);
      expect(await w.receiveAll()).toEqual([]);
    });

    it('keeps a bounded number of certificates however many certificate URLs unsigned requests name', async () => {
      const instance = await newInstance(w.env());
      // Anyone who knows an allowed topic can name any URL on the certificate host; a host that
      // ignores the query string serves the certificate for each of them.
      const forged = (n: number) =>
        smnDelivery(
          w,
          { signing_cert_url: `${w.certUrl}?n=${n}` },
          { signature: Buffer.alloc(256).toString('base64') },
        );
      for (let n = 0; n <= 64; n++) {
        expect(await post(instance, forged(n))).toEqual({ status: 403, reason: 'bad_signature' });
      }
      expect(w.huawei.requests).toHaveLength(65);
      // The earliest was let go rather than kept with the other 64: asking for it fetches it again.
      expect(await post(instance, forged(0))).toEqual({ status: 403, reason: 'bad_signature' });
      expect(w.huawei.requests).toHaveLength(66);
      expect(await w.receiveAll()).toEqual([]);
    });

    it('refuses an unknown topic without fetching anything', async () => {
      const instance = await newInstance(w.env());
      expect(await post(instance, smnDelivery(w, { topic_urn: OTHER_TOPIC }))).toEqual({
        status: 403,
        reason: 'topic_not_allowed',
      });
      expect(w.huawei.requests).toEqual([]);
      expect(await w.receiveAll()).toEqual([]);
    });

    it('confirms a subscription to an allowed topic by GET of subscribe_url, and refuses one to another topic', async () => {
      const instance = await newInstance(w.env());
      const allowed = smnDelivery(w, { type: 'SubscriptionConfirmation' });
      expect(await post(instance, allowed)).toEqual({ status: 200, reason: 'subscription_confirmed' });
      expect(w.huawei.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
        `GET ${new URL(w.certUrl).pathname}`,
        'GET /smn/subscription/confirm?token=confirm-me&region=cn-north-4',
      ]);
      w.huawei.requests.length = 0;
      const refused = smnDelivery(w, { type: 'SubscriptionConfirmation', topic_urn: OTHER_TOPIC });
      expect(await post(instance, refused)).toEqual({ status: 403, reason: 'topic_not_allowed' });
      expect(w.huawei.requests).toEqual([]);
      expect(await w.receiveAll()).toEqual([]);
    });

    it('logs an unsubscribe confirmation and answers 200', async () => {
      const instance = await newInstance(w.env());
      expect(await post(instance, smnDelivery(w, { type: 'UnsubscribeConfirmation' }))).toEqual({
        status: 200,
        reason: 'unsubscribe_confirmation',
      });
      expect(ingestLines(instance)[0]).toMatchObject({ smn_type: 'UnsubscribeConfirmation', level: 'INFO' });
      expect(w.huawei.requests.filter((r) => r.path.includes('confirm'))).toEqual([]);
    });

    it('answers 503 while SendMessage fails, counts it, and the retried delivery lands exactly once', async () => {
      const instance = await newInstance(w.env());
      const delivery = smnDelivery(w);
      w.failSendMessage.on = true;
      expect(await post(instance, delivery)).toEqual({ status: 503, reason: 'enqueue_failed' });
      expect(w.failSendMessage.seen).toBeGreaterThanOrEqual(1);
      expect(metricNames(instance)).toEqual(['IngestEnqueueFailures']);
      expect(ingestLines(instance)[0]).toMatchObject({ level: 'ERROR', reason: 'enqueue_failed' });
      expect(await w.receiveAll()).toEqual([]);
      w.failSendMessage.on = false;
      expect(await post(instance, delivery)).toEqual({ status: 200, reason: 'enqueued' });
      const messages = await w.receiveAll();
      expect(messages.map((m) => m.Body)).toEqual([(JSON.parse(delivery.body) as { message: string }).message]);
    });

    it('requires the token on notifications when SMN_REQUIRE_TOKEN is set', async () => {
      const instance = await newInstance(w.env({ SMN_REQUIRE_TOKEN: 'true' }));
      const delivery = smnDelivery(w);
      expect(await post(instance, delivery)).toEqual({ status: 403, reason: 'token_missing' });
      const withToken = { ...delivery, headers: { ...delivery.headers, 'x-ingest-token': TOKEN } };
      expect(await post(instance, withToken)).toEqual({ status: 200, reason: 'enqueued' });
    });

    it('enqueues an EventGrid CloudEvent once with the right token, and refuses a wrong or missing one', async () => {
      const instance = await newInstance(w.env());
      const event = {
        specversion: '1.0',
        id: 'eg-1',
        source: 'HC.KMS',
        type: 'KMS:CloudTrace:ApiCall',
        data: { service_type: 'KMS', trace_name: 'createKey', code: 200 },
      };
      const body = JSON.stringify(event);
      const headers = { 'content-type': 'application/cloudevents+json' };
      expect(await post(instance, { body, headers: { ...headers, 'X-Ingest-Token': TOKEN } })).toEqual({
        status: 200,
        reason: 'enqueued',
      });
      // EventGrid retries: the same source + id again is not sent twice.
      expect(await post(instance, { body, headers: { ...headers, 'x-ingest-token': TOKEN } })).toEqual({
        status: 200,
        reason: 'duplicate',
      });
      expect(await post(instance, { body, headers: { ...headers, 'x-ingest-token': `${TOKEN}x` } })).toEqual({
        status: 403,
        reason: 'token_invalid',
      });
      expect(await post(instance, { body, headers })).toEqual({ status: 403, reason: 'token_missing' });
      const messages = await w.receiveAll();
      expect(messages.map((m) => m.Body)).toEqual([body]);
      expect(messages[0]?.MessageAttributes?.cloudevent_id?.StringValue).toBe('eg-1');
      for (const text of instance.lines) expect(text).not.toContain(TOKEN.slice(0, 12));
    });

    it('rebuilds a binary-mode CloudEvent whose data is nested deeper than JSON.stringify can go, without crashing', async () => {
      const instance = await newInstance(w.env());
      const depth = 30_000;
      const data = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
      const headers = { 'x-ingest-token': TOKEN, 'ce-specversion': '1.0', 'ce-id': 'deep-1', 'ce-source': 'HC.KMS' };
      expect(await post(instance, { body: data, headers })).toEqual({ status: 200, reason: 'enqueued' });
      const [message, ...rest] = await w.receiveAll();
      expect(rest).toEqual([]);
      // The body as it came, as `data` of the structured event (the queue handler refuses it with a reason).
      expect(message?.Body).toBe(`{"specversion":"1.0","id":"deep-1","source":"HC.KMS","data":${data}}`);
    });

    it('answers 200 without enqueuing a body that is clearly no KMS key event, and counts it', async () => {
      const instance = await newInstance(w.env());
      const message = JSON.stringify({ service_type: 'OBS', trace_name: 'createBucket', code: 200 });
      expect(await post(instance, smnDelivery(w, { message }))).toEqual({ status: 200, reason: 'not_kms' });
      expect(await w.receiveAll()).toEqual([]);
      expect(metricNames(instance)).toEqual(['IngestIgnored']);
    });

    it('answers 413, 405, 415 and 400 with a reason, enqueuing nothing', async () => {
      const instance = await newInstance(w.env());
      const huge = smnDelivery(w, { message: 'x'.repeat(256 * 1024) });
      expect(await post(instance, huge)).toEqual({ status: 413, reason: 'body_too_large' });
      const get = await instance.invoke(httpEvent({ method: 'GET' }));
      expect(get.statusCode).toBe(405);
      expect(get.headers?.allow).toBe('POST');
      const form = { body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } };
      expect(await post(instance, form)).toEqual({ status: 415, reason: 'unsupported_media_type' });
      expect(await post(instance, { body: '{oops', headers: {} })).toEqual({ status: 400, reason: 'not_json' });
      expect(await w.receiveAll()).toEqual([]);
      expect(w.huawei.requests).toEqual([]);
    });
  });
}
