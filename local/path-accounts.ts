/**
 * The accounts of the `npm start` run: one deployment serving two accounts (HUAWEICLOUD_ACCOUNTS),
 * and a third the deployment does not serve.
 * - `security`: the central account; the function reaches it with its own AK/SK.
 * - `payments`: a second account, reached through an agency it grants the central account, which
 *   the function assumes with the central AK/SK (STS AssumeAgency, docs/huawei-kms.md#sts-agency).
 * - `data`: an account outside the map; its events are skipped, whoever relays them.
 * Each account's own team signs its KMS calls with that account's own AK/SK.
 */
import type { EmulatorAccount } from '../emulator/kms-emulator.ts';
import {
  DATA_ACCOUNT,
  DATA_EMULATOR_ACCOUNT,
  LOCAL_ACCOUNT,
  LOCAL_EMULATOR_ACCOUNT,
  PAYMENTS_ACCOUNT,
  PAYMENTS_EMULATOR_ACCOUNT,
} from '../test/support/local-account.ts';

export type PathAccountName = 'security' | 'payments' | 'data';

export interface PathAccount {
  name: PathAccountName;
  domainId: string;
  projectId: string;
  region: string;
  /** The account's own AK/SK, for its team's KMS calls (never the function's, except `security`'s). */
  ak: string;
  sk: string;
  /** How the function reaches it; undefined: not in HUAWEICLOUD_ACCOUNTS. */
  access: { kind: 'central' } | { kind: 'agency'; agency: string } | undefined;
  emulator: EmulatorAccount;
}

export const PATH_ACCOUNTS: Readonly<Record<PathAccountName, PathAccount>> = {
  security: {
    name: 'security',
    domainId: LOCAL_ACCOUNT.domainId,
    projectId: LOCAL_ACCOUNT.projectId,
    region: LOCAL_ACCOUNT.region,
    ak: LOCAL_ACCOUNT.ak,
    sk: LOCAL_ACCOUNT.sk,
    access: { kind: 'central' },
    emulator: LOCAL_EMULATOR_ACCOUNT,
  },
  payments: {
    name: 'payments',
    domainId: PAYMENTS_ACCOUNT.domainId,
    projectId: PAYMENTS_ACCOUNT.projectId,
    region: PAYMENTS_ACCOUNT.region,
    ak: PAYMENTS_ACCOUNT.ak,
    sk: PAYMENTS_ACCOUNT.sk,
    access: { kind: 'agency', agency: PAYMENTS_ACCOUNT.agency },
    emulator: PAYMENTS_EMULATOR_ACCOUNT,
  },
  data: {
    name: 'data',
    domainId: DATA_ACCOUNT.domainId,
    projectId: DATA_ACCOUNT.projectId,
    region: DATA_ACCOUNT.region,
    ak: DATA_ACCOUNT.ak,
    sk: DATA_ACCOUNT.sk,
    access: undefined,
    emulator: DATA_EMULATOR_ACCOUNT,
  },
};

/** The accounts the deployment serves, in HUAWEICLOUD_ACCOUNTS order. */
export const SERVED_ACCOUNTS: readonly PathAccount[] = Object.values(PATH_ACCOUNTS).filter(
  (a) => a.access !== undefined,
);

/** HUAWEICLOUD_ACCOUNTS of the run: account id → `{name, projects, agency?}`. */
export function pathAccountsJson(): string {
  const map: Record<string, Record<string, unknown>> = {};
  for (const a of SERVED_ACCOUNTS) {
    map[a.domainId] = {
      name: a.name,
      projects: { [a.projectId]: a.region },
      ...(a.access?.kind === 'agency' ? { agency: a.access.agency } : {}),
    };
  }
  return JSON.stringify(map);
}
