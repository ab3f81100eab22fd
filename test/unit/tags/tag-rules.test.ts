import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  adviseTagKey,
  checkTag,
  checkTagKey,
  checkTagKeySet,
  checkTagValue,
  countCharacters,
  describeTagViolations,
  isForbiddenTagCharCode,
  MAX_TAGS_PER_KEY,
  TAG_KEY_MAX_LENGTH,
  TAG_VALUE_MAX_LENGTH,
} from '../../../lib/tags/tag-rules.ts';

describe('countCharacters()', () => {
  it.each([
    ['', 0],
    ['owner', 5],
    ['café', 4],
    ['密钥', 2],
    ['key🔑', 4], // one astral code point, two UTF-16 units
    ['\ud83d', 1], // a lone surrogate still counts once
  ])('counts %j as %i characters', (text, expected) => {
    expect(countCharacters(text)).toBe(expected);
  });

  it('equals the code point count for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (text) => {
        expect(countCharacters(text)).toBe([...text].length);
      }),
    );
  });
});

describe('checkTagKey()', () => {
  it.each(['owner', 'created_by', 'cost-center', 'a', 'k'.repeat(TAG_KEY_MAX_LENGTH), '密钥归属', 'team.name', 'a b'])(
    'accepts %j',
    (key) => {
      expect(checkTagKey(key)).toEqual([]);
    },
  );

  it.each([
    { key: '', rule: 'KEY_EMPTY', text: 'must not be empty' },
    {
      key: 'k'.repeat(TAG_KEY_MAX_LENGTH + 1),
      rule: 'KEY_TOO_LONG',
      text: 'is 37 characters; Huawei allows at most 36',
    },
    { key: `${'🔑'.repeat(TAG_KEY_MAX_LENGTH)}x`, rule: 'KEY_TOO_LONG', text: 'is 37 characters' },
    { key: 'a=b', rule: 'FORBIDDEN_CHARACTER', text: '"="' },
    { key: 'a*b', rule: 'FORBIDDEN_CHARACTER', text: '"*"' },
    { key: '<b>', rule: 'FORBIDDEN_CHARACTER', text: '"<", ">"' },
    { key: 'a\\b', rule: 'FORBIDDEN_CHARACTER', text: '"\\\\"' },
    { key: 'a\tb', rule: 'FORBIDDEN_CHARACTER', text: 'U+0009' },
    { key: '_sys_owner', rule: 'RESERVED_PREFIX', text: 'reserves for system tags' },
    { key: '_SYS_owner', rule: 'RESERVED_PREFIX', text: '"_sys_"' },
  ])('reports $rule for $key', ({ key, rule, text }) => {
    const violations = checkTagKey(key);
    expect(violations).toHaveLength(1);
    expect(violations[0]?.rule).toBe(rule);
    expect(violations[0]?.tag).toBe(key);
    expect(violations[0]?.reason).toContain(text);
  });

  it('names the tag in every reason', () => {
    const [violation] = checkTagKey('_sys_x=y');
    expect(violation?.reason).toContain('tag key "_sys_x=y"');
  });
});

describe('checkTagValue()', () => {
  it.each(['', 'ops-admin', 'alias/prod/payments-db', 'ops.bot@acme', 'a b, c', 'v'.repeat(TAG_VALUE_MAX_LENGTH)])(
    'accepts %j',
    (value) => {
      expect(checkTagValue('owner', value)).toEqual([]);
    },
  );

  it('reports a value over 43 characters, naming the tag and suggesting truncate', () => {
    const [violation] = checkTagValue('alias', 'v'.repeat(44));
    expect(violation?.rule).toBe('VALUE_TOO_LONG');
    expect(violation?.tag).toBe('alias');
    expect(violation?.reason).toMatch(/the value of tag "alias" .* is 44 characters; Huawei allows at most 43/);
    expect(violation?.reason).toContain('|truncate:43');
  });

  it('reports forbidden characters without echoing control characters', () => {
    const [violation] = checkTagValue('owner', 'a\u0000b=c');
    expect(violation?.rule).toBe('FORBIDDEN_CHARACTER');
    expect(violation?.reason).toContain('U+0000');
    expect(violation?.reason).toContain('"="');
    expect(violation?.reason).not.toContain('\u0000');
  });

  it('never accepts a value holding a forbidden character, and always accepts a short clean one', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 43 }), (value) => {
        const hasForbidden = [...value].some((c) => isForbiddenTagCharCode(c.charCodeAt(0)));
        expect(checkTagValue('k', value).length === 0).toBe(!hasForbidden);
      }),
    );
  });
});

describe('checkTagKeySet()', () => {
  it('accepts unique keys up to the limit', () => {
    const keys = Array.from({ length: MAX_TAGS_PER_KEY }, (_, i) => `k${i}`);
    expect(checkTagKeySet(keys)).toEqual([]);
  });

  it('reports a key given twice', () => {
    const violations = checkTagKeySet(['owner', 'team', 'owner']);
    expect(violations).toEqual([
      { tag: 'owner', rule: 'DUPLICATE_KEY', reason: 'tag key "owner" appears more than once' },
    ]);
  });

  it('reports keys that differ only in case', () => {
    const [violation] = checkTagKeySet(['Owner', 'owner']);
    expect(violation?.rule).toBe('DUPLICATE_KEY');
    expect(violation?.reason).toContain('"Owner" and "owner" differ only in case');
  });

  it('reports more tags than a key may carry', () => {
    const keys = Array.from({ length: MAX_TAGS_PER_KEY + 1 }, (_, i) => `k${i}`);
    const [violation] = checkTagKeySet(keys);
    expect(violation?.rule).toBe('TOO_MANY_TAGS');
    expect(violation?.reason).toBe('11 tags are configured; a KMS key may carry at most 10');
  });

  it('honours a custom limit', () => {
    expect(checkTagKeySet(['a', 'b', 'c'], 2)[0]?.rule).toBe('TOO_MANY_TAGS');
  });
});

describe('adviseTagKey(), checkTag() and describeTagViolations()', () => {
  it('advises on keys the TMS console does not document, and stays quiet otherwise', () => {
    expect(adviseTagKey('cost-center_2')).toBeUndefined();
    expect(adviseTagKey('密钥')).toBeUndefined();
    expect(adviseTagKey('team.name')).toContain('"team.name"');
  });

  it('checks key and value together and joins reasons with the rule names', () => {
    const violations = checkTag({ key: '_sys_x', value: 'v'.repeat(50) });
    expect(violations.map((v) => v.rule)).toEqual(['RESERVED_PREFIX', 'VALUE_TOO_LONG']);
    const reason = describeTagViolations(violations);
    expect(reason).toMatch(/^RESERVED_PREFIX: .*; VALUE_TOO_LONG: /);
  });

  it('lists at most five violations', () => {
    const many = Array.from({ length: 8 }, (_, i) => ({ tag: `k${i}`, rule: 'KEY_EMPTY' as const, reason: 'x' }));
    expect(describeTagViolations(many)).toMatch(/; and 3 more$/);
  });
});
