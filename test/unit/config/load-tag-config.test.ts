import { describe, expect, it } from 'vitest';
import { loadConfig, loadNamingConfig } from '../../../lib/config/load-config.ts';

const base = {
  HUAWEICLOUD_REGION: 'cn-north-4',
  HUAWEICLOUD_PROJECT_ID: '0'.repeat(32),
  HUAWEICLOUD_SDK_AK: 'ak',
  HUAWEICLOUD_SDK_SK: 'sk',
  DLQ_URL: 'https://sqs.eu-west-1.amazonaws.com/000000000000/dlq',
};

describe('TAG_TEMPLATE and TAG_OVERWRITE', () => {
  it('leaves tags off when TAG_TEMPLATE is unset or empty', () => {
    expect(loadConfig(base)).toMatchObject({ tagTemplate: undefined, tagOverwrite: false });
    expect(loadConfig({ ...base, TAG_TEMPLATE: '  ' }).tagTemplate).toBeUndefined();
  });

  it('compiles the template with the alias constants', () => {
    const config = loadConfig({ ...base, TAG_TEMPLATE: 'env={env},owner={created_by}', ALIAS_VAR_ENV: 'prod' });
    expect(config.tagTemplate?.keys).toEqual(['env', 'owner']);
    expect(loadNamingConfig({ TAG_TEMPLATE: 'env={env}', ALIAS_VAR_ENV: 'dev' }).tagTemplate?.keys).toEqual(['env']);
  });

  it.each([
    ['a reserved key', { TAG_TEMPLATE: '_sys_owner=x' }, /TAG_TEMPLATE/],
    ['a repeated key', { TAG_TEMPLATE: 'a=1,a=2' }, /TAG_TEMPLATE/],
    ['an unknown placeholder', { TAG_TEMPLATE: 'a={nope}' }, /TAG_TEMPLATE/],
    ['a constant named alias', { TAG_TEMPLATE: 'a={alias}', ALIAS_VAR_ALIAS: 'x' }, /TAG_TEMPLATE/],
    ['a flag that is not a boolean', { TAG_TEMPLATE: 'a=1', TAG_OVERWRITE: 'sometimes' }, /TAG_OVERWRITE/],
  ])('fails at cold start on %s, naming the variable', (_what, extra, message) => {
    expect(() => loadConfig({ ...base, ...extra })).toThrow(message);
  });

  it('reads TAG_OVERWRITE as a flag (never "false" as true)', () => {
    expect(loadConfig({ ...base, TAG_OVERWRITE: 'false' }).tagOverwrite).toBe(false);
    expect(loadConfig({ ...base, TAG_OVERWRITE: 'TRUE' }).tagOverwrite).toBe(true);
  });
});
