import { describe, expect, it } from 'vitest';
import { parseSmnMessage, type SmnMessage } from '../../../lib/ingest/smn-message.ts';
import { verifySmnSignature } from '../../../lib/ingest/verify-smn-signature.ts';
import { createTestSigner } from '../../support/smn-test-signer.ts';
import { signedEnvelope } from './smn-fixtures.ts';

const signer = createTestSigner();
const other = createTestSigner({ commonName: 'Someone-Else' });

function message(fields: Record<string, string | undefined> = {}, overrides: Record<string, unknown> = {}): SmnMessage {
  const result = parseSmnMessage(signedEnvelope(signer, fields, overrides), {});
  if (!result.ok) throw new Error(result.detail);
  return result.message;
}

describe('verifySmnSignature()', () => {
  it('accepts notifications and confirmations signed with the certificate key', () => {
    expect(verifySmnSignature(message(), signer.certificate)).toEqual({ ok: true });
    expect(verifySmnSignature(message({ subject: undefined }), signer.certificate)).toEqual({ ok: true });
    expect(verifySmnSignature(message({ type: 'SubscriptionConfirmation' }), signer.certificate)).toEqual({ ok: true });
    expect(verifySmnSignature(message({ type: 'UnsubscribeConfirmation' }), signer.certificate)).toEqual({ ok: true });
  });

  it('refuses a tampered message, topic, id, subject or subscribe_url', () => {
    const tampered = [
      message({}, { message: '{"service_type":"KMS","trace_name":"createKey","code":200,"x":1}' }),
      message({}, { topic_urn: 'urn:smn:cn-north-4:0f3a8c1e5b7d4e2a9c6b8d0e1f2a3b4c:other' }),
      message({}, { message_id: 'another-id' }),
      message({}, { subject: 'changed' }),
      message({}, { subject: '' }),
      message({ type: 'SubscriptionConfirmation' }, { subscribe_url: 'https://console.huaweicloud.com/x' }),
    ];
    for (const m of tampered)
      expect(verifySmnSignature(m, signer.certificate)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a signature made with another key', () => {
    expect(verifySmnSignature(message(), other.certificate)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('reads an absent signature_version as v1 and refuses any other version', () => {
    expect(verifySmnSignature(message({}, { signature_version: undefined }), signer.certificate).ok).toBe(true);
    expect(verifySmnSignature(message({}, { signature_version: 'v2' }), signer.certificate)).toEqual({
      ok: false,
      reason: 'unsupported_signature_version',
    });
  });

  it('refuses a signature that is not standard base64', () => {
    const m = message();
    const urlSafe = m.signature.replaceAll('+', '-').replaceAll('/', '_');
    expect(urlSafe).not.toBe(m.signature);
    expect(verifySmnSignature({ ...m, signature: urlSafe }, signer.certificate)).toEqual({
      ok: false,
      reason: 'malformed_signature',
    });
  });

  it('refuses a certificate outside its validity or with a non-RSA key', () => {
    const expired = createTestSigner({ notBefore: new Date('2020-01-01'), notAfter: new Date('2021-01-01') });
    const m = message();
    expect(verifySmnSignature(m, expired.certificate)).toEqual({ ok: false, reason: 'certificate_not_valid_now' });
    expect(verifySmnSignature(m, signer.certificate, Date.parse('2000-01-01'))).toEqual({
      ok: false,
      reason: 'certificate_not_valid_now',
    });
    const ec = createTestSigner({ keyType: 'ec' });
    expect(verifySmnSignature(m, ec.certificate)).toEqual({ ok: false, reason: 'unsupported_certificate_key' });
  });
});
