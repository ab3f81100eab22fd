import type { EmulatorAccount } from '../../emulator/kms-emulator.ts';

/**
 * The account the local run and the tests give the emulator: the same project, region and
 * account ids as the sample events in `events/`, so those events alias real (emulated) keys.
 * The AK/SK are made up, valid only against the emulator.
 */
export const LOCAL_ACCOUNT = {
  domainId: '3bab8e245e854f68af5967c00dd43127',
  domainName: 'example-org',
  region: 'cn-north-4',
  projectId: '0f3a8c1e5b7d4e2a9c6b8d0e1f2a3b4c',
  secondProjectId: '9e8d7c6b5a4f4e3d2c1b0a9f8e7d6c5b',
  ak: 'LOCALEMULATORAK00001',
  sk: 'localEmulatorSecretKeyDoNotUse0000000001',
  user: 'kms-alias-bot',
  password: 'Local#Emulator#Passw0rd',
  agency: 'kms_auto_alias_agency',
} as const;

export const LOCAL_EMULATOR_ACCOUNT: EmulatorAccount = {
  domainId: LOCAL_ACCOUNT.domainId,
  domainName: LOCAL_ACCOUNT.domainName,
  projects: [
    { id: LOCAL_ACCOUNT.projectId, name: LOCAL_ACCOUNT.region },
    { id: LOCAL_ACCOUNT.secondProjectId, name: 'ap-southeast-1' },
  ],
  credentials: [{ ak: LOCAL_ACCOUNT.ak, sk: LOCAL_ACCOUNT.sk }],
  users: [{ name: LOCAL_ACCOUNT.user, password: LOCAL_ACCOUNT.password }],
  agencies: [{ name: LOCAL_ACCOUNT.agency }],
};

/**
 * Two more accounts of the same organisation, for one deployment serving several
 * (HUAWEICLOUD_ACCOUNTS): `payments` is reached through an agency it grants the local account's
 * IAM user (trusted by the local account's id); `data` through its own AK/SK, kept in a secret.
 */
export const PAYMENTS_ACCOUNT = {
  domainId: '6c1f0e2d3b4a49588776a5b4c3d2e1f0',
  domainName: 'example-payments',
  region: 'cn-north-4',
  projectId: '1a2b3c4d5e6f47a8b9c0d1e2f3a4b5c6',
  agency: 'kms_auto_alias_central',
  ak: 'PYMTEMULATORAK000001',
  sk: 'pymtEmulatorSecretKeyDoNotUse00000000001',
  /** The account's own IAM user, whose AK/SK the team signs its KMS calls with. */
  user: 'payments-team',
  password: 'Pq7#vX2m!Rt9Lw4z',
} as const;

export const DATA_ACCOUNT = {
  domainId: '7d2e1f0a9b8c47d6a5e4f3a2b1c0d9e8',
  domainName: 'example-data',
  region: 'cn-north-4',
  projectId: '3c4d5e6f7a8b49c0d1e2f3a4b5c6d7e8',
  ak: 'DATAEMULATORAK000001',
  sk: 'dataEmulatorSecretKeyDoNotUse00000000001',
  user: 'data-team',
  password: 'Dk3@nB8s^Hy6Jc1v',
} as const;

export const PAYMENTS_EMULATOR_ACCOUNT: EmulatorAccount = {
  domainId: PAYMENTS_ACCOUNT.domainId,
  domainName: PAYMENTS_ACCOUNT.domainName,
  projects: [{ id: PAYMENTS_ACCOUNT.projectId, name: PAYMENTS_ACCOUNT.region }],
  credentials: [{ ak: PAYMENTS_ACCOUNT.ak, sk: PAYMENTS_ACCOUNT.sk }],
  // CTS names the IAM user who owns the AK in a trace (`user.name`): a name, never the AK itself.
  users: [{ name: PAYMENTS_ACCOUNT.user, password: PAYMENTS_ACCOUNT.password }],
  agencies: [{ name: PAYMENTS_ACCOUNT.agency, trustedDomainIds: [LOCAL_ACCOUNT.domainId] }],
};

export const DATA_EMULATOR_ACCOUNT: EmulatorAccount = {
  domainId: DATA_ACCOUNT.domainId,
  domainName: DATA_ACCOUNT.domainName,
  projects: [{ id: DATA_ACCOUNT.projectId, name: DATA_ACCOUNT.region }],
  credentials: [{ ak: DATA_ACCOUNT.ak, sk: DATA_ACCOUNT.sk }],
  users: [{ name: DATA_ACCOUNT.user, password: DATA_ACCOUNT.password }],
};

/** HUAWEICLOUD_ACCOUNTS for the three accounts: local on the central IAM user, payments by agency, data by secret. */
export function organisationAccounts(dataSecretId: string): string {
  return JSON.stringify({
    [LOCAL_ACCOUNT.domainId]: { name: 'security', projects: { [LOCAL_ACCOUNT.projectId]: LOCAL_ACCOUNT.region } },
    [PAYMENTS_ACCOUNT.domainId]: {
      name: 'payments',
      projects: { [PAYMENTS_ACCOUNT.projectId]: PAYMENTS_ACCOUNT.region },
      agency: PAYMENTS_ACCOUNT.agency,
    },
    [DATA_ACCOUNT.domainId]: {
      name: 'data',
      projects: { [DATA_ACCOUNT.projectId]: DATA_ACCOUNT.region },
      secret: dataSecretId,
    },
  });
}
