import * as z from 'zod/mini';
import { describe, expect, it } from 'vitest';
import { ctsTraceSchemas } from '../../../lib/events/cts-trace-schema.ts';
import { fieldSchemas, objectSchema, optionalField } from '../../../lib/events/field-schemas.ts';

/** Issues as plain data: what a caller can see of a failed parse. */
function outcome(schema: z.ZodMiniType, input: unknown, params?: { jitless: boolean }) {
  const result = schema.safeParse(input, params);
  return result.success
    ? { success: true, data: result.data }
    : { success: false, issues: result.error.issues.map(({ code, path, message }) => ({ code, path, message })) };
}

describe('optionalField()', () => {
  const schema = objectSchema({ name: optionalField(fieldSchemas().NameSchema) });

  it('reads null and "" as absent, as a present key holding undefined', () => {
    for (const name of [null, '']) {
      const result = schema.safeParse({ name });
      expect(result).toEqual({ success: true, data: { name: undefined } });
      expect(result.success && Object.hasOwn(result.data, 'name')).toBe(true);
    }
  });

  it('leaves an absent key absent and checks a present value with the inner schema', () => {
    const absent = schema.safeParse({});
    expect(absent.success && Object.hasOwn(absent.data, 'name')).toBe(false);
    expect(schema.safeParse({ name: 'payments' })).toEqual({ success: true, data: { name: 'payments' } });
    expect(outcome(schema, { name: 42 })).toEqual({
      success: false,
      issues: [{ code: 'invalid_type', path: ['name'], message: 'must be a string, got number' }],
    });
    expect(outcome(schema, { name: 'a\u0007b' })).toMatchObject({
      success: false,
      issues: [{ path: ['name'], message: 'must not contain control characters' }],
    });
  });

  it('is an optional schema to zod', () => {
    expect(optionalField(z.string())._zod.optin).toBe('optional');
    expect(optionalField(z.string())._zod.optout).toBe('optional');
  });
});

describe('objectSchema() on the compiled object parser', () => {
  // Every trace schema, with inputs that pass, fail, strip and nest: the generated parser must
  // give what zod's interpreted one gives (jitless), value and issues alike.
  const inputs: unknown[] = [
    {},
    [],
    null,
    'trace',
    { service_type: 'KMS', trace_name: 'createKey', resource_type: 'cmk', extra: 1 },
    { service_type: 'KMS', trace_name: 7 },
    { service_type: 'KMS', trace_name: 'createKey', resource_type: null },
    { code: '200' },
    { code: 'ok' },
    {
      project_id: '0f3a8c1e5b7d4e2a9c6b8d0e1f2a3b4c',
      trace_id: '',
      user: { name: 'ops', id: 'abc', domain: { name: 'acme', id: null }, secret: 'x' },
      __proto__: { polluted: true },
    },
    { project_id: 'short', user: { domain: [] } },
    { key_info: { key_id: '0000001c-cpu0-4b3e-8000-000000000000', domain_id: 'd', region_id: 'cn-north-4' } },
    { key_info: { key_id: 'not-a-key' }, key_id: 'also-not' },
    JSON.parse('{"__proto__": {"key_alias": "x"}, "key_alias": "payments"}'),
  ];

  it('gives the same values and issues as the interpreted parser', () => {
    const schemas = Object.entries(ctsTraceSchemas());
    const compiled = schemas.flatMap(([name, schema]) => inputs.map((input) => [name, outcome(schema, input)]));
    const interpreted = schemas.flatMap(([name, schema]) =>
      inputs.map((input) => [name, outcome(schema, input, { jitless: true })]),
    );
    expect(compiled).toEqual(interpreted);
    expect(compiled.filter(([, o]) => (o as { success: boolean }).success).length).toBeGreaterThan(10);
  });

  it('keeps the object type error and the shape', () => {
    const schema = objectSchema({ code: fieldSchemas().HttpStatusSchema });
    expect(outcome(schema, ['a'])).toEqual({
      success: false,
      issues: [{ code: 'invalid_type', path: [], message: 'must be an object, got array' }],
    });
    expect(Object.keys(schema.shape)).toEqual(['code']);
  });
});
