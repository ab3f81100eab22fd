/**
 * What `npm start` does in the emulated account, as data: phases of KMS calls, each followed by a
 * drain of the key-events queue, so that every phase's events are decided before the next phase
 * depends on them (a replacement key needs the released name).
 *
 * Every action names its key by display name (`key_alias`) and runs in the `security` account
 * (the central one) unless it names another (local/path-accounts.ts), with that account's own
 * AK/SK.
 */
import type { PathAccountName } from './path-accounts.ts';

/** One call a user of an account makes through the KMS API, or a trace relayed to the ingest. */
export type PathAction =
  /**
   * CreateKey. `replaces`: the display name of a key whose released alias this one should take.
   * `relayed`: the account is not wired to an SMN topic; its team forwards its CTS traces to the
   * ingest URL with the ingest token (an EventGrid subscription or a relay).
   */
  (
    | { kind: 'createKey'; keyAlias: string; keySpec: string; replaces?: string; relayed?: boolean }
    /** ScheduleKeyDeletion of a key created in an earlier phase. */
    | { kind: 'scheduleKeyDeletion'; keyAlias: string }
    /**
     * CancelKeyDeletion, then the team enables the key again: a cancelled key comes back disabled
     * (docs/operations.md#11-deleted-keys-give-their-names-back-optional), and KMS gives no alias
     * to a disabled key.
     */
    | { kind: 'cancelKeyDeletion'; keyAlias: string }
    /**
     * CreateAlias by a person, not by the convention: an alias of another shape, which a released
     * deletion must leave in place (`release` deletes only the aliases the convention made).
     */
    | { kind: 'createAlias'; keyAlias: string; alias: string }
    /**
     * A copy of the creation trace of `keyAlias` whose account ids were rewritten to `claims`'s,
     * relayed to the ingest with the token: an event that names one account's project and another
     * account, which must never pick that other account's credentials.
     */
    | { kind: 'forgeTrace'; keyAlias: string; claims: PathAccountName }
  ) & {
    /** The account the key lives in (default `security`). */
    account?: PathAccountName;
  };

export interface PathPhase {
  /** What the phase shows, printed before it runs. */
  title: string;
  actions: readonly PathAction[];
  /** Runs only with ON_KEY_DELETION=release (with `keep` a deletion is only audited). */
  deletions?: boolean;
}

/**
 * The default run: new keys (one refused by KMS, one in the second account), two deletions, a
 * replacement and a change of mind, then two events the function must not act on.
 */
export const DEFAULT_PATH_PHASES: readonly PathPhase[] = [
  {
    title: 'new keys',
    actions: [
      { kind: 'createKey', keyAlias: 'payments-db', keySpec: 'AES_256' },
      { kind: 'createKey', keyAlias: 'orders-api', keySpec: 'RSA_2048' },
      { kind: 'createKey', keyAlias: 'audit-signing', keySpec: 'EC_P256' },
      { kind: 'createKey', keyAlias: 'reporting/etl', keySpec: 'SM4' },
      // The second account: its team's own call; the function answers with the agency it assumes.
      { kind: 'createKey', keyAlias: 'card-vault', keySpec: 'AES_256', account: 'payments' },
      // KMS refuses the spec: CTS records the call, the notification's filter (code = 200) drops it.
      { kind: 'createKey', keyAlias: 'refused-by-kms', keySpec: 'AES_999' },
    ],
  },
  {
    title: 'two keys scheduled for deletion',
    deletions: true,
    actions: [
      { kind: 'createAlias', keyAlias: 'payments-db', alias: 'alias/team/payments-db' },
      { kind: 'scheduleKeyDeletion', keyAlias: 'payments-db' },
      { kind: 'scheduleKeyDeletion', keyAlias: 'orders-api' },
    ],
  },
  {
    title: 'a replacement key, and a deletion cancelled',
    deletions: true,
    actions: [
      // KMS refuses a second key named `payments-db` while the first one exists, even pending
      // deletion (KMS.1104); `Payments-DB` is another display name with the same slug.
      { kind: 'createKey', keyAlias: 'Payments-DB', keySpec: 'AES_256', replaces: 'payments-db' },
      { kind: 'cancelKeyDeletion', keyAlias: 'orders-api' },
    ],
  },
  {
    title: 'events the function must not act on: an account outside the map, a forged account',
    actions: [
      { kind: 'createKey', keyAlias: 'lake-etl', keySpec: 'AES_256', account: 'data', relayed: true },
      { kind: 'forgeTrace', keyAlias: 'card-vault', account: 'payments', claims: 'security' },
    ],
  },
];

/**
 * The embedded default of `npm start`, under whatever the user's environment sets: a convention
 * built on names (so that a deleted key's name is worth giving back), tags, and names released
 * on deletion. The default `ALIAS_TEMPLATE` of the Lambda ends in the key id, which never
 * collides, so the run sets one that can.
 */
export const PATH_DEFAULT_ENV: Readonly<Record<string, string>> = {
  ALIAS_TEMPLATE: 'alias/{env}/{key_alias|slug}',
  ALIAS_VAR_ENV: 'demo',
  TAG_TEMPLATE: 'created_by={created_by|default:unknown},alias={alias|truncate:43}',
  ON_KEY_DELETION: 'release',
};

/** The user's environment over the embedded default; `ALIAS_VAR_ENV` only with the default template. */
export function withPathDefaults(
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string | undefined> {
  const merged: Record<string, string | undefined> = { ...PATH_DEFAULT_ENV };
  if (env.ALIAS_TEMPLATE !== undefined) delete merged.ALIAS_VAR_ENV;
  return { ...merged, ...env };
}
