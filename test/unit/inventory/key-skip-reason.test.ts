import { describe, expect, it } from 'vitest';
import { KEY_SKIP_REASONS, keySkipOf } from '../../../lib/inventory/key-skip-reason.ts';
import type { KeyDetails } from '../../../lib/huawei/types.ts';

const KEY_ID = '4f2b9c1d-7a3e-4c58-9b6d-2e8f0a1c3d5e';
const enabled: KeyDetails = { key_id: KEY_ID, key_state: '2', default_key_flag: '0', keystore_id: '0' };

describe('keySkipOf()', () => {
  it.each<[string, Partial<KeyDetails>]>([
    ['enabled, default keystore', {}],
    ['keystore_id absent', { keystore_id: undefined }],
    ['keystore_id empty', { keystore_id: '' }],
    ['default_key_flag absent', { default_key_flag: undefined }],
  ])('keeps an enabled customer key (%s)', (_, change) => {
    expect(keySkipOf({ ...enabled, ...change })).toBeUndefined();
  });

  it.each<[string, Partial<KeyDetails>]>([
    ['default_key', { default_key_flag: '1' }],
    ['pending_activation', { key_state: '1' }],
    ['disabled', { key_state: '3' }],
    ['pending_deletion', { key_state: '4' }],
    ['pending_import', { key_state: '5' }],
    ['unknown_state', { key_state: '9' }],
    ['unknown_state', { key_state: undefined }],
    ['dedicated_keystore', { keystore_id: '6c5b4a39-2817-4f6e-9d8c-7b6a59483726' }],
  ])('skips with reason %s', (reason, change) => {
    const skip = keySkipOf({ ...enabled, ...change });
    expect(skip?.reason).toBe(reason);
    expect(skip?.detail).not.toBe('');
  });

  it('checks a default key first, then the state, then the keystore', () => {
    expect(keySkipOf({ ...enabled, default_key_flag: '1', key_state: '3', keystore_id: 'x' })?.reason).toBe(
      'default_key',
    );
    expect(keySkipOf({ ...enabled, key_state: '4', keystore_id: 'x' })?.reason).toBe('pending_deletion');
  });

  it('has a test row for every reason', () => {
    expect(KEY_SKIP_REASONS).toHaveLength(7);
  });
});
