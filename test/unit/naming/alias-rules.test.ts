import { describe, expect, it } from 'vitest';
import { checkAlias, describeChar, describeIllegalChars } from '../../../lib/naming/alias-rules.ts';

describe('checkAlias()', () => {
  it.each([
    'alias/payments-db',
    'alias/prod/payments-db-aes_256',
    'alias/a:b/C_D-9',
    'alias/x',
    `alias/${'a'.repeat(249)}`, // exactly 255
    'alias/x-default', // only a "/default" ending is reserved
    'alias/x/defaults',
  ])('accepts %j', (alias) => {
    expect(checkAlias(alias)).toEqual([]);
  });

  it.each([
    { rule: 'alias/ prefix', alias: 'payments-db', violation: 'must start with "alias/"' },
    { rule: 'alias/ prefix is case-sensitive', alias: 'Alias/payments-db', violation: 'must start with "alias/"' },
    { rule: 'charset: space', alias: 'alias/payments db', violation: 'outside [a-zA-Z0-9:/_-]: " " (space)' },
    { rule: 'charset: dot and @', alias: 'alias/ops.bot@acme', violation: '".", "@"' },
    { rule: 'charset: ?, #', alias: 'alias/a?b#c', violation: '"?", "#"' },
    { rule: 'charset: control character', alias: 'alias/a\u0000b', violation: 'U+0000' },
    { rule: 'charset: non-ASCII', alias: 'alias/café', violation: 'U+00E9' },
    { rule: 'charset: astral character', alias: 'alias/key🔑', violation: 'U+1F511' },
    { rule: 'length', alias: `alias/${'a'.repeat(250)}`, violation: 'is 256 characters long; at most 255' },
    { rule: 'empty segment', alias: 'alias//x', violation: 'empty path segment' },
    { rule: 'trailing slash', alias: 'alias/x/', violation: 'must not end with "/"' },
    { rule: 'prefix alone', alias: 'alias/', violation: 'must not end with "/"' },
    { rule: '/default ending', alias: 'alias/obs/default', violation: 'must not end with "/default"' },
    { rule: '/default ending, any case', alias: 'alias/obs/DEFAULT', violation: 'must not end with "/default"' },
    {
      rule: '/default ending right after the prefix',
      alias: 'alias/default',
      violation: 'must not end with "/default"',
    },
  ])('reports the $rule rule', ({ alias, violation }) => {
    const violations = checkAlias(alias);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toContain(violation);
  });

  it('reports every broken rule at once', () => {
    expect(checkAlias('x y//default')).toHaveLength(4);
  });

  it('stays linear and bounded on a 10 KB hostile string', () => {
    const hostile = `alias/${'../?#\u0000é '.repeat(1500)}`;
    const violations = checkAlias(hostile);
    expect(violations.join('; ').length).toBeLessThan(300);
    expect(violations[0]).toContain('"."');
  });
});

describe('describeChar() and describeIllegalChars()', () => {
  it.each([
    ['.', '"."'],
    [' ', '" " (space)'],
    ['\t', 'U+0009'],
    ['\u202e', 'U+202E'],
    ['"', '"\\""'],
  ])('describes %j as %s', (char, described) => {
    expect(describeChar(char)).toBe(described);
  });

  it('lists at most five distinct characters, in order of appearance', () => {
    expect(describeIllegalChars('a.b.c d?e#f!g%')).toEqual(['"."', '" " (space)', '"?"', '"#"', '"!"']);
    expect(describeIllegalChars('alias/ok')).toEqual([]);
  });
});
