// The emulator's gateway-side verifier against the published / re-computed vectors of docs/huawei-kms.md#aksk-signing.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  canonicalQueryString,
  canonicalRequest,
  canonicalUri,
  parseAuthorization,
  parseSdkDate,
  signatureFor,
  verifySignature,
  type ReceivedRequest,
} from '../../emulator/verify-signature.ts';

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

describe('verifySignature: docs/huawei-kms.md#aksk-signing vectors', () => {
  it('accepts the official Huawei doc vector and reproduces its canonical-request hash', () => {
    const req: ReceivedRequest = {
      method: 'GET',
      rawUrl: '/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs?limit=2&marker=13551d6b-755d-4757-b956-536f674975c0',
      headers: {
        'content-type': 'application/json',
        host: 'service.region.example.com',
        'x-sdk-date': '20191115T033655Z',
      },
      body: new Uint8Array(),
    };
    const auth = parseAuthorization(
      'SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe',
    );
    expect(auth).toBeDefined();
    if (!auth) return;
    const canonical = canonicalRequest(req, auth.signedHeaders);
    expect(canonical.ok && sha256(canonical.text)).toBe(
      'b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a',
    );
    const now = parseSdkDate('20191115T033655Z') ?? 0;
    expect(verifySignature(req, auth, 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc', now)).toEqual({ ok: true });
    expect(verifySignature(req, auth, 'wrong-sk', now)).toMatchObject({ ok: false, code: 'APIGW.0301' });
  });

  it('reproduces the Go SDK signer vectors (only x-sdk-date signed; body with trailing newline)', () => {
    const get: ReceivedRequest = {
      method: 'GET',
      rawUrl: '/path?limit=1',
      headers: { 'x-sdk-date': '20060102T150405Z' },
      body: new Uint8Array(),
    };
    const c1 = canonicalRequest(get, ['x-sdk-date']);
    expect(c1.ok && signatureFor(c1.text, '20060102T150405Z', 'SecretKey')).toBe(
      '5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624',
    );
    const post: ReceivedRequest = {
      method: 'POST',
      rawUrl: '/path?key=value',
      headers: { 'x-sdk-date': '20060102T150405Z' },
      body: Buffer.from('{"Name":"test","Id":1}\n'),
    };
    const c2 = canonicalRequest(post, ['x-sdk-date']);
    expect(c2.ok && signatureFor(c2.text, '20060102T150405Z', 'SecretKey')).toBe(
      'cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59',
    );
  });

  it('verifies the derived KMS vectors (POST alias; GET with security token and an encoded marker)', () => {
    const pid = '0123456789abcdef0123456789abcdef';
    const base = {
      'content-type': 'application/json',
      host: 'kms.cn-north-4.myhuaweicloud.com',
      'x-project-id': pid,
      'x-sdk-date': '20240401T000000Z',
    };
    const now = parseSdkDate('20240401T000000Z') ?? 0;
    const post: ReceivedRequest = {
      method: 'POST',
      rawUrl: `/v1.0/${pid}/kms/aliases`,
      headers: base,
      body: Buffer.from('{"key_id":"bb6a3d22-dc93-47ac-b5bd-88df7ad35f1e","alias":"alias/kms-1234"}'),
    };
    const postAuth = parseAuthorization(
      'SDK-HMAC-SHA256 Access=AKEXAMPLE, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=03adffce5ccff7b0663740a5e053cc4904c48772134953b1a805e65ca86c4eab',
    );
    expect(postAuth && verifySignature(post, postAuth, 'SKEXAMPLE', now)).toEqual({ ok: true });

    const getAuth = parseAuthorization(
      'SDK-HMAC-SHA256 Access=AKEXAMPLE, SignedHeaders=content-type;host;x-project-id;x-sdk-date;x-security-token, Signature=2fced1bcc9fa5640bb421a9e76e940c2edc6d7444fed8f159133e03264343053',
    );
    // The same query arrives percent-encoded or form-encoded ('+' for space); both verify.
    for (const query of ['marker=alias%2Fx%20y&limit=50', 'limit=50&marker=alias/x+y']) {
      const get: ReceivedRequest = {
        method: 'GET',
        rawUrl: `/v1.0/${pid}/kms/aliases?key_id=bb6a3d22-dc93-47ac-b5bd-88df7ad35f1e&${query}`,
        headers: { ...base, 'x-security-token': 'TOKEN123' },
        body: new Uint8Array(),
      };
      expect(getAuth && verifySignature(get, getAuth, 'SKEXAMPLE', now)).toEqual({ ok: true });
    }
  });
});

describe('verifySignature: gateway rules', () => {
  const req: ReceivedRequest = {
    method: 'GET',
    rawUrl: '/x',
    headers: { host: 'h', 'x-sdk-date': '20240401T000000Z' },
    body: new Uint8Array(),
  };
  const signed = (signedHeaders: string[], date = '20240401T000000Z'): ReturnType<typeof parseAuthorization> => {
    const c = canonicalRequest(req, signedHeaders);
    const sig = c.ok ? signatureFor(c.text, date, 'sk') : '00';
    return parseAuthorization(`SDK-HMAC-SHA256 Access=ak, SignedHeaders=${signedHeaders.join(';')}, Signature=${sig}`);
  };
  const t0 = parseSdkDate('20240401T000000Z') ?? 0;

  it('requires host and x-sdk-date among the signed headers', () => {
    const auth = signed(['x-sdk-date']);
    expect(auth && verifySignature(req, auth, 'sk', t0)).toMatchObject({ ok: false, code: 'APIGW.0301' });
    const ok = signed(['host', 'x-sdk-date']);
    expect(ok && verifySignature(req, ok, 'sk', t0)).toEqual({ ok: true });
  });

  it('answers APIGW.0303 beyond 15 minutes of skew, either direction', () => {
    const auth = signed(['host', 'x-sdk-date']);
    if (!auth) throw new Error('unparsed');
    expect(verifySignature(req, auth, 'sk', t0 + 15 * 60_000)).toEqual({ ok: true });
    expect(verifySignature(req, auth, 'sk', t0 + 15 * 60_000 + 1000)).toMatchObject({ code: 'APIGW.0303' });
    expect(verifySignature(req, auth, 'sk', t0 - 16 * 60_000)).toMatchObject({ code: 'APIGW.0303' });
  });

  it('builds canonical URI and query per RFC 3986', () => {
    expect(canonicalUri('/v1.0/p/kms/aliases')).toBe('/v1.0/p/kms/aliases/');
    expect(canonicalUri('/a%20b/c')).toBe('/a%20b/c/');
    expect(canonicalQueryString('b=2&a=x*y&a=1&c')).toBe('a=1&a=x%2Ay&b=2&c=');
    expect(parseSdkDate('20241301T000000Z')).toBeUndefined();
    expect(parseAuthorization('Bearer abc')).toBeUndefined();
  });
});
