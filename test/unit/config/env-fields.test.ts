import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import {
  choiceOr,
  flagOr,
  integerOr,
  matchingOr,
  optionalHttpUrl,
  optionalMatching,
  readEnvFields,
  required,
  textOr,
} from '../../../lib/config/env-fields.ts';

const valueOf = <T>(result: { ok: true; value: T } | { ok: false; message: string }) =>
  result.ok ? result.value : `error: ${result.message}`;

// The readers replaced zod schemas in loadConfig; these rows check they accept and refuse exactly
// what those schemas did (zod is still a dependency, so the old schema is the oracle).
describe('env field readers, against the zod schemas they replace', () => {
  const flags = [
    'true',
    'false',
    'TRUE',
    'Yes',
    'no',
    '1',
    '0',
    'on',
    'OFF',
    'y',
    'n',
    'enabled',
    'Disabled',
    'maybe',
    '2',
    'tru',
  ];
  it.each(flags)('flagOr reads %j as z.stringbool() does', (text) => {
    const zod = z.stringbool().safeParse(text);
    const ours = flagOr(false)(text);
    expect(ours.ok).toBe(zod.success);
    if (ours.ok && zod.success) expect(ours.value).toBe(zod.data);
  });

  const numbers = ['0', '1', '5', '1000', '1001', '-1', '1.5', '1e3', '0x10', 'lots', 'NaN', 'Infinity', '007'];
  it.each(numbers)('integerOr(1, 1000) reads %j as z.coerce.number().int().min(1).max(1000) does', (text) => {
    const zod = z.coerce.number().int().min(1).max(1000).safeParse(text);
    const ours = integerOr(1, 1000, 5)(text);
    expect(ours.ok).toBe(zod.success);
    if (ours.ok && zod.success) expect(ours.value).toBe(zod.data);
  });

  const urls = [
    'https://sqs.eu-west-1.amazonaws.com/123456789012/dlq',
    'http://127.0.0.1:4566/000000000000/dlq',
    'HTTPS://example.com/x',
    'not a url',
    'ftp://example.com/x',
    'https:/example.com',
    'http:example.com',
    'https://',
    'https://exa\tmple.com/q',
  ];
  it.each(urls)('optionalHttpUrl accepts %j when z.url({protocol: /^https?$/}) does', (text) => {
    const zod = z.url({ protocol: /^https?$/ }).safeParse(text);
    const ours = optionalHttpUrl('bad', () => true, 'refused')(text);
    expect(ours.ok).toBe(zod.success);
    if (ours.ok && zod.success) expect(ours.value).toBe(zod.data);
  });
});

describe('env field readers', () => {
  it('apply defaults only when the variable is unset', () => {
    expect(valueOf(textOr('us-east-1')(undefined))).toBe('us-east-1');
    expect(valueOf(textOr('us-east-1')('eu-west-1'))).toBe('eu-west-1');
    expect(valueOf(integerOr(0, 10, 4)(undefined))).toBe(4);
    expect(valueOf(flagOr(false)(undefined))).toBe(false);
    expect(valueOf(choiceOr(['debug', 'info'] as const, 'info')(undefined))).toBe('info');
    expect(valueOf(matchingOr(/^a+$/, 'only a', 'aa')(undefined))).toBe('aa');
  });

  it('name the rule, never the value', () => {
    expect(valueOf(integerOr(1, 100, 10)('secret-ish'))).toBe('error: must be a whole number from 1 to 100');
    expect(valueOf(choiceOr(['debug', 'info'] as const, 'info')('chatty'))).toBe('error: must be one of debug, info');
    expect(valueOf(optionalMatching(/^x$/, 'must be x')('y'))).toBe('error: must be x');
  });

  it('lower-case a choice before comparing', () => {
    expect(valueOf(choiceOr(['debug', 'info'] as const, 'info')('DEBUG'))).toBe('debug');
  });

  it('refuse a URL the caller does not allow, with its own message', () => {
    const reader = optionalHttpUrl('must be a URL', (url) => url.startsWith('https:'), 'https only');
    expect(valueOf(reader('http://example.com'))).toBe('error: https only');
    expect(valueOf(reader('https://example.com'))).toBe('https://example.com');
    expect(valueOf(reader(undefined))).toBeUndefined();
  });

  it('make a variable required', () => {
    expect(valueOf(required(optionalMatching(/^x$/, 'must be x'))(undefined))).toBe('error: required');
  });
});

describe('readEnvFields()', () => {
  const spec = { A: integerOr(0, 9, 1), B: textOr('b'), C: flagOr(false) };

  it('reads every variable of the spec, ignoring the others and inherited names', () => {
    const env = Object.assign(Object.create({ B: 'inherited' }) as Record<string, string>, { A: '7', OTHER: 'x' });
    expect(readEnvFields(env, spec)).toEqual({ ok: true, values: { A: 7, B: 'b', C: false } });
  });

  it('lists one issue per variable at fault, in spec order', () => {
    expect(readEnvFields({ C: 'maybe', A: '10' }, spec)).toEqual({
      ok: false,
      issues: ['A: must be a whole number from 0 to 9', 'C: must be true or false (or 1/0, yes/no, on/off)'],
    });
  });
});
