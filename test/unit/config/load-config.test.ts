import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../lib/config/load-config.ts';
import { configErrorOf } from '../../support/config-error-of.ts';

const PROJECT = '0f3a8c1e5b7d4e2a9c6b8d0e1f2a3b4c';
const AK = 'QTWAOYTTINDUT2QVKYUC';
const SK = 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc';
const base = {
  HUAWEICLOUD_REGION: 'cn-north-4',
  HUAWEICLOUD_PROJECT_ID: PROJECT,
  HUAWEICLOUD_SDK_AK: AK,
  HUAWEICLOUD_SDK_SK: SK,
  DLQ_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/kms-key-events-dlq',
};

const errorOf = configErrorOf;

describe('loadConfig()', () => {
  it('reads how long credentials and an IAM refusal are kept, within bounds', () => {
    expect(loadConfig(base)).toMatchObject({ credentialsTtlMs: 300_000, iamRefusalMemoryMs: 300_000 });
    expect(loadConfig({ ...base, CREDENTIALS_TTL_MS: '60000', IAM_REFUSAL_MEMORY_MS: '0' })).toMatchObject({
      credentialsTtlMs: 60_000,
      iamRefusalMemoryMs: 0,
    });
    // Above 5 minutes a rotated secret would be used too long after its revocation.
    expect(errorOf({ ...base, CREDENTIALS_TTL_MS: '600000' })).toContain('CREDENTIALS_TTL_MS');
  });

  it('applies defaults that work', () => {
    const config = loadConfig(base);
    expect(config).toMatchObject({
      projects: new Map([[PROJECT, 'cn-north-4']]),
      credentials: { kind: 'aksk', ak: AK, sk: SK },
      maxReceiveCount: 5,
      dryRun: false,
      concurrency: 10,
      logLevel: 'info',
      kmsEndpoint: undefined,
    });
    expect(config.aliasTemplateSource).toContain('alias/');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads the other credential kinds', () => {
    expect(loadConfig({ ...base, HUAWEICLOUD_SDK_SECURITY_TOKEN: 'tok-123456789' }).credentials).toEqual({
      kind: 'aksk',
      ak: AK,
      sk: SK,
      securityToken: 'tok-123456789',
    });
    const { HUAWEICLOUD_SDK_AK: _a, HUAWEICLOUD_SDK_SK: _s, ...noKeys } = base;
    expect(loadConfig({ ...noKeys, CLOUD_SDK_AK: AK, CLOUD_SDK_SK: SK }).credentials).toMatchObject({
      kind: 'aksk',
      ak: AK,
    });
    expect(
      loadConfig({
        ...noKeys,
        HUAWEICLOUD_IAM_USER: 'bot',
        HUAWEICLOUD_IAM_PASSWORD: 'pw',
        HUAWEICLOUD_IAM_DOMAIN: 'org',
        HUAWEICLOUD_IAM_AGENCY: 'ag',
        HUAWEICLOUD_IAM_AGENCY_DOMAIN: 'other',
      }).credentials,
    ).toEqual({
      kind: 'password',
      user: 'bot',
      password: 'pw',
      domain: 'org',
      agency: { name: 'ag', domain: 'other' },
    });
    expect(loadConfig({ ...noKeys, HUAWEICLOUD_CREDENTIALS_SECRET_ID: 'prod/huawei' }).credentials).toEqual({
      kind: 'aws-secret',
      source: 'secretsmanager',
      id: 'prod/huawei',
    });
  });

  it('parses flags and numbers strictly', () => {
    expect(loadConfig({ ...base, DRY_RUN: 'false' }).dryRun).toBe(false);
    expect(loadConfig({ ...base, DRY_RUN: 'true', LOG_LEVEL: 'DEBUG', CONCURRENCY: '3' })).toMatchObject({
      dryRun: true,
      logLevel: 'debug',
      concurrency: 3,
    });
    expect(loadConfig({ ...base, DRY_RUN: '' }).dryRun).toBe(false);
  });

  it('reads ON_KEY_DELETION: keep by default, release when asked', () => {
    expect(loadConfig(base).onKeyDeletion).toBe('keep');
    expect(loadConfig({ ...base, ON_KEY_DELETION: 'Release' }).onKeyDeletion).toBe('release');
  });

  it('takes template constants from ALIAS_VAR_*', () => {
    const config = loadConfig({ ...base, ALIAS_TEMPLATE: 'alias/{env}/{key_id}', ALIAS_VAR_ENV: 'prod' });
    expect(config.aliasConstants).toEqual({ env: 'prod' });
  });

  it('maps several projects to their regions', () => {
    const config = loadConfig({
      ...base,
      HUAWEICLOUD_PROJECT_ID: undefined,
      HUAWEICLOUD_PROJECTS: `${PROJECT}=cn-north-4,${'a'.repeat(32)}=eu-west-101`,
    });
    expect([...config.projects]).toEqual([
      [PROJECT, 'cn-north-4'],
      ['a'.repeat(32), 'eu-west-101'],
    ]);
  });

  it.each([
    [{ DLQ_URL: undefined }, 'DLQ_URL'],
    [{ DLQ_URL: 'not a url' }, 'DLQ_URL'],
    [{ HUAWEICLOUD_PROJECT_ID: 'abc' }, 'HUAWEICLOUD_PROJECT_ID'],
    [{ HUAWEICLOUD_PROJECT_ID: undefined }, 'HUAWEICLOUD_PROJECT_ID'],
    [{ HUAWEICLOUD_REGION: 'North China' }, 'HUAWEICLOUD_REGION'],
    // Passed the old, looser config pattern, then failed the endpoint builder on every message.
    [{ HUAWEICLOUD_REGION: 'cn-north' }, 'HUAWEICLOUD_REGION'],
    [{ HUAWEICLOUD_PROJECTS: `${PROJECT}=cn-north` }, 'HUAWEICLOUD_PROJECTS'],
    [{ HUAWEICLOUD_PROJECTS: 'x=y' }, 'HUAWEICLOUD_PROJECTS'],
    [{ HUAWEICLOUD_SDK_SK: undefined }, 'HUAWEICLOUD_SDK_SK'],
    [{ HUAWEICLOUD_SDK_AK: undefined, HUAWEICLOUD_SDK_SK: undefined }, 'HUAWEICLOUD_SDK_AK'],
    [{ HUAWEICLOUD_IAM_USER: 'bot' }, 'credentials'],
    [{ MAX_RECEIVE_COUNT: '0' }, 'MAX_RECEIVE_COUNT'],
    [{ CONCURRENCY: 'lots' }, 'CONCURRENCY'],
    [{ DRY_RUN: 'maybe' }, 'DRY_RUN'],
    [{ LOG_LEVEL: 'chatty' }, 'LOG_LEVEL'],
    [{ ON_KEY_DELETION: 'delete' }, 'ON_KEY_DELETION'],
    [{ KMS_ENDPOINT: 'http://kms.example.com' }, 'KMS_ENDPOINT'],
    [{ KMS_ENDPOINT: 'ftp://127.0.0.1' }, 'KMS_ENDPOINT'],
    [{ IAM_ENDPOINT: 'http://10.0.0.8:8080' }, 'IAM_ENDPOINT'],
    [{ ALIAS_TEMPLATE: 'no-prefix/{key_id}' }, 'ALIAS_TEMPLATE'],
    [{ ALIAS_TEMPLATE: 'alias/{nope}' }, 'ALIAS_TEMPLATE'],
    [{ ALIAS_TEMPLATE: 'alias/{env}' }, 'ALIAS_TEMPLATE'],
    [{ ALIAS_VAR_BAD$NAME: 'x' }, 'ALIAS_VAR_BAD$NAME'],
    [{ RETRY_MIN_DELAY_MS: '500', RETRY_MAX_DELAY_MS: '100' }, 'RETRY_MAX_DELAY_MS'],
    [{ DLQ_URL: 'http://sqs.eu-west-1.amazonaws.com/123456789012/dlq' }, 'DLQ_URL'],
    [{ SQS_ENDPOINT: 'http://10.1.2.3:9324' }, 'SQS_ENDPOINT'],
  ])('rejects %j naming %s', (change, variable) => {
    expect(errorOf({ ...base, ...change })).toContain(variable);
  });

  it('accepts plain http only for loopback endpoints', () => {
    expect(
      loadConfig({
        ...base,
        DLQ_URL: 'http://sqs.us-east-1.localhost:4566/000000000000/dlq',
        SQS_ENDPOINT: 'http://127.0.0.1:4566',
      }).sqsEndpoint,
    ).toBe('http://127.0.0.1:4566');
    expect(loadConfig({ ...base, KMS_ENDPOINT: 'http://127.0.0.1:8080/' }).kmsEndpoint).toBe('http://127.0.0.1:8080');
    expect(loadConfig({ ...base, KMS_ENDPOINT: 'https://kms.{region}.example.com' }).kmsEndpoint).toBe(
      'https://kms.{region}.example.com',
    );
  });

  it.each([
    ['KMS_ENDPOINT', 'https://kms.cn-north-4.myhuaweicloud.com/v1.0'],
    ['KMS_ENDPOINT', 'https://kms.{region}.myhuaweicloud.com/v1.0/0f3a8c1e5b7d4e2a9c6b8d0e1f2a3b4c/kms'],
    ['IAM_ENDPOINT', 'https://iam.cn-north-4.myhuaweicloud.com/v3/auth/tokens'],
    ['STS_ENDPOINT', 'http://127.0.0.1:8080/v5'],
  ])('refuses %s=%s: a path would be put before every request path (each call a 404, to the DLQ)', (name, value) => {
    expect(errorOf({ ...base, [name]: value })).toMatch(new RegExp(`^${name}: .*path`));
  });

  it('refuses one KMS_ENDPOINT host for projects in several regions, unless it names {region} or is this machine', () => {
    // KMS endpoints are per region (docs/huawei-kms.md#endpoints): every call of the other region's
    // projects went to this region's KMS, and failed there, to the DLQ.
    const twoRegions = {
      ...base,
      HUAWEICLOUD_PROJECT_ID: undefined,
      HUAWEICLOUD_PROJECTS: `${PROJECT}=cn-north-4,${'1'.repeat(32)}=ap-southeast-1`,
    };
    expect(errorOf({ ...twoRegions, KMS_ENDPOINT: 'https://kms.cn-north-4.myhuaweicloud.com' })).toMatch(
      /^KMS_ENDPOINT: .*ap-southeast-1, cn-north-4.*\{region\}/,
    );
    expect(loadConfig({ ...twoRegions, KMS_ENDPOINT: 'https://kms.{region}.example.com' }).kmsEndpoint).toBe(
      'https://kms.{region}.example.com',
    );
    expect(loadConfig({ ...twoRegions, KMS_ENDPOINT: 'http://127.0.0.1:8080' }).kmsEndpoint).toBe(
      'http://127.0.0.1:8080',
    );
    expect(loadConfig({ ...base, KMS_ENDPOINT: 'https://kms.cn-north-4.example.com' }).kmsEndpoint).toBe(
      'https://kms.cn-north-4.example.com',
    );
  });

  it('names an endpoint that is not a URL, and keeps its value out of the whole cause chain', () => {
    // The URL parser's own error holds the whole value (`input`), credentials included.
    const value = `https://user:${SK}@kms.example.com:99999`;
    let thrown: unknown;
    try {
      loadConfig({ ...base, KMS_ENDPOINT: value });
    } catch (err) {
      thrown = err;
    }
    expect(String(thrown)).toContain('KMS_ENDPOINT');
    expect(inspect(thrown, { depth: 10 })).not.toContain(SK);
  });

  it.each([
    [
      'an agency with AK/SK (assumed with the IAM user only; with AK/SK an agency is an account of HUAWEICLOUD_ACCOUNTS)',
      { HUAWEICLOUD_IAM_AGENCY: 'kms_agency', HUAWEICLOUD_IAM_AGENCY_DOMAIN: 'payments' },
      'HUAWEICLOUD_IAM_AGENCY',
    ],
    [
      'an agency with the credentials secret',
      {
        HUAWEICLOUD_SDK_AK: undefined,
        HUAWEICLOUD_SDK_SK: undefined,
        HUAWEICLOUD_CREDENTIALS_SECRET_ID: 'huawei/kms',
        HUAWEICLOUD_IAM_AGENCY: 'kms_agency',
        HUAWEICLOUD_IAM_AGENCY_DOMAIN: 'payments',
      },
      'HUAWEICLOUD_IAM_AGENCY',
    ],
    [
      'a security token with the IAM password',
      {
        HUAWEICLOUD_SDK_AK: undefined,
        HUAWEICLOUD_SDK_SK: undefined,
        HUAWEICLOUD_IAM_USER: 'bot',
        HUAWEICLOUD_IAM_PASSWORD: 'P@ssw0rd-bot',
        HUAWEICLOUD_IAM_DOMAIN: 'acme',
        HUAWEICLOUD_SDK_SECURITY_TOKEN: 'a-token-nobody-sends',
      },
      'HUAWEICLOUD_SDK_SECURITY_TOKEN',
    ],
    [
      'a security token with the credentials secret (which holds its own)',
      {
        HUAWEICLOUD_SDK_AK: undefined,
        HUAWEICLOUD_SDK_SK: undefined,
        HUAWEICLOUD_CREDENTIALS_SECRET_ID: 'huawei/kms',
        HUAWEICLOUD_SDK_SECURITY_TOKEN: 'a-token-nobody-sends',
      },
      'HUAWEICLOUD_SDK_SECURITY_TOKEN',
    ],
  ])('refuses %s, which was silently not used, naming the variable', (_, change, variable) => {
    const message = errorOf({ ...base, ...change });
    expect(message).toMatch(new RegExp(`^${variable}: `));
    expect(message).not.toContain('a-token-nobody-sends');
  });

  it('never echoes a secret in its error', () => {
    const message = errorOf({ ...base, HUAWEICLOUD_IAM_PASSWORD: SK, CONCURRENCY: 'x' });
    expect(message).not.toContain(SK);
    expect(message).not.toContain(AK);
  });
});

describe('one region pattern', () => {
  it('accepts at cold start exactly the regions the endpoint builder can turn into a host', async () => {
    const { kmsEndpointFor } = await import('../../../lib/huawei/endpoints.ts');
    for (const region of [
      'cn-north-4',
      'ap-southeast-1',
      'eu-west-101',
      'my-kualalumpur-1',
      'ae-ad-1',
      'cn-north',
      'x1-y-2',
      'cn-north-4a',
    ]) {
      let configOk = true;
      try {
        loadConfig({ ...base, HUAWEICLOUD_REGION: region });
      } catch {
        configOk = false;
      }
      let endpointOk = true;
      try {
        kmsEndpointFor(region);
      } catch {
        endpointOk = false;
      }
      expect(configOk, region).toBe(endpointOk);
    }
  });
});
