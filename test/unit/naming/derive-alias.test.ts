import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KeyCreated } from '../../../lib/events/key-created.ts';
import { EVENT_FIELD_NAMES, SAMPLE_KEY_CREATED, toCreatedDate } from '../../../lib/naming/alias-fields.ts';
import { checkAlias } from '../../../lib/naming/alias-rules.ts';
import { type CompiledTemplate, compileAliasTemplate } from '../../../lib/naming/compile-alias-template.ts';
import { type DeriveAliasResult, deriveAlias, explainAlias } from '../../../lib/naming/derive-alias.ts';

const CONSTANTS = { env: 'prod', team: 'sec' };

function compile(source: string, constants: Record<string, string> = CONSTANTS): CompiledTemplate {
  const compiled = compileAliasTemplate(source, constants);
  if (!compiled.ok) throw new Error(compiled.reason);
  return compiled.template;
}

function event(overrides: Partial<Record<keyof KeyCreated, unknown>> = {}): KeyCreated {
  return { ...structuredClone(SAMPLE_KEY_CREATED), ...overrides } as KeyCreated;
}

const EVENT: KeyCreated = event({
  key_id: '4f2b9c1d-7a3e-4c58-9b6d-2e8f0a1c3d5e',
  key_alias: 'Payments DB',
  created_by: { name: 'ops.admin@acme' },
});

