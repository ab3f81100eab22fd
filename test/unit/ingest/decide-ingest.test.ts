import { describe, expect, it } from 'vitest';
import { decideIngest, type Evidence, type IngestPolicy } from '../../../lib/ingest/decide-ingest.ts';
import type { IngestRequest } from '../../../lib/ingest/ingest-request.ts';
import { parseTopicUrns } from '../../../lib/ingest/topic-allow-list.ts';
import { createTestSigner } from '../../support/smn-test-signer.ts';
import { CERT_URL, SUBSCRIBE_URL, signedEnvelope, TOPIC, TRACE_MESSAGE } from './smn-fixtures.ts';

const signer = createTestSigner();
const topics = parseTopicUrns(TOPIC);
if (!topics.ok) throw new Error(topics.reason);
const policy: IngestPolicy = {
  topics: topics.topics,
  signingCertHosts: ['smn.cn-north-4.myhuaweicloud.com'],
  subscribeHosts: ['console.huaweicloud.com'],
  tokenConfigured: true,
  requireTokenOnSmn: false,
};
const VERIFIED: Evidence = { token: 'absent', signature: { ok: true } };

function post(body: unknown, headers: Record<string, string> = {}): IngestRequest {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: text,
    bodyBytes: Buffer.byteLength(text),
  };
}

describe('decideIngest(): request checks', () => {
  it.each([
    [{ ...post('{}'), method: 'GET' }, 405, 'method_not_allowed'],
    [post('{}', { 'content-type': 'application/x-www-form-urlencoded' }), 415, 'unsupported_media_type'],
    [post('{}', { 'content-type': 'application/json; charset=iso-8859-1' }), 415, 'unsupported_media_type'],
    [{ ...post('{}'), bodyBytes: 256 * 1024 + 1 }, 413, 'body_too_large'],
    [post('  '), 400, 'empty_body'],
    [post('{not json'), 400, 'not_json'],
  ] as const)('answers %#: %s %s', (request, status, reason) => {
    expect(decideIngest(request, policy, { token: 'valid' })).toMatchObject({ kind: 'reject', status, reason });
  });

  it('accepts the content types SMN and EventGrid plausibly send, and none', () => {
    for (const type of ['application/json', 'text/plain; charset=UTF-8', 'application/cloudevents+json', '']) {
      const decision = decideIngest(post(TRACE_MESSAGE, { 'content-type': type }), policy, { token: 'valid' });
      expect(decision.kind, type).toBe('enqueue');
    }
  });
});

describe('decideIngest(): SMN deliveries', () => {
  it('asks for verification with the checked certificate URL, then enqueues the message with its id', () => {
    const request = post(signedEnvelope(signer));
    const first = decideIngest(request, policy, { token: 'absent' });
    expect(first).toMatchObject({ kind: 'verify', certUrl: new URL(CERT_URL) });
    expect(decideIngest(request, policy, VERIFIED)).toEqual({
      kind: 'enqueue',
      body: TRACE_MESSAGE,
      attributes: { smn_message_id: '54bb04eddfc842e9b44ca36393f77cd3', smn_topic_urn: TOPIC },
      dedupeKey: expect.stringMatching(/^[0-9a-f]{64}$/),
      context: {
        route: 'smn',
        smnType: 'Notification',
        topicUrn: TOPIC,
        messageId: '54bb04eddfc842e9b44ca36393f77cd3',
      },
    });
  });

  it('gives a repeat the same dedupe key, and another topic or message another one', () => {
    const keyOf = (fields: Record<string, string>) => {
      const decision = decideIngest(post(signedEnvelope(signer, fields)), twoTopics, VERIFIED);
      return decision.kind === 'enqueue' ? decision.dedupeKey : decision.kind;
    };
    const other = 'urn:smn:cn-north-4:0f3a8c1e5b7d4e2a9c6b8d0e1f2a3b4c:other';
    const twoTopics = { ...policy, topics: { urns: new Set([TOPIC, other]), regions: ['cn-north-4'] } };
    expect(keyOf({})).toBe(keyOf({}));
    expect(keyOf({ topic_urn: other })).not.toBe(keyOf({}));
    expect(keyOf({ message: '{"trace_name":"createKey","id":2}' })).not.toBe(keyOf({}));
  });

  it('refuses before any fetch: route off, unknown topic, foreign or plain-http certificate URL', () => {
    const cases: Array<[IngestPolicy, Record<string, string>, string]> = [
      [{ ...policy, topics: { urns: new Set(), regions: [] } }, {}, 'smn_route_disabled'],
      [policy, { topic_urn: 'urn:smn:cn-north-4:0f3a8c1e5b7d4e2a9c6b8d0e1f2a3b4c:other' }, 'topic_not_allowed'],
      [policy, { signing_cert_url: 'https://evil.example/cert.pem' }, 'cert_host_not_allowed'],
      [policy, { signing_cert_url: 'http://smn.cn-north-4.myhuaweicloud.com/c.pem' }, 'cert_url_not_https'],
    ];
    for (const [p, fields, reason] of cases) {
      expect(decideIngest(post(signedEnvelope(signer, fields)), p, { token: 'absent' })).toMatchObject({
        kind: 'reject',
        status: 403,
        reason,
      });
    }
  });

  it('refuses a bad signature with the verifier reason', () => {
    const decision = decideIngest(post(signedEnvelope(signer)), policy, {
      token: 'absent',
      signature: { ok: false, reason: 'bad_signature' },
    });
    expect(decision).toMatchObject({ kind: 'reject', status: 403, reason: 'bad_signature' });
  });

  it('answers 400 for a malformed envelope', () => {
    const decision = decideIngest(post(signedEnvelope(signer, { message_id: undefined })), policy, VERIFIED);
    expect(decision).toMatchObject({ kind: 'reject', status: 400, reason: 'invalid_smn_message' });
  });

  it('requires the token on notifications when configured, not on confirmations; a wrong one is always refused', () => {
    const strict = { ...policy, requireTokenOnSmn: true };
    expect(decideIngest(post(signedEnvelope(signer)), strict, VERIFIED)).toMatchObject({ reason: 'token_missing' });
    expect(decideIngest(post(signedEnvelope(signer)), strict, { ...VERIFIED, token: 'valid' }).kind).toBe('enqueue');
    const confirmation = post(signedEnvelope(signer, { type: 'SubscriptionConfirmation' }));
    expect(decideIngest(confirmation, strict, VERIFIED).kind).toBe('confirm');
    expect(decideIngest(post(signedEnvelope(signer)), policy, { ...VERIFIED, token: 'invalid' })).toMatchObject({
      reason: 'token_invalid',
    });
  });

  it('confirms a verified subscription only when subscribe_url is on an allowed host', () => {
    const ok = decideIngest(post(signedEnvelope(signer, { type: 'SubscriptionConfirmation' })), policy, VERIFIED);
    expect(ok).toMatchObject({ kind: 'confirm', url: new URL(SUBSCRIBE_URL) });
    const foreign = post(
      signedEnvelope(signer, { type: 'SubscriptionConfirmation', subscribe_url: 'https://evil.example/c' }),
    );
    expect(decideIngest(foreign, policy, VERIFIED)).toMatchObject({ status: 403, reason: 'subscribe_url_not_allowed' });
  });

  it('logs an unsubscribe confirmation and ignores a notification that is clearly no KMS key event', () => {
    const unsubscribe = post(signedEnvelope(signer, { type: 'UnsubscribeConfirmation' }));
    expect(decideIngest(unsubscribe, policy, VERIFIED)).toMatchObject({
      kind: 'ignore',
      reason: 'unsubscribe_confirmation',
    });
    const obs = JSON.stringify({ service_type: 'OBS', trace_name: 'createBucket', code: 200 });
    expect(decideIngest(post(signedEnvelope(signer, { message: obs })), policy, VERIFIED)).toMatchObject({
      kind: 'ignore',
      reason: 'not_kms',
      detail: 'service_type "OBS", trace_name "createBucket"',
    });
  });
});

