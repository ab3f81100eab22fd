import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../cli/cli-io.ts';
import { loadOperatorNaming, loadOperatorTargets, operatorEnv } from '../../../cli/load-operator-config.ts';
import { loadConfig, loadSqsConfig } from '../../../lib/config/load-config.ts';
import { ConfigError } from '../../../lib/errors/app-error.ts';

const P1 = '0f3a8c1e5b7d4e2a9c6b8d0e1f2a3b4c';
const P2 = '9e8d7c6b5a4f4e3d2c1b0a9f8e7d6c5b';
const BASE = {
  HUAWEICLOUD_SDK_AK: 'EXAMPLEAKNOTREAL0001',
  HUAWEICLOUD_SDK_SK: 'exampleSkNotReal000000000000000000000001',
};

describe('operatorEnv()', () => {
  it('replaces the project set with --project, its region from HUAWEICLOUD_PROJECTS', () => {
    const env = operatorEnv(
      { ...BASE, HUAWEICLOUD_PROJECTS: `${P1}=cn-north-4,${P2}=ap-southeast-1` },
      { project: P2, vars: {} },
    );
    expect(env).toMatchObject({ HUAWEICLOUD_PROJECT_ID: P2, HUAWEICLOUD_REGION: 'ap-southeast-1' });
    expect(env).not.toHaveProperty('HUAWEICLOUD_PROJECTS');
  });

  it('prefers --region, then HUAWEICLOUD_PROJECTS, then HUAWEICLOUD_REGION', () => {
    const env = { HUAWEICLOUD_PROJECTS: `${P1}=cn-north-4`, HUAWEICLOUD_REGION: 'eu-west-101' };
    expect(operatorEnv(env, { project: P1, region: 'af-south-1', vars: {} })['HUAWEICLOUD_REGION']).toBe('af-south-1');
    expect(operatorEnv(env, { project: P1, vars: {} })['HUAWEICLOUD_REGION']).toBe('cn-north-4');
    expect(operatorEnv(env, { project: P2, vars: {} })['HUAWEICLOUD_REGION']).toBe('eu-west-101');
    expect(() => operatorEnv({}, { project: P2, vars: {} })).toThrow(UsageError);
  });

  it('writes --template and --var over ALIAS_TEMPLATE and ALIAS_VAR_*', () => {
    expect(
      operatorEnv(
        { ALIAS_TEMPLATE: 'alias/{key_id}', ALIAS_VAR_ENV: 'test' },
        { template: 'alias/{env}/{key_id}', vars: { env: 'prod' } },
      ),
    ).toEqual({
      ALIAS_TEMPLATE: 'alias/{env}/{key_id}',
      ALIAS_VAR_ENV: 'prod',
    });
  });
});

describe('loadOperatorTargets()', () => {
  it('loads the Lambda configuration without DLQ_URL, for the one project', () => {
    const [target, ...rest] = loadOperatorTargets(
      { ...BASE, HUAWEICLOUD_PROJECT_ID: P1, HUAWEICLOUD_REGION: 'cn-north-4' },
      { vars: {} },
    );
    expect(rest).toEqual([]);
    expect(target).toMatchObject({ projectId: P1, region: 'cn-north-4' });
    expect(target?.config.dlqUrl).toBe('');
  });

  it('still validates every variable', () => {
    expect(() =>
      loadOperatorTargets({ ...BASE, HUAWEICLOUD_PROJECT_ID: 'short', HUAWEICLOUD_REGION: 'cn-north-4' }, { vars: {} }),
    ).toThrow(/HUAWEICLOUD_PROJECT_ID/);
  });

  it('walks every configured project without --project, in the order configured', () => {
    const targets = loadOperatorTargets(
      { ...BASE, HUAWEICLOUD_PROJECTS: `${P1}=cn-north-4,${P2}=ap-southeast-1` },
      { vars: {} },
    );
    expect(targets.map((t) => [t.projectId, t.region])).toEqual([
      [P1, 'cn-north-4'],
      [P2, 'ap-southeast-1'],
    ]);
    expect(() =>
      loadOperatorTargets({ ...BASE, HUAWEICLOUD_PROJECTS: `${P1}=cn-north-4` }, { vars: {}, account: 'payments' }),
    ).toThrow(UsageError);
  });

  describe('with HUAWEICLOUD_ACCOUNTS', () => {
    const A = '3bab8e245e854f68af5967c00dd43127';
    const B = '6c1f0e2d3b4a49588776a5b4c3d2e1f0';
    const env = {
      HUAWEICLOUD_IAM_USER: 'bot',
      HUAWEICLOUD_IAM_PASSWORD: 'Passw0rd#x',
      HUAWEICLOUD_IAM_DOMAIN: 'org',
      HUAWEICLOUD_ACCOUNTS: JSON.stringify({
        [A]: { name: 'security', projects: { [P1]: 'cn-north-4' } },
        [B]: { name: 'payments', projects: { [P2]: 'ap-southeast-1' }, agency: 'kms_auto_alias' },
      }),
    };

    it('walks every account, or the one --account names (by name or id)', () => {
      const all = loadOperatorTargets(env, { vars: {} });
      expect(all.map((t) => [t.account, t.projectId])).toEqual([
        ['security', P1],
        ['payments', P2],
      ]);
      for (const account of ['payments', B]) {
        expect(loadOperatorTargets(env, { vars: {}, account }).map((t) => t.projectId)).toEqual([P2]);
      }
    });

    it('takes --project from the map, and refuses what the map does not have', () => {
      expect(loadOperatorTargets(env, { vars: {}, project: P2 })).toMatchObject([
        { projectId: P2, region: 'ap-southeast-1', account: 'payments' },
      ]);
      expect(() => loadOperatorTargets(env, { vars: {}, account: 'nobody' })).toThrow(/no account nobody/);
      expect(() => loadOperatorTargets(env, { vars: {}, project: P2, account: 'security' })).toThrow(
        /is in no project of account security/,
      );
      expect(() => loadOperatorTargets(env, { vars: {}, project: P2, region: 'cn-north-4' })).toThrow(
        /configured for ap-southeast-1/,
      );
    });
  });
});

describe('the additions to loadConfig', () => {
  it('keeps DLQ_URL required by default (the Lambda)', () => {
    expect(() => loadConfig({ ...BASE, HUAWEICLOUD_PROJECT_ID: P1, HUAWEICLOUD_REGION: 'cn-north-4' })).toThrow(
      /DLQ_URL/,
    );
  });

  it('loadNamingConfig needs no credentials, with the same default template and constants', () => {
    expect(loadOperatorNaming({}, { vars: {} }).aliasTemplateSource).toBe(
      'alias/{key_alias|slug|default:key}-{key_id|short}',
    );
    expect(
      loadOperatorNaming({ ALIAS_VAR_ENV: 'prod' }, { template: 'alias/{env}/{key_id}', vars: {} }).aliasConstants,
    ).toEqual({ env: 'prod' });
    expect(() => loadOperatorNaming({ ALIAS_VAR_ENV: 'has space' }, { vars: {} })).toThrow(ConfigError);
  });

  it('loadSqsConfig reads only the queue settings', () => {
    expect(loadSqsConfig({ SQS_ENDPOINT: 'http://127.0.0.1:4566', DLQ_URL: '' })).toEqual({
      dlqUrl: undefined,
      sqsEndpoint: 'http://127.0.0.1:4566',
      awsRegion: 'us-east-1',
    });
    expect(() => loadSqsConfig({ SQS_ENDPOINT: 'ftp://x' })).toThrow(/SQS_ENDPOINT/);
  });
});
