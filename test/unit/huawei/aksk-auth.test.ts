import { describe, expect, it } from 'vitest';
import { REDACTED, scrubSecretText } from '../../../lib/audit/secret-registry.ts';
import { createAkSkAuth } from '../../../lib/huawei/aksk-auth.ts';
import { computeAuthorization } from '../../../lib/huawei/sign-request.ts';

const PROJECT = '0123456789abcdef0123456789abcdef';
const url = new URL(`https://kms.cn-north-4.myhuaweicloud.com/v1.0/${PROJECT}/kms/aliases`);
const body = '{"key_id":"bb6a3d22-dc93-47ac-b5bd-88df7ad35f1e","alias":"alias/kms-1234"}';
const request = { method: 'POST', url, headers: { 'content-type': 'application/json' }, body };

describe('createAkSkAuth()', () => {
  it('adds X-Project-Id and signs it (matches the derived KMS vector, docs/huawei-kms.md#aksk-signing)', async () => {
    const auth = createAkSkAuth({ ak: 'AKEXAMPLE', sk: 'SKEXAMPLE', now: () => new Date('2024-04-01T00:00:00Z') });
    const headers = await auth.authorize(request, PROJECT);
    expect(headers['X-Project-Id']).toBe(PROJECT);
    expect(headers.Authorization).toBe(
      'SDK-HMAC-SHA256 Access=AKEXAMPLE, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=03adffce5ccff7b0663740a5e053cc4904c48772134953b1a805e65ca86c4eab',
    );
    expect(auth.onUnauthorized).toBeUndefined();
  });

  it('sends and signs X-Security-Token for temporary credentials (docs/huawei-kms.md#aksk-signing)', async () => {
    const auth = createAkSkAuth({
      ak: 'AK',
      sk: 'SK',
      securityToken: 'TOKEN',
      now: () => new Date('2024-04-01T00:00:00Z'),
    });
    const headers = await auth.authorize(request, PROJECT);
    expect(headers['X-Security-Token']).toBe('TOKEN');
    expect(headers.Authorization).toContain(
      'SignedHeaders=content-type;host;x-project-id;x-sdk-date;x-security-token,',
    );
    const { Authorization, ...signed } = headers;
    expect(computeAuthorization({ ...request, headers: signed }, { ak: 'AK', sk: 'SK' })).toBe(Authorization);
  });

  it('masks the security token as it is sent, when it was given with the line break of a file or secret', async () => {
    // The header carries the trimmed value; the registry masked only the value as given, so a quote of
    // the sent token (a gateway's error message) was not recognised.
    const token = 'SecurityTokenGivenWithALineBreak0001';
    const auth = createAkSkAuth({
      ak: 'AKTRIMMEDTOKEN000001',
      sk: 'SK-of-the-trimmed-token',
      securityToken: `${token}\n`,
    });
    const sent = (await auth.authorize(request, PROJECT))['X-Security-Token'] ?? '';
    expect(sent).toBe(token);
    expect(scrubSecretText(`x-security-token is ${sent}.`)).toBe(`x-security-token is ${REDACTED}.`);
  });

  it('uses the clock for every request', async () => {
    let t = Date.parse('2024-04-01T00:00:00Z');
    const auth = createAkSkAuth({ ak: 'AK', sk: 'SK', now: () => new Date((t += 1000)) });
    const first = await auth.authorize(request, PROJECT);
    const second = await auth.authorize(request, PROJECT);
    expect([first['X-Sdk-Date'], second['X-Sdk-Date']]).toEqual(['20240401T000001Z', '20240401T000002Z']);
  });

  it('rejects empty credentials without echoing them', () => {
    expect(() => createAkSkAuth({ ak: ' ', sk: 'SECRET' })).toThrow('AK/SK credentials are empty');
    expect(() => createAkSkAuth({ ak: 'AK', sk: '' })).toThrow('AK/SK credentials are empty');
  });
});
