import { describe, expect, it } from 'vitest';
import { loadConfig, loadServedProjects } from '../../../lib/config/load-config.ts';
import { parseAccounts } from '../../../lib/config/parse-accounts.ts';
import { configErrorOf } from '../../support/config-error-of.ts';

// HUAWEICLOUD_ACCOUNTS: one deployment, several Huawei accounts (one deployment for many accounts).

const A = '3bab8e245e854f68af5967c00dd43127';
const B = '6c1f0e2d3b4a49588776a5b4c3d2e1f0';
const C = '7d2e1f0a9b8c47d6a5e4f3a2b1c0d9e8';
const PA = '0f3a8c1e5b7d4e2a9c6b8d0e1f2a3b4c';
const PB = '1a2b3c4d5e6f47a8b9c0d1e2f3a4b5c6';
const PB2 = '2b3c4d5e6f7a48b9c0d1e2f3a4b5c6d7';
const PC = '3c4d5e6f7a8b49c0d1e2f3a4b5c6d7e8';

const password = {
  HUAWEICLOUD_IAM_USER: 'kms-alias-bot',
  HUAWEICLOUD_IAM_PASSWORD: 'Central#Passw0rd',
  HUAWEICLOUD_IAM_DOMAIN: 'example-org',
};
const base = { DLQ_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/dlq', HUAWEICLOUD_REGION: 'cn-north-4' };

const three = JSON.stringify({
  [A]: { name: 'security', projects: { [PA]: 'cn-north-4' } },
  [B]: { name: 'payments', projects: `${PB}=cn-north-4,${PB2}=ap-southeast-1`, agency: 'kms_auto_alias' },
  [C]: { name: 'data', projects: { [PC]: 'cn-north-4' }, secret: 'huawei/data-account' },
});

const errorOf = configErrorOf;

describe('parseAccounts()', () => {
  it('reads each account, its projects in both notations and how it is reached', () => {
    const parsed = parseAccounts(three, 'cn-north-4');
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.accounts.map((a) => [a.domainId, a.name, a.access])).toEqual([
      [A, 'security', { kind: 'central' }],
      [B, 'payments', { kind: 'agency', agencyName: 'kms_auto_alias' }],
      [C, 'data', { kind: 'aws-secret', source: 'secretsmanager', id: 'huawei/data-account' }],
    ]);
    expect([...(parsed.accounts[1]?.projects ?? [])]).toEqual([
      [PB, 'cn-north-4'],
      [PB2, 'ap-southeast-1'],
    ]);
  });

  it('reads an agency given by its URN as its name', () => {
    const parsed = parseAccounts(
      JSON.stringify({ [B]: { projects: PB, agency: `iam::${B}:agency:kms_auto_alias` } }),
      'cn-north-4',
    );
    expect(parsed).toMatchObject({
      ok: true,
      accounts: [{ access: { kind: 'agency', agencyName: 'kms_auto_alias' } }],
    });
  });

  it('names an account by its id when it has no name, and reads "ssm"', () => {
    const parsed = parseAccounts(JSON.stringify({ [C]: { projects: PC, ssm: '/huawei/data' } }), 'cn-north-4');
    expect(parsed).toMatchObject({ ok: true, accounts: [{ name: C, access: { kind: 'aws-secret', source: 'ssm' } }] });
  });

  it.each([
    ['not JSON', '{', 'is not valid JSON'],
    ['an array', '[]', 'must be a JSON object'],
    ['no account', '{}', 'lists no account'],
    ['a bad account id', JSON.stringify({ 'not-an-id': { projects: PA } }), 'is not a 32-character account id'],
    ['no projects', JSON.stringify({ [A]: {} }), '"projects" is required'],
    ['a bad project', JSON.stringify({ [A]: { projects: { x: 'cn-north-4' } } }), 'is not a 32-character project id'],
    ['a typo', JSON.stringify({ [A]: { projects: PA, agnecy: 'x' } }), 'unknown field "agnecy"'],
    ['two ways in', JSON.stringify({ [A]: { projects: PA, secret: 's', agency: 'a' } }), 'not secret and agency'],
    ['an empty secret', JSON.stringify({ [A]: { projects: PA, secret: ' ' } }), '"secret" must be a non-empty string'],
    [
      "another account's agency URN",
      JSON.stringify({ [A]: { projects: PA, agency: `iam::${B}:agency:kms` } }),
      `"agency" URN names account ${B}, not this one`,
    ],
    ['a bad agency name', JSON.stringify({ [A]: { projects: PA, agency: 'a/b' } }), '"agency" must be an agency name'],
    [
      'one project in two accounts',
      JSON.stringify({ [A]: { projects: PA }, [B]: { projects: PA, agency: 'a' } }),
      `project ${PA} is listed under two accounts`,
    ],
    [
      'a name twice',
      JSON.stringify({ [A]: { name: 'x', projects: PA }, [B]: { name: 'x', projects: PB, agency: 'a' } }),
      'name "x" is used twice',
    ],
    [
      'two accounts on the central credentials',
      JSON.stringify({ [A]: { projects: PA }, [B]: { projects: PB } }),
      'only the account of the central credentials may',
    ],
  ])('refuses %s with a reason', (_, source, reason) => {
    const parsed = parseAccounts(source, 'cn-north-4');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toContain(reason);
  });
});

