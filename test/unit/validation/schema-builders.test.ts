import * as z from 'zod/mini';
import { describe, expect, it } from 'vitest';
import { compiledObject, preparedOptional } from '../../../lib/validation/schema-builders.ts';

/** A parse as plain data: the value and its keys, or the issues a caller sees. */
function outcome(schema: z.ZodMiniType, input: unknown) {
  const result = schema.safeParse(input);
  return result.success
    ? { success: true, data: result.data, keys: typeof result.data === 'object' ? Object.keys(result.data ?? {}) : [] }
    : { success: false, issues: result.error.issues.map(({ code, path, message }) => ({ code, path, message })) };
}

const prepare = (v: unknown): unknown => (v === null ? undefined : typeof v === 'number' ? String(v) : v);

const INPUTS: unknown[] = [
  undefined,
  null,
  [],
  'text',
  {},
  { id: 'a', name: 'n' },
  { id: 'a', name: null, extra: true },
  { id: 7, name: 12 },
  { id: '', name: { nested: 1 } },
  { name: 'only' },
  { id: null },
  { id: 'a', inner: { code: 200 } },
  { id: 'a', inner: { code: 'x' } },
  { id: 'a', inner: null },
  JSON.parse('{"__proto__": {"id": "x"}, "id": "a"}'),
];

describe('preparedOptional() and compiledObject()', () => {
  it('give the values, keys and issues of the zod/mini compositions they replace', () => {
    const replaced = z.object(
      {
        id: z.string().check(z.minLength(1)),
        name: z.pipe(z.transform(prepare), z.optional(z.string())),
        inner: z.pipe(z.transform(prepare), z.optional(z.object({ code: z.number() }))),
      },
      { error: 'not an object' },
    );
    const built = compiledObject(
      {
        id: z.string().check(z.minLength(1)),
        name: preparedOptional(z.string(), prepare),
        inner: preparedOptional(compiledObject({ code: z.number() }), prepare),
      },
      { error: 'not an object' },
    );
    for (const input of INPUTS) expect(outcome(built, input), JSON.stringify(input)).toEqual(outcome(replaced, input));
    expect(INPUTS.filter((input) => built.safeParse(input).success)).toHaveLength(5);
  });

  it('are what zod/mini reads as an optional and an object', () => {
    const optional = preparedOptional(z.string(), prepare);
    expect(optional._zod.optin).toBe('optional');
    expect(optional._zod.optout).toBe('optional');
    expect(z.safeParse(optional, undefined)).toEqual({ success: true, data: undefined });
    const object = compiledObject({ a: z.string() });
    expect(Object.keys(object.shape)).toEqual(['a']);
    expect(z.safeParse(z.array(object), [{ a: 'x', b: 1 }])).toEqual({ success: true, data: [{ a: 'x' }] });
  });
});
