import { describe, expect, it } from 'vitest';
import { createFilter, slugify } from '../../../lib/naming/alias-filters.ts';

function apply(name: string, arg: string | undefined, value: string): string {
  const created = createFilter(name, arg);
  if (!created.ok) throw new Error(created.reason);
  return created.filter.apply(value);
}

describe('slugify()', () => {
  it.each([
    ['payments-db', 'payments-db'],
    ['Payments DB (prod)', 'payments-db-prod'],
    ['ops.bot@acme', 'ops-bot-acme'],
    ['AES_256', 'aes_256'],
    ['--a--b--', 'a--b'],
    ['a / b', 'a-b'],
    ['../../etc/passwd', 'etc-passwd'],
    ['what? #1', 'what-1'],
    ['café crème', 'caf-cr-me'],
    ['键别名', ''],
    ['???', ''],
    ['', ''],
    ['\u0000\u001b[31mred', '31mred'],
  ])('slugify(%j) is %j', (input, output) => {
    expect(slugify(input)).toBe(output);
  });

  it('only ever produces [a-z0-9_-], never starting or ending with -', () => {
    for (const input of ['A b', 'İstanbul', 'ß', 'x'.repeat(10_000) + '!', `${'-'.repeat(50_000)}x`]) {
      expect(slugify(input)).toMatch(/^(?:[a-z0-9_]|[a-z0-9_][a-z0-9_-]*[a-z0-9_])?$/);
    }
  });

  it('trims a 100k-character run of "-" quickly (no regex backtracking)', () => {
    const start = performance.now();
    expect(slugify(`${'-'.repeat(100_000)}x${'-'.repeat(100_000)}`)).toBe('x');
    expect(performance.now() - start).toBeLessThan(100);
  });
});

describe('createFilter()', () => {
  it.each([
    ['lower', undefined, 'AES_256', 'aes_256'],
    ['upper', undefined, 'sec', 'SEC'],
    ['slug', undefined, 'Payments DB', 'payments-db'],
    ['truncate', '5', 'payments-db', 'payme'],
    ['truncate', '255', 'short', 'short'],
    ['short', undefined, '4f2b9c1d-7a3e-4c58-9b6d-2e8f0a1c3d5e', '4f2b9c1d'],
    ['default', 'none', '', 'none'],
    ['default', 'none', 'set', 'set'],
    ['default', 'a:b/c', '', 'a:b/c'],
  ])('%s:%s turns %j into %j', (name, arg, input, output) => {
    expect(apply(name, arg, input)).toBe(output);
  });

  it('keeps the filter as written in source', () => {
    const created = createFilter('truncate', '20');
    expect(created.ok && created.filter.source).toBe('truncate:20');
  });

  it.each([
    ['unknown', undefined, 'unknown filter "unknown"; filters are lower, upper, slug, truncate, short, default'],
    ['lower', 'x', 'filter "lower" takes no argument, got "lower:x"'],
    ['slug', '', 'filter "slug" takes no argument'],
    ['short', '4', 'filter "short" takes no argument'],
    ['truncate', undefined, 'filter "truncate" needs a length from 1 to 255'],
    ['truncate', '0', 'needs a length from 1 to 255 ("truncate:20"), got "truncate:0"'],
    ['truncate', '256', 'got "truncate:256"'],
    ['truncate', '-1', 'got "truncate:-1"'],
    ['truncate', '1e2', 'got "truncate:1e2"'],
    ['truncate', '007', 'got "truncate:007"'],
    ['default', undefined, 'filter "default" needs a value'],
    ['default', '', 'filter "default" needs a value'],
    ['default', 'no way', 'filter "default:no way" has characters outside [a-zA-Z0-9:/_-]: " " (space)'],
    ['default', 'x.y', '"."'],
  ])('refuses %s:%s', (name, arg, reason) => {
    const created = createFilter(name, arg);
    expect(created.ok).toBe(false);
    expect(!created.ok && created.reason).toContain(reason);
  });
});