describe('decideIngest(): the token route (EventGrid, relays)', () => {
  const cloudEvent = {
    specversion: '1.0',
    id: 'ce-1',
    source: 'HC.KMS',
    type: 'KMS:CloudTrace:ApiCall',
    data: JSON.parse(TRACE_MESSAGE),
  };

  it('enqueues a CloudEvent with a valid token, keeping its id', () => {
    expect(decideIngest(post(cloudEvent), policy, { token: 'valid' })).toEqual({
      kind: 'enqueue',
      body: JSON.stringify(cloudEvent),
      attributes: { cloudevent_id: 'ce-1' },
      dedupeKey: expect.stringMatching(/^[0-9a-f]{64}$/),
      context: { route: 'token', messageId: 'ce-1' },
    });
  });

  it('enqueues a bare trace from a relay as it came, with no delivery id', () => {
    const decision = decideIngest(post({ cts: JSON.parse(TRACE_MESSAGE), id: 'not-a-cloudevent' }), policy, {
      token: 'valid',
    });
    expect(decision).toMatchObject({
      kind: 'enqueue',
      attributes: {},
      dedupeKey: undefined,
      context: { route: 'token' },
    });
  });

  it('refuses a missing or wrong token, or when no token is configured', () => {
    expect(decideIngest(post(cloudEvent), policy, { token: 'absent' })).toMatchObject({
      status: 403,
      reason: 'token_missing',
    });
    expect(decideIngest(post(cloudEvent), policy, { token: 'invalid' })).toMatchObject({
      status: 403,
      reason: 'token_invalid',
    });
    expect(decideIngest(post(cloudEvent), { ...policy, tokenConfigured: false }, { token: 'valid' })).toMatchObject({
      status: 403,
      reason: 'token_route_disabled',
    });
  });

  it('rebuilds a binary-mode CloudEvent from its ce-* headers', () => {
    const decision = decideIngest(
      post(TRACE_MESSAGE, {
        'ce-specversion': '1.0',
        'ce-id': 'b-1',
        'ce-source': 'HC.KMS',
        'ce-type': 'KMS:CloudTrace:ApiCall',
      }),
      policy,
      { token: 'valid' },
    );
    expect(decision).toMatchObject({
      kind: 'enqueue',
      dedupeKey: expect.stringMatching(/^[0-9a-f]{64}$/),
      attributes: { cloudevent_id: 'b-1' },
    });
    if (decision.kind !== 'enqueue') return;
    expect(JSON.parse(decision.body)).toEqual({
      specversion: '1.0',
      id: 'b-1',
      source: 'HC.KMS',
      type: 'KMS:CloudTrace:ApiCall',
      data: JSON.parse(TRACE_MESSAGE),
    });
  });

  it('answers 400 for a JSON array (CloudEvents batch mode) and ignores other services', () => {
    expect(decideIngest(post([cloudEvent]), policy, { token: 'valid' })).toMatchObject({
      status: 400,
      reason: 'not_an_object',
    });
    const obs = { ...cloudEvent, data: { service_type: 'OBS', trace_name: 'putObject' } };
    expect(decideIngest(post(obs), policy, { token: 'valid' })).toMatchObject({ kind: 'ignore', reason: 'not_kms' });
  });
});
