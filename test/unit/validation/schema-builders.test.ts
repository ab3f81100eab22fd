import * as z from 'zod/mini';
import { describe, expect, it, vi } from 'vitest';
import { checkedString, compiledObject, preparedOptional } from '../../../lib/validation/schema-builders.ts';

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

describe('checkedString()', () => {
  const STRINGS: unknown[] = [
    undefined,
    null,
    7,
    {},
    '',
    'abc',
    'abcdef',
    'abcdefg',
    'ABC',
    'ab\u0001',
    // Two UTF-16 units, one code point each: over the maximum in units, within it in code points.
    '\u{1F600}\u{1F600}\u{1F600}',
    '\u{1F600}\u{1F600}\u{1F600}\u{1F600}\u{1F600}\u{1F600}\u{1F600}',
  ];
  const error = (issue: { input?: unknown }) => `not a string: ${typeof issue.input}`;
  const checks = () =>
    [
      z.maxLength(6, { error: 'too long', abort: true }),
      z.regex(/^[^\u0000-\u001f]*$/u, { error: (issue) => `bad ${String(issue.input)}` }),
    ] as const;

  it('gives the values and issues of z.string().check(maxLength, regex), alone and in an object', () => {
    const replaced = z.string({ error }).check(...checks());
    const built = checkedString({ error }).check(...checks());
    for (const input of STRINGS) {
      expect(outcome(built, input), String(input)).toEqual(outcome(replaced, input));
      expect(outcome(compiledObject({ s: built }), { s: input })).toEqual(
        outcome(z.object({ s: replaced }), { s: input }),
      );
      expect(outcome(preparedOptional(built, prepare), input)).toEqual(
        outcome(z.pipe(z.transform(prepare), z.optional(replaced)), input),
      );
    }
    expect(STRINGS.filter((input) => built.safeParse(input).success)).toEqual([
      '',
      'abc',
      'abcdef',
      'ABC',
      '\u{1F600}\u{1F600}\u{1F600}',
    ]);
  });

  it('leaves checks it cannot decide, a later check and a global pattern to zod', () => {
    const lower = /^[a-z]*$/g;
    const cases: [z.ZodMiniType, z.ZodMiniType][] = [
      [checkedString().check(z.minLength(4)), z.string().check(z.minLength(4))],
      [
        checkedString()
          .check(...checks())
          .check(z.minLength(4)),
        z
          .string()
          .check(...checks())
          .check(z.minLength(4)),
      ],
      [checkedString().check(z.regex(lower)), z.string().check(z.regex(/^[a-z]*$/g))],
      // zod reads a `when` from the params, though its types do not list it.
      [
        checkedString().check(z.maxLength(3, { when: () => false } as never)),
        z.string().check(z.maxLength(3, { when: () => false } as never)),
      ],
      [
        checkedString().check((payload) => {
          if (payload.value === 'abc') payload.issues.push({ code: 'custom', input: payload.value, message: 'no abc' });
        }),
        z.string().check((payload) => {
          if (payload.value === 'abc') payload.issues.push({ code: 'custom', input: payload.value, message: 'no abc' });
        }),
      ],
      [checkedString(), z.string()],
    ];
    for (const [built, replaced] of cases) {
      for (const input of [...STRINGS, 'abc', 'abc']) expect(outcome(built, input)).toEqual(outcome(replaced, input));
    }
  });

  it("decides a valid string without zod's check layers, and an invalid one through them", () => {
    const [max, pattern] = checks();
    const built = checkedString().check(max, pattern);
    const check = vi.spyOn(pattern._zod, 'check');
    expect(built.parse('abc')).toBe('abc');
    expect(check).not.toHaveBeenCalled();
    expect(built.safeParse('ab\u0001').success).toBe(false);
    expect(check).toHaveBeenCalledTimes(1);
  });

  it('is what zod/mini reads as a string with its checks', () => {
    const built = checkedString({ error }).check(...checks());
    expect(built).toBeInstanceOf(z.ZodMiniString);
    expect(built._zod.def.checks).toHaveLength(2);
    expect(built._zod.def.type).toBe('string');
  });
});
