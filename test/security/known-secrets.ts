/**
 * The credentials the test suite and the local run hand to the function, by name. Every log
 * line and DLQ record is scanned for them (test/setup/secret-scan.ts); the chaos run can reuse
 * the list. IAM tokens are random per emulator run and are added as they are issued.
 */
import { DEFAULT_EMULATOR_ACCOUNT } from '../../emulator/accounts.ts';
import { LOCAL_ACCOUNT } from '../support/local-account.ts';

export interface NamedSecret {
  name: string;
  value: string;
}

/** Fixed fixture credentials: AKs, SKs, security token, IAM passwords. */
export const FIXTURE_SECRETS: readonly NamedSecret[] = Object.freeze([
  { name: 'LOCAL_ACCOUNT.ak', value: LOCAL_ACCOUNT.ak },
  { name: 'LOCAL_ACCOUNT.sk', value: LOCAL_ACCOUNT.sk },
  { name: 'LOCAL_ACCOUNT.password', value: LOCAL_ACCOUNT.password },
  { name: 'DEFAULT_EMULATOR_ACCOUNT.permanent.ak', value: DEFAULT_EMULATOR_ACCOUNT.permanent.ak },
  { name: 'DEFAULT_EMULATOR_ACCOUNT.permanent.sk', value: DEFAULT_EMULATOR_ACCOUNT.permanent.sk },
  { name: 'DEFAULT_EMULATOR_ACCOUNT.temporary.ak', value: DEFAULT_EMULATOR_ACCOUNT.temporary.ak },
  { name: 'DEFAULT_EMULATOR_ACCOUNT.temporary.sk', value: DEFAULT_EMULATOR_ACCOUNT.temporary.sk },
  {
    name: 'DEFAULT_EMULATOR_ACCOUNT.temporary.securityToken',
    value: DEFAULT_EMULATOR_ACCOUNT.temporary.securityToken,
  },
  { name: 'DEFAULT_EMULATOR_ACCOUNT.user.password', value: DEFAULT_EMULATOR_ACCOUNT.user.password },
]);

/**
 * Words inside the fixture secrets that legitimately occur in logs and error messages
 * ("invalid security token", "emulator"): a run wholly inside one of them is not a leak.
 * A run that crosses into the rest of the secret (`mulatorP`, `ecurity-t`) still is.
 */
export const BENIGN_FRAGMENTS: readonly string[] = Object.freeze([
  'emulator',
  'Emulator',
  'security-token',
  // Header names, in the function's own code and in error messages about them.
  'x-security-token',
  'X-Security-Token',
  'x-amz-security-token',
  'X-Amz-Security-Token',
]);
