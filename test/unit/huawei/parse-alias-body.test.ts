import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AliasEntitySchema, parseAliasBody, parseWithSchema } from '../../../lib/huawei/kms-responses.ts';

/** The value and its keys in order, or the failure: what a caller of the parse sees. */
const seen = (result: ReturnType<typeof parseAliasBody>) =>
  result.ok ? { ok: true, value: result.value, keys: Object.keys(result.value) } : result;

const viaSchema = (json: unknown) => seen(parseWithSchema(AliasEntitySchema(), json));

describe('parseAliasBody()', () => {
  const answer = {
    alias: 'alias/payments-db',
    key_id: '0d0466b0-e727-4d9c-b35d-f84bb474a37f',
    domain_id: 'b168fe00ff56492495a7d22974df2d0b',
    alias_urn: 'kms:cn-north-4:b168fe00ff56492495a7d22974df2d0b:alias/payments-db',
    create_time: '1638239495000',
    update_time: '1638239495000',
  };

  it("gives KMS's answer, and every body near it, as the schema does", () => {
    const bodies: unknown[] = [
      answer,
      { ...answer, extra: 1 },
      { update_time: '2', key_id: 'k', alias: 'a', domain_id: 'd' },
      { alias: 'a', key_id: 'k' },
      { ...answer, create_time: 1638239495000 },
      { ...answer, domain_id: null },
      { ...answer, alias_urn: {} },
      { ...answer, alias: '' },
      { ...answer, key_id: 7 },
      { key_id: 'k' },
      JSON.parse('{"__proto__": {"alias": "a", "key_id": "k"}}'),
      Object.assign(Object.create({ alias: 'a', key_id: 'k' }), {}),
      Object.assign(Object.create({ domain_id: 'inherited' }), { alias: 'a', key_id: 'k' }),
      [answer],
      null,
      'alias',
      undefined,
    ];
    for (const body of bodies) expect(seen(parseAliasBody(body)), JSON.stringify(body)).toEqual(viaSchema(body));
    expect(bodies.filter((body) => parseAliasBody(body).ok)).toHaveLength(8);
  });

  it('property: agrees with the schema on any object of those fields', () => {
    const value = fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.boolean(), fc.constant(''));
    const fields = ['alias', 'key_id', 'domain_id', 'alias_urn', 'create_time', 'update_time', 'other'] as const;
    const body = fc.dictionary(fc.constantFrom(...fields), value);
    fc.assert(
      fc.property(body, (json) => {
        expect(seen(parseAliasBody(json))).toEqual(viaSchema(json));
      }),
      { numRuns: 500 },
    );
  });
});
