import { describe, expect, it } from 'vitest';
import { SAMPLE_KEY_CREATED } from '../../../lib/naming/alias-fields.ts';
import { checkAlias } from '../../../lib/naming/alias-rules.ts';
import { compileAliasTemplate } from '../../../lib/naming/compile-alias-template.ts';
import { deriveAlias } from '../../../lib/naming/derive-alias.ts';

const CONSTANTS = { env: 'prod', team: 'sec' };

function reasonOf(source: string, constants: Record<string, string> = CONSTANTS): string {
  const compiled = compileAliasTemplate(source, constants);
  if (compiled.ok) throw new Error(`expected ${source} to fail`);
  return compiled.reason;
}

describe('compileAliasTemplate()', () => {
  it.each([
    ['alias/{env}/{key_alias|slug}-{key_spec|lower}', 'alias/prod/payments-db-aes_256'],
    ['alias/{team|upper}/{key_id|short}', 'alias/SEC/0b1c2d3e'],
    ['alias/{key_id}', 'alias/0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e'],
    ['alias/{region}/{project_id|truncate:8}/{domain_id|short}', 'alias/cn-north-4/0f3a8c1e/3bab8e24'],
    [
      'alias/{created_by|slug|default:unknown}/{created_date}-{key_alias|slug|truncate:40}',
      'alias/ops-admin/20261103-payments-db',
    ],
    ['alias/{key_usage|lower}:{origin}:{enterprise_project_id}', 'alias/encrypt_decrypt:kms:0'],
    ['{env}/{key_id|short}', undefined], // prefix from a constant: see below
  ])('compiles %j (trial: %j)', (source, expected) => {
    const compiled = compileAliasTemplate(source, source.startsWith('{env}') ? { env: 'alias' } : CONSTANTS);
    expect(compiled.ok).toBe(true);
    if (!compiled.ok || expected === undefined) return;
    const derived = deriveAlias(compiled.template, SAMPLE_KEY_CREATED);
    expect(derived.ok && derived.alias).toBe(expected);
  });

  it('accepts a prefix made of a constant', () => {
    const compiled = compileAliasTemplate('{ns}/{key_id|short}', { ns: 'alias' });
    expect(compiled.ok && deriveAlias(compiled.template, SAMPLE_KEY_CREATED)).toMatchObject({
      alias: 'alias/0b1c2d3e',
    });
  });

  it('lists the event fields it reads, once each, in order', () => {
    const compiled = compileAliasTemplate('alias/{key_spec|lower}/{env}/{key_id|short}-{key_spec}', CONSTANTS);
    expect(compiled.ok && compiled.template.fields).toEqual(['key_spec', 'key_id']);
  });

  it('returns a frozen template', () => {
    const compiled = compileAliasTemplate('alias/{env}/{key_id}', CONSTANTS);
    expect(compiled.ok && Object.isFrozen(compiled.template)).toBe(true);
    expect(compiled.ok && Object.isFrozen(compiled.template.segments)).toBe(true);
  });

  describe('warnings', () => {
    it.each(['alias/{created_by}', 'alias/{key_alias}', 'alias/{key_alias|lower|truncate:20}'])(
      'warns that %j uses a free-text field without |slug',
      (source) => {
        const compiled = compileAliasTemplate(source, {});
        expect(compiled.ok && compiled.template.warnings).toEqual(
          expect.arrayContaining([expect.stringContaining('has no |slug')]),
        );
      },
    );

    it('does not warn for slugged free text or for ids', () => {
      const compiled = compileAliasTemplate('alias/{created_by|slug}/{key_alias|slug}-{key_id|short}', {});
      expect(compiled.ok && compiled.template.warnings).toEqual([]);
    });

    it.each([
      ['alias/{key_alias|slug}', {}],
      ['alias/{env}/{created_by|slug}', { env: 'prod' }],
      ['alias/x{env}{key_alias|slug}', { env: 'prod/' }],
    ])('warns that %j can end in a reserved "/default"', (source, constants) => {
      const compiled = compileAliasTemplate(source, constants);
      expect(compiled.ok && compiled.template.warnings).toContainEqual(
        expect.stringContaining('a reserved "/default" alias'),
      );
    });

    it.each(['alias/{env}/{key_id}', 'alias/{env}/{key_spec|lower}', 'alias/{key_alias|slug}-{key_id|short}'])(
      'does not warn about "/default" for %j',
      (source) => {
        const compiled = compileAliasTemplate(source, CONSTANTS);
        expect(compiled.ok && compiled.template.warnings).not.toContainEqual(expect.stringContaining('/default'));
      },
    );

    it.each([
      ['alias/{env}/{key_spec|lower}', 'nothing in it tells two keys apart'],
      ['alias/{env}/{created_by|slug}-{created_date}', 'nothing in it tells two keys apart'],
      ['alias/{env}/{key_alias|slug}-x', '{key_alias|slug} folds case and punctuation'],
      ['alias/{env}/{key_alias|truncate:20}', '{key_alias|truncate:20} keeps 20 characters'],
      ['alias/{env}/{key_alias|lower}-x', '{key_alias|lower} folds case'],
      ['alias/{env}/{key_id|truncate:4}', '{key_id|truncate:4} keeps 4 characters'],
    ])('warns that %j can give two keys one alias', (source, why) => {
      const compiled = compileAliasTemplate(source, CONSTANTS);
      expect(compiled.ok && compiled.template.warnings).toContainEqual(
        expect.stringMatching(new RegExp(`two keys can get the same alias.*${escape(why)}.*conflict`)),
      );
    });

    it.each([
      'alias/{env}/{key_id}',
      'alias/{env}/{key_id|upper}',
      'alias/{key_alias|slug}-{key_id|short}',
      'alias/{env}/{key_alias|default:x}-k',
    ])('does not warn about collisions for %j (whole key id, short id, or exact key name)', (source) => {
      const compiled = compileAliasTemplate(source, CONSTANTS);
      expect(compiled.ok && compiled.template.warnings).not.toContainEqual(
        expect.stringContaining('two keys can get the same alias'),
      );
    });
  });

  describe('failures', () => {
    it.each([
      // syntax
      ['an empty template', '', 'the template is empty'],
      ['an unclosed placeholder', 'alias/{env', 'the placeholder opened at position 7 is not closed'],
      ['a stray }', 'alias/{env}}', 'unexpected "}" at position 12'],
      ['a nested {', 'alias/{env{x}}', 'unexpected "{" at position 11 inside the placeholder opened at position 7'],
      ['an empty placeholder', 'alias/{}', 'the placeholder at position 7 has no name'],
      ['a bad placeholder name', 'alias/{key id}', 'placeholder name "key id" at position 8'],
      ['a name starting with a digit', 'alias/{9lives}', 'placeholder name "9lives"'],
      ['an empty filter', 'alias/{key_id||short}', 'empty filter at position 15'],
      ['a bad filter name', 'alias/{key_id|Short}', 'filter name "Short" at position 15'],
      ['a template over 1024 characters', `alias/${'a'.repeat(1020)}`, 'at most 1024'],
      // meaning
      [
        'an unknown placeholder',
        'alias/{colour}',
        'unknown placeholder {colour} at position 7; event fields are key_id, key_alias',
      ],
      ['an unknown filter', 'alias/{key_id|reverse}', '{key_id|reverse} at position 15: unknown filter "reverse"'],
      ['a bad truncate argument', 'alias/{key_id|truncate:x}', 'filter "truncate" needs a length from 1 to 255'],
      ['an argument to lower', 'alias/{key_id|lower:2}', 'filter "lower" takes no argument'],
      [
        'an illegal default value',
        'alias/{key_alias|slug|default:n/a b}',
        'filter "default:n/a b" has characters outside',
      ],
      ['an empty default value', 'alias/{key_alias|default:}', 'filter "default" needs a value'],
      [
        'literal text with a space',
        'alias/my keys/{key_id}',
        'literal text has characters outside [a-zA-Z0-9:/_-]: " " (space) (first at position 9)',
      ],
      ['literal text with a dot', 'alias/{key_id}.key', '"." (first at position 15)'],
      ['literal text with unicode', 'alias/clé/{key_id}', 'U+00E9'],
      // structure
      ['no alias/ prefix', 'keys/{key_id}', 'must start with the fixed text "alias/"'],
      ['a placeholder first', '{key_id}', 'it starts with a placeholder'],
      ['a // in fixed text', 'alias//{key_id}', '"//", an empty path segment'],
      ['a // made by a constant', 'alias/{env}//{key_id}', 'an empty path segment'],
      ['a trailing /', 'alias/{key_id}/', 'ends with "/"'],
      ['a /default ending', 'alias/{key_id}/default', 'ends with "/default"'],
      ['a /Default ending', 'alias/{key_id}/Default', 'ends with "/default"'],
      [
        'a fixed part over 255',
        `alias/${'x'.repeat(249)}{key_id}`,
        'the fixed part is 255 characters, plus at least 1 per event placeholder (1)',
      ],
      // trial derivation
      [
        'a template whose sample alias is too long',
        'alias/{key_id}{key_id}{key_id}{key_id}{key_id}{key_id}{key_id}',
        'a trial derivation with a fully populated sample event fails (INVALID_ALIAS)',
      ],
      ['a trailing / after a constant', 'alias/{key_alias|slug}/{env|truncate:1}/', 'ends with "/"'],
    ])('refuses %s', (_name, source, reason) => {
      expect(reasonOf(source)).toContain(reason);
    });

    it.each([
      [
        'an illegal constant value',
        { env: 'pr od' },
        'alias/{env}/{key_id}',
        'constant "env" has characters outside [a-zA-Z0-9:/_-]: " " (space)',
      ],
      [
        'a constant shadowing an event field',
        { key_id: 'x' },
        'alias/{key_id}',
        'constant "key_id" would shadow the event field',
      ],
      [
        'a bad constant name',
        { 'my-env': 'prod' },
        'alias/{key_id}',
        'constant name "my-env" must be letters, digits and _',
      ],
      ['an over-long constant', { env: 'x'.repeat(256) }, 'alias/{key_id}', 'constant "env" is 256 characters'],
      ['an empty constant', { env: '' }, 'alias/{env}-{key_id}', '{env} at position 7 is empty: constant "env" is ""'],
      ['a constant emptied by a filter', { env: '--' }, 'alias/{env|slug}-{key_id}', 'is empty'],
      ['a constant making /default', { env: 'x/default' }, 'alias/{key_id}/{env}', 'ends with "/default"'],
      ['an upper-cased prefix', { ns: 'alias' }, '{ns|upper}/{key_id}', 'it starts with "ALIAS/'],
    ])('refuses %s', (_name, constants, source, reason) => {
      expect(reasonOf(source, constants)).toContain(reason);
    });

    it('reports a rejected constant once, not also as an unknown placeholder', () => {
      const reason = reasonOf('alias/{env}/{key_id}', { env: 'a b' });
      expect(reason).not.toContain('unknown placeholder');
    });

    it('reports several errors at once, at most five', () => {
      const reason = reasonOf('alias/{a}/{b}/{c}/{d}/{e}/{f}/{g}', {});
      expect(reason.match(/unknown placeholder/g)).toHaveLength(5);
      expect(reason).toMatch(/; and 2 more$/);
    });

    it('ignores inherited constants', () => {
      const constants: Record<string, string> = Object.create({ env: 'prod' }) as Record<string, string>;
      expect(reasonOf('alias/{env}/{key_id}', constants)).toContain('unknown placeholder {env}');
    });
  });

  it('only compiles templates whose trial alias passes checkAlias', () => {
    const compiled = compileAliasTemplate('alias/{env}/{key_alias}', CONSTANTS);
    const derived = compiled.ok ? deriveAlias(compiled.template, SAMPLE_KEY_CREATED) : undefined;
    expect(derived?.ok && checkAlias(derived.alias)).toEqual([]);
  });
});

describe('compileAliasTemplate() with untyped configuration', () => {
  it('refuses a constant that is not a string', () => {
    const constants = { env: 5 } as unknown as Record<string, string>;
    const compiled = compileAliasTemplate('alias/{key_id}', constants);
    expect(!compiled.ok && compiled.reason).toBe('constant "env" must be a string');
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
