import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../cli/cli-io.ts';
import { loadOperatorNaming, loadOperatorTarget, operatorEnv } from '../../../cli/load-operator-config.ts';
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

describe('loadOperatorTarget()', () => {
  it('loads the Lambda configuration without DLQ_URL, for the one project', () => {
    const target = loadOperatorTarget(
      { ...BASE, HUAWEICLOUD_PROJECT_ID: P1, HUAWEICLOUD_REGION: 'cn-north-4' },
      { vars: {} },
    );
    expect(target).toMatchObject({ projectId: P1, region: 'cn-north-4' });
    expect(target.config.dlqUrl).toBe('');
  });

  it('still validates every variable', () => {
    expect(() =>
      loadOperatorTarget({ ...BASE, HUAWEICLOUD_PROJECT_ID: 'short', HUAWEICLOUD_REGION: 'cn-north-4' }, { vars: {} }),
    ).toThrow(/HUAWEICLOUD_PROJECT_ID/);
  });

  it('wants --project when several are configured', () => {
    expect(() =>
      loadOperatorTarget({ ...BASE, HUAWEICLOUD_PROJECTS: `${P1}=cn-north-4,${P2}=ap-southeast-1` }, { vars: {} }),
    ).toThrow(UsageError);
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
