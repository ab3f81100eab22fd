import { describe, expect, it } from 'vitest';
import { keyCreatedFromDetails, toIsoDate } from '../../../lib/inventory/key-created-from-details.ts';
import { planKey } from '../../../lib/inventory/plan-key.ts';
import type { KeyDetails } from '../../../lib/huawei/types.ts';
import { compileAliasTemplate } from '../../../lib/naming/compile-alias-template.ts';

const scope = { projectId: '0f3a8c1e5b7d4e2a9c6b8d0e1f2a3b4c', region: 'cn-north-4' };
const details: KeyDetails = {
  key_id: '4f2b9c1d-7a3e-4c58-9b6d-2e8f0a1c3d5e',
  domain_id: '3bab8e245e854f68af5967c00dd43127',
  key_alias: 'Payments DB',
  realm: 'cn-north-4',
  key_spec: 'AES_256',
  key_usage: 'ENCRYPT_DECRYPT',
  key_description: 'payments',
  creation_date: '1762157730000',
  scheduled_deletion_date: '',
  key_state: '2',
  default_key_flag: '0',
  key_type: '1',
  origin: 'kms',
  key_rotation_enabled: 'false',
  sys_enterprise_project_id: '7e1d2c3b-0000-4000-8000-000000000000',
  keystore_id: '0',
};

describe('keyCreatedFromDetails()', () => {
  it('maps KeyDetails onto the KeyCreated the handler would have seen', () => {
    expect(keyCreatedFromDetails(details, scope)).toEqual({
      key_id: details.key_id,
      project_id: scope.projectId,
      region: 'cn-north-4',
      domain_id: details.domain_id,
      created_at: '2025-11-03T08:15:30.000Z',
      key_alias: 'Payments DB',
      key_spec: 'AES_256',
      key_usage: 'ENCRYPT_DECRYPT',
      origin: 'kms',
      enterprise_project_id: '7e1d2c3b-0000-4000-8000-000000000000',
      key_description: 'payments',
      source: 'key-details',
      envelopes: [],
    });
  });

  it('takes project and region from the scope, not from the key', () => {
    const event = keyCreatedFromDetails({ ...details, realm: 'eu-west-101' }, scope);
    expect(event.region).toBe('cn-north-4');
  });

  it('leaves out empty and absent fields', () => {
    expect(keyCreatedFromDetails({ key_id: details.key_id, key_alias: '', creation_date: 'soon' }, scope)).toEqual({
      key_id: details.key_id,
      project_id: scope.projectId,
      region: 'cn-north-4',
      source: 'key-details',
      envelopes: [],
    });
  });
});

describe('toIsoDate()', () => {
  it.each([
    ['1762157730000', '2025-11-03T08:15:30.000Z'],
    ['1762157730', '2025-11-03T08:15:30.000Z'],
    ['0', '1970-01-01T00:00:00.000Z'],
    ['', undefined],
    ['2025-11-03', undefined],
    [undefined, undefined],
    ['99999999999999999', undefined],
  ])('%j → %j', (input, expected) => {
    expect(toIsoDate(input)).toBe(expected);
  });
});

describe('planKey()', () => {
  const t = compileAliasTemplate('alias/{env}/{key_alias|slug}-{created_date}', { env: 'prod' });
  if (!t.ok) throw new Error(t.reason);

  it("derives the alias with the handler's own naming, creation date included", () => {
    expect(planKey(details, t.template, scope)).toMatchObject({
      kind: 'alias',
      alias: 'alias/prod/payments-db-20251103',
    });
  });

  it('skips before naming', () => {
    expect(planKey({ ...details, key_state: '3' }, t.template, scope)).toMatchObject({
      kind: 'skip',
      reason: 'disabled',
    });
  });

  it('reports a key the template cannot name', () => {
    expect(planKey({ ...details, key_alias: ':::' }, t.template, scope)).toMatchObject({
      kind: 'naming_failed',
      code: 'MISSING_FIELD',
    });
  });
});
