import { describe, expect, it } from 'vitest';
import { readAssumedCredentials } from '../../../lib/huawei/sts-agency-auth.ts';

// The AssumeAgency answer's shape is unverified beyond one documented example: every plausible
// spelling is read, and an answer without a usable key pair is refused (never half-used).

const keys = { access_key_id: 'TMPAK', secret_access_key: 'tmp-sk', security_token: 'tok' };

describe('readAssumedCredentials()', () => {
  it.each([
    ['ISO-8601', '2026-12-02T01:00:00Z', Date.parse('2026-12-02T01:00:00Z')],
    ['ISO-8601 with microseconds', '2026-12-02T01:00:00.123456Z', Date.parse('2026-12-02T01:00:00.123Z')],
    ['epoch seconds', 1_796_000_000, 1_796_000_000_000],
    ['epoch milliseconds', 1_796_000_000_000, 1_796_000_000_000],
    ['epoch seconds as text', '1796000000', 1_796_000_000_000],
    ['nothing readable', 'soon', undefined],
  ])('reads the expiration as %s', (_, expiration, expected) => {
    expect(readAssumedCredentials({ credentials: { ...keys, expiration } })).toEqual({
      ak: 'TMPAK',
      sk: 'tmp-sk',
      securityToken: 'tok',
      expiresAtMs: expected,
    });
  });

  it('reads the v3 securitytokens spelling too', () => {
    expect(
      readAssumedCredentials({
        credential: { access: 'A', secret: 'S', securitytoken: 'T', expires_at: '2026-12-02T01:00:00Z' },
      }),
    ).toMatchObject({ ak: 'A', sk: 'S', securityToken: 'T' });
  });

  it.each([
    ['no credentials object', { assumed_agency: {} }],
    ['no security token', { credentials: { access_key_id: 'A', secret_access_key: 'S' } }],
    ['an empty key', { credentials: { ...keys, access_key_id: ' ' } }],
    ['not an object', 'credentials'],
  ])('refuses an answer with %s', (_, body) => {
    expect(readAssumedCredentials(body)).toBeUndefined();
  });
});
