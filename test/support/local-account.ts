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
