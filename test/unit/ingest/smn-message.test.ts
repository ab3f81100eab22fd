import { describe, expect, it } from 'vitest';
import { looksLikeSmnDelivery, parseSmnMessage } from '../../../lib/ingest/smn-message.ts';
import { createTestSigner } from '../../support/smn-test-signer.ts';
import { signedEnvelope, SUBSCRIBE_URL, TOPIC, TRACE_MESSAGE } from './smn-fixtures.ts';

const signer = createTestSigner();

describe('parseSmnMessage()', () => {
  it('reads a notification in SMN snake_case', () => {
    const result = parseSmnMessage(signedEnvelope(signer), {});
    expect(result).toMatchObject({
      ok: true,
      message: {
        kind: 'notification',
        topicUrn: TOPIC,
        messageId: '54bb04eddfc842e9b44ca36393f77cd3',
        message: TRACE_MESSAGE,
        subject: 'KMS key event',
        signatureVersion: 'v1',
      },
    });
  });

  it('treats an empty, null or absent subject as none', () => {
    for (const subject of ['', null, undefined]) {
      const body = signedEnvelope(signer, {}, { subject });
      const result = parseSmnMessage(body, {});
      expect(result.ok && result.message.subject).toBeUndefined();
    }
  });

  it.each([
    ['SubscriptionConfirmation', 'subscription_confirmation'],
    ['HttpSubscriptionUserConfirm', 'subscription_confirmation'],
    ['UnsubscribeConfirmation', 'unsubscribe_confirmation'],
    ['HttpSubscriptionUserUnsubscribe', 'unsubscribe_confirmation'],
  ])('maps type %s to %s', (type, kind) => {
    const result = parseSmnMessage(signedEnvelope(signer, { type }), {});
    expect(result).toMatchObject({ ok: true, message: { kind, subscribeUrl: SUBSCRIBE_URL } });
  });

  it('refuses unknown types, missing fields and confirmations without subscribe_url', () => {
    expect(parseSmnMessage(signedEnvelope(signer, { type: 'Bogus' }), {})).toEqual({
      ok: false,
      detail: 'SMN envelope: unknown type',
    });
    const noCert = signedEnvelope(signer, { signing_cert_url: undefined });
    expect(parseSmnMessage(noCert, {})).toMatchObject({
      ok: false,
      detail: expect.stringContaining('signing_cert_url'),
    });
    const confirmation = signedEnvelope(signer, { type: 'SubscriptionConfirmation', subscribe_url: undefined });
    expect(parseSmnMessage(confirmation, {})).toMatchObject({
      ok: false,
      detail: expect.stringContaining('subscribe_url'),
    });
    expect(parseSmnMessage({ ...signedEnvelope(signer), message: { a: 1 } }, {}).ok).toBe(false);
  });

  it('accepts headers that agree with the body and refuses ones that contradict it', () => {
    const body = signedEnvelope(signer);
    const agreeing = { 'x-smn-message-type': 'Notification', 'x-smn-topic-urn': TOPIC };
    expect(parseSmnMessage(body, agreeing).ok).toBe(true);
    const result = parseSmnMessage(body, { 'x-smn-message-type': 'SubscriptionConfirmation' });
    expect(result).toEqual({ ok: false, detail: 'SMN header x-smn-message-type contradicts the body' });
  });

  it('never quotes field values in its detail', () => {
    const result = parseSmnMessage({ ...signedEnvelope(signer), topic_urn: 7, signature: 'SECRET-SIG' }, {});
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain('SECRET-SIG');
  });
});

describe('looksLikeSmnDelivery()', () => {
  it('recognises the SMN header or the signed body fields', () => {
    expect(looksLikeSmnDelivery({ 'x-smn-message-type': 'Notification' }, {})).toBe(true);
    expect(looksLikeSmnDelivery({}, signedEnvelope(signer))).toBe(true);
    expect(looksLikeSmnDelivery({}, { specversion: '1.0', data: {} })).toBe(false);
    expect(looksLikeSmnDelivery({}, [1])).toBe(false);
  });
});
