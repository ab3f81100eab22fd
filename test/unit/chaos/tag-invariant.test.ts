import { describe, expect, it } from 'vitest';
import { checkNoTagOverwritten } from '../../../chaos/tag-invariant.ts';

const keyId = '11111111-2222-4333-8444-555555555555';

describe('checkNoTagOverwritten()', () => {
  it('passes new tags and rewrites of the same value, fails a changed value with TAG_OVERWRITE off', () => {
    const fine = [{ keyId, key: 'owner', from: undefined, to: 'ops' }];
    expect(checkNoTagOverwritten(fine, false).pass).toBe(true);
    const changed = [...fine, { keyId, key: 'owner', from: 'ops', to: 'dev' }];
    const verdict = checkNoTagOverwritten(changed, false);
    expect(verdict.pass).toBe(false);
    expect(verdict.failures[0]).toContain('"ops" to "dev"');
    expect(checkNoTagOverwritten(changed, true).pass).toBe(true);
  });
});