describe('deriveAlias()', () => {
  it('fills the example template and explains every part', () => {
    const template = compile('alias/{env}/{key_alias|slug}-{key_spec|lower}');
    const result = deriveAlias(template, EVENT);
    expect(result.ok && explainAlias(template, result.alias, result.parts)).toBe(
      '"alias/prod/payments-db-aes_256" = "alias/" + {env} "prod" (constant) + "/" + {key_alias|slug} "payments-db" (key_alias "Payments DB") + "-" + {key_spec|lower} "aes_256" (key_spec "AES_256")',
    );
    expect(result).toEqual({
      ok: true,
      alias: 'alias/prod/payments-db-aes_256',
      parts: [
        { placeholder: '{env}', source: 'constant', field: 'env', raw: 'prod', value: 'prod', filters: [] },
        {
          placeholder: '{key_alias|slug}',
          source: 'event',
          field: 'key_alias',
          raw: 'Payments DB',
          value: 'payments-db',
          filters: ['slug'],
        },
        {
          placeholder: '{key_spec|lower}',
          source: 'event',
          field: 'key_spec',
          raw: 'AES_256',
          value: 'aes_256',
          filters: ['lower'],
        },
      ],
    });
  });

  it.each([
    ['{key_id}', '4f2b9c1d-7a3e-4c58-9b6d-2e8f0a1c3d5e'],
    ['{key_id|short}', '4f2b9c1d'],
    ['{key_alias|slug}', 'payments-db'],
    ['{key_spec}', 'AES_256'],
    ['{key_usage|lower}', 'encrypt_decrypt'],
    ['{origin|upper}', 'KMS'],
    ['{project_id}', '0f3a8c1e5b7d4e2a9c6b8d0e1f2a3b4c'],
    ['{region}', 'cn-north-4'],
    ['{domain_id|truncate:6}', '3bab8e'],
    ['{enterprise_project_id}', '0'],
    ['{created_by|slug}', 'ops-admin-acme'],
    ['{created_date}', '20261103'],
    ['{team|upper}', 'SEC'],
  ])('fills %s with %j', (placeholder, value) => {
    const result = deriveAlias(compile(`alias/${placeholder}`), EVENT);
    expect(result).toMatchObject({ ok: true, alias: `alias/${value}` });
  });

  it('covers every event field in the table above', () => {
    expect(EVENT_FIELD_NAMES).toHaveLength(11);
  });

  describe('default', () => {
    it('fills a missing field and records source "default"', () => {
      const template = compile('alias/{created_by|slug|default:unknown}/{key_id|short}');
      const result = deriveAlias(template, event({ created_by: undefined }));
      expect(result).toMatchObject({ ok: true, alias: 'alias/unknown/0b1c2d3e' });
      expect(result.parts[0]).toEqual({
        placeholder: '{created_by|slug|default:unknown}',
        source: 'default',
        field: 'created_by',
        raw: '',
        value: 'unknown',
        filters: ['slug', 'default:unknown'],
      });
      expect(result.ok && explainAlias(template, result.alias, result.parts)).toContain(
        '{created_by|slug|default:unknown} "unknown" (default; created_by missing)',
      );
    });

    it('fills a value that a filter emptied', () => {
      const template = compile('alias/{key_alias|slug|default:unnamed}');
      const result = deriveAlias(template, event({ key_alias: '密钥' }));
      expect(result).toMatchObject({ ok: true, alias: 'alias/unnamed', parts: [{ source: 'default', raw: '密钥' }] });
      expect(result.ok && explainAlias(template, result.alias, result.parts)).toContain(
        '(default; key_alias was "密钥")',
      );
    });

    it('leaves a present value alone', () => {
      const result = deriveAlias(compile('alias/{key_alias|slug|default:unnamed}'), EVENT);
      expect(result).toMatchObject({ ok: true, alias: 'alias/payments-db', parts: [{ source: 'event' }] });
    });
  });

  describe('MISSING_FIELD', () => {
    it.each([
      [
        'an absent field',
        { region: undefined },
        'alias/{region}/{key_id}',
        '{region} has no value: the event has no region',
      ],
      [
        'an empty field',
        { key_alias: '' },
        'alias/{key_alias|slug}',
        '{key_alias|slug} has no value: the event has no key_alias',
      ],
      [
        'a field emptied by slug',
        { key_alias: '???' },
        'alias/{key_alias|slug}',
        '{key_alias|slug} is empty after slug (key_alias was "???")',
      ],
      [
        'a creator without a name',
        { created_by: { id: 'u1' } },
        'alias/{created_by|slug}',
        'the event has no created_by',
      ],
      [
        'an unparseable created_at',
        { created_at: 'yesterday' },
        'alias/{created_date}',
        'the event has no created_date',
      ],
      ['a non-string field', { key_spec: 42 }, 'alias/{key_spec}', 'the event has no key_spec'],
    ])('reports %s', (_name, overrides, source, reason) => {
      const result = deriveAlias(compile(source), event(overrides));
      expect(result).toMatchObject({ ok: false, code: 'MISSING_FIELD' });
      expect(!result.ok && result.reason).toContain(reason);
    });

    it('names every missing field and still returns the parts', () => {
      const result = deriveAlias(
        compile('alias/{env}/{region}/{key_alias|slug}'),
        event({ region: undefined, key_alias: undefined }),
      );
      expect(result).toMatchObject({
        ok: false,
        code: 'MISSING_FIELD',
        reason:
          '{region} has no value: the event has no region; {key_alias|slug} has no value: the event has no key_alias',
      });
      expect(result.parts.map((p) => [p.field, p.value])).toEqual([
        ['env', 'prod'],
        ['region', ''],
        ['key_alias', ''],
      ]);
    });
  });

  describe('INVALID_ALIAS (one row per rule)', () => {
    it.each([
      [
        'charset, from an unfiltered creator name',
        'alias/{created_by}',
        {},
        'contains characters outside [a-zA-Z0-9:/_-]: ".", "@"',
      ],
      [
        'charset, blaming the placeholder',
        'alias/{created_by}',
        {},
        '{created_by} = "ops.admin@acme" has ".", "@" (add |slug?)',
      ],
      ['charset, from a control character', 'alias/{key_spec}', { key_spec: 'AES\u0000256' }, 'U+0000'],
      ['length', 'alias/{key_alias}', { key_alias: 'k'.repeat(250) }, 'is 256 characters long; at most 255'],
      ['empty segment', 'alias/{key_alias}', { key_alias: 'a//b' }, 'empty path segment'],
      ['trailing slash', 'alias/{key_alias}', { key_alias: 'a/' }, 'must not end with "/"'],
      ['/default ending', 'alias/{key_alias}', { key_alias: 'obs/default' }, 'must not end with "/default"'],
      [
        '/default ending, from a bare "default"',
        'alias/{key_alias}',
        { key_alias: 'default' },
        'must not end with "/default"',
      ],
      ['path traversal text', 'alias/{key_alias}', { key_alias: '../x' }, '"."'],
    ])('refuses %s', (_name, source, overrides, reason) => {
      const result = deriveAlias(compile(source), event({ ...overrides, created_by: { name: 'ops.admin@acme' } }));
      expect(result).toMatchObject({ ok: false, code: 'INVALID_ALIAS' });
      expect(!result.ok && result.reason).toContain(reason);
    });

    it('clips hostile values in the reason', () => {
      const result = deriveAlias(compile('alias/{key_alias}'), event({ key_alias: `${'x'.repeat(10_000)} ?` }));
      expect(!result.ok && result.reason.length).toBeLessThan(600);
    });
  });

  it('is deterministic and does not mutate its inputs', () => {
    const template = compile('alias/{env}/{created_date}/{key_alias|slug|truncate:20}-{key_id|short}');
    const input = event({ key_alias: 'Orders API' });
    const snapshot = structuredClone(input);
    const first = deriveAlias(template, input);
    const second = deriveAlias(template, input);
    expect(second).toEqual(first);
    expect(input).toEqual(snapshot);
    // Parts are fresh objects: mutating one result cannot leak into the next.
    first.parts[0]?.filters.push('mutated');
    expect(deriveAlias(template, input)).toEqual(second);
  });

  it('derives created_date in UTC', () => {
    expect(toCreatedDate('2026-11-03T23:30:00-05:00')).toBe('20261104');
    expect(toCreatedDate('2026-11-03T08:15:30.000Z')).toBe('20261103');
    expect(toCreatedDate('1793693730000')).toBeUndefined();
    expect(toCreatedDate(undefined)).toBeUndefined();
  });

  describe('hostile field values', () => {
    const hostile = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.constantFrom(
        '',
        '../',
        '..',
        '?',
        '#',
        ' ',
        '/',
        '//',
        'default',
        '/default',
        '\u0000',
        '\u202e',
        'x'.repeat(10_240),
        'é',
      ),
      fc.string({ unit: fc.constantFrom('a', '/', '-', ':', '_', 'D', '.', ' '), maxLength: 40 }),
    );
    const templates = [
      'alias/{key_alias}',
      'alias/{key_alias|slug}',
      'alias/{env}/{created_by}/{key_alias|truncate:30}',
      'alias/{created_by|slug|default:someone}/{key_alias|slug|truncate:40}-{key_spec|lower}',
      'alias/{region}/{key_usage|upper}:{origin}{key_id|short}',
      'alias/{domain_id}/{project_id|short}/{enterprise_project_id|slug|default:0}',
    ].map((source) => compile(source));

    it('never yields an alias outside the rules: either ok and checkAlias-clean, or an explained failure', () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...templates),
          fc.record({
            key_id: hostile,
            key_alias: hostile,
            key_spec: hostile,
            key_usage: hostile,
            origin: hostile,
            project_id: hostile,
            region: hostile,
            domain_id: hostile,
            enterprise_project_id: hostile,
            created_by: hostile,
            created_at: hostile,
          }),
          (template, fields) => {
            const result = deriveAlias(template, event({ ...fields, created_by: { name: fields.created_by } }));
            assertExplained(template, result);
          },
        ),
        { numRuns: 500 },
      );
    });

    it('always gives an ok alias for slug-only templates when the fields slug to something', () => {
      const template = compile('alias/{key_alias|slug|default:unnamed}/{created_by|slug|default:someone}');
      fc.assert(
        fc.property(hostile, hostile, (alias, creator) => {
          const result = deriveAlias(template, event({ key_alias: alias, created_by: { name: creator } }));
          // Slugged values are always legal characters; only the length rule and a creator
          // literally named "default" (→ reserved "/default" ending) can still fail.
          if (!result.ok) expect(result.reason).toMatch(/characters long|must not end with "\/default"/);
          assertExplained(template, result);
        }),
        { numRuns: 300 },
      );
    });
  });
});