describe('loadConfig() with HUAWEICLOUD_ACCOUNTS', () => {
  it("serves every account's projects, with the IAM user as the central identity", () => {
    const config = loadConfig({ ...base, ...password, HUAWEICLOUD_ACCOUNTS: three });
    expect([...config.projects.keys()]).toEqual([PA, PB, PB2, PC]);
    expect(config.accounts.map((a) => a.name)).toEqual(['security', 'payments', 'data']);
    expect(config.credentials).toMatchObject({ kind: 'password', user: 'kms-alias-bot' });
  });

  it('assumes agencies with a central AK/SK as well as with an IAM user', () => {
    const config = loadConfig({
      ...base,
      HUAWEICLOUD_SDK_AK: 'AK',
      HUAWEICLOUD_SDK_SK: 'SK',
      HUAWEICLOUD_ACCOUNTS: three,
    });
    expect(config.credentials.kind).toBe('aksk');
    expect(config.accounts[1]?.access).toEqual({ kind: 'agency', agencyName: 'kms_auto_alias' });
  });

  it('needs no central credentials when every account has its own secret, and refuses unused ones', () => {
    const own = JSON.stringify({ [C]: { projects: PC, secret: 'huawei/data' }, [B]: { projects: PB, ssm: '/b' } });
    expect(loadConfig({ ...base, HUAWEICLOUD_ACCOUNTS: own }).credentials).toEqual({ kind: 'none' });
    expect(errorOf({ ...base, ...password, HUAWEICLOUD_ACCOUNTS: own })).toContain(
      'central credentials set here are unused',
    );
  });

  it('names the variable at fault', () => {
    expect(errorOf({ ...base, ...password, HUAWEICLOUD_ACCOUNTS: '{' })).toMatch(/^HUAWEICLOUD_ACCOUNTS: /);
    const agencyOnly = JSON.stringify({ [B]: { projects: PB, agency: 'a' } });
    expect(errorOf({ ...base, HUAWEICLOUD_ACCOUNTS: agencyOnly })).toContain(
      'account 6c1f0e2d3b4a49588776a5b4c3d2e1f0 is reached through an agency, which the central identity assumes',
    );
    const centralOnly = JSON.stringify({ [A]: { projects: PA } });
    expect(errorOf({ ...base, HUAWEICLOUD_ACCOUNTS: centralOnly })).toContain(
      'uses the central credentials, and none are set',
    );
    for (const name of ['HUAWEICLOUD_PROJECT_ID', 'HUAWEICLOUD_PROJECTS', 'HUAWEICLOUD_IAM_AGENCY']) {
      const value = name === 'HUAWEICLOUD_PROJECTS' ? PA : name === 'HUAWEICLOUD_PROJECT_ID' ? PA : 'agency';
      expect(errorOf({ ...base, ...password, HUAWEICLOUD_ACCOUNTS: three, [name]: value })).toMatch(
        new RegExp(`^${name}: not used with HUAWEICLOUD_ACCOUNTS`),
      );
    }
  });

  it('without it, is one unnamed account on the central credentials, as before', () => {
    const config = loadConfig({
      ...base,
      HUAWEICLOUD_PROJECT_ID: PA,
      HUAWEICLOUD_SDK_AK: 'AK',
      HUAWEICLOUD_SDK_SK: 'SK',
    });
    expect(config.accounts).toEqual([
      { domainId: undefined, name: 'default', projects: new Map([[PA, 'cn-north-4']]), access: { kind: 'central' } },
    ]);
  });
});

describe('loadServedProjects()', () => {
  it('reads the projects and accounts as loadConfig does, without credentials', () => {
    const served = loadServedProjects({ HUAWEICLOUD_REGION: 'cn-north-4', HUAWEICLOUD_ACCOUNTS: three });
    expect(served?.accounts.map((a) => a.name)).toEqual(['security', 'payments', 'data']);
    expect([...(served?.projects.keys() ?? [])]).toEqual([PA, PB, PB2, PC]);
  });

  it('is undefined when no project is configured, and names the variable at fault', () => {
    expect(loadServedProjects({})).toBeUndefined();
    expect(() => loadServedProjects({ HUAWEICLOUD_ACCOUNTS: three, HUAWEICLOUD_PROJECTS: PA })).toThrow(
      /^HUAWEICLOUD_PROJECTS: not used with HUAWEICLOUD_ACCOUNTS/,
    );
    expect(() => loadServedProjects({ HUAWEICLOUD_PROJECT_ID: PA })).toThrow(/^HUAWEICLOUD_REGION: required/);
  });
});
