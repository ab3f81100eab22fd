import type { KeyDetails } from '../huawei/types.ts';

/** `key_state` values of KeyDetails (docs/huawei-kms.md#key-ids). */
export const KEY_STATE = {
  pendingActivation: '1',
  enabled: '2',
  disabled: '3',
  pendingDeletion: '4',
  pendingImport: '5',
} as const;

/** Why a listed key gets no alias from backfill (and is not checked by reconcile). */
export const KEY_SKIP_REASONS = [
  /** A service default key (`default_key_flag` "1"): its aliases cannot be modified (docs/huawei-kms.md#alias-rules). */
  'default_key',
  /** `key_state` "4": the key is going away. */
  'pending_deletion',
  /** `key_state` "5": an external key whose material was never imported. */
  'pending_import',
  /** `key_state` "3". */
  'disabled',
  /** `key_state` "1". */
  'pending_activation',
  /** `key_state` absent or not one of "1".."5". */
  'unknown_state',
  /** `keystore_id` other than "0": a dedicated keystore (Cloud Custodian skips these too, docs/huawei-kms.md#listing-keys). */
  'dedicated_keystore',
] as const;
export type KeySkipReason = (typeof KEY_SKIP_REASONS)[number];

export interface KeySkip {
  reason: KeySkipReason;
  detail: string;
}

const STATE_SKIPS: Readonly<Record<string, KeySkipReason>> = {
  [KEY_STATE.pendingActivation]: 'pending_activation',
  [KEY_STATE.disabled]: 'disabled',
  [KEY_STATE.pendingDeletion]: 'pending_deletion',
  [KEY_STATE.pendingImport]: 'pending_import',
};

/**
 * Decides whether a listed key is left alone, and why; `undefined` for an enabled, customer
 * key in the default keystore, the only kind the naming convention applies to. Checked in
 * this order: default key, key state, keystore.
 *
 * @example keySkipOf({ key_id, key_state: '3' }) // { reason: 'disabled', detail: 'key_state is "3" (disabled)' }
 */
export function keySkipOf(details: KeyDetails): KeySkip | undefined {
  if (details.default_key_flag === '1') {
    return { reason: 'default_key', detail: 'default_key_flag is "1": a service default key' };
  }
  const state = details.key_state;
  if (state !== KEY_STATE.enabled) {
    const reason = state === undefined ? 'unknown_state' : (STATE_SKIPS[state] ?? 'unknown_state');
    const shown = state === undefined ? 'absent' : JSON.stringify(state.slice(0, 16));
    return {
      reason,
      detail: `key_state is ${shown}${reason === 'unknown_state' ? '' : ` (${reason.replaceAll('_', ' ')})`}`,
    };
  }
  const keystore = details.keystore_id;
  if (keystore !== undefined && keystore !== '' && keystore !== '0') {
    return {
      reason: 'dedicated_keystore',
      detail: `keystore_id is ${JSON.stringify(keystore.slice(0, 40))}, not the default "0"`,
    };
  }
  return undefined;
}