function assertExplained(template: CompiledTemplate, result: DeriveAliasResult): void {
  if (result.ok) {
    expect(checkAlias(result.alias)).toEqual([]);
    expect(explainAlias(template, result.alias, result.parts).length).toBeGreaterThan(0);
  } else {
    expect(['MISSING_FIELD', 'INVALID_ALIAS']).toContain(result.code);
    expect(result.reason.length).toBeGreaterThan(0);
  }
}

describe('deriveAlias() on visibly equal Unicode names', () => {
  // The same visible creator name, as NFC, as NFD, and with invisible characters inside.
  const NFC = 'Zoë Café';
  const NFD = NFC.normalize('NFD');
  const INVISIBLE = 'Zo\u200bë\u200f Ca\u00adfé\ufeff';

  it.each([
    'alias/{created_by|slug}',
    'alias/{created_by|truncate:4|slug}',
    'alias/{created_by|slug|truncate:6}',
    'alias/{created_by|lower|slug}',
  ])('%s gives one alias for the NFC, NFD and zero-width spellings', (source) => {
    const template = compile(source);
    const derive = (name: string) => deriveAlias(template, event({ created_by: { name } }));
    const nfc = derive(NFC);
    expect(nfc.ok).toBe(true);
    expect(derive(NFD)).toMatchObject({ ok: true, alias: nfc.ok ? nfc.alias : '' });
    expect(derive(INVISIBLE)).toMatchObject({ ok: true, alias: nfc.ok ? nfc.alias : '' });
  });

  it('keeps the NFC result it gave before (no alias of an existing key changes)', () => {
    const result = deriveAlias(compile('alias/{created_by|slug}'), event({ created_by: { name: NFC } }));
    expect(result).toMatchObject({ ok: true, alias: 'alias/zo-caf' });
  });
});
