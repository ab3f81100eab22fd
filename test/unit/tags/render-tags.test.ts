import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KeyCreated } from '../../../lib/events/key-created.ts';
import { SAMPLE_KEY_CREATED } from '../../../lib/naming/alias-fields.ts';
import { type CompiledTagTemplate, compileTagTemplate } from '../../../lib/tags/compile-tag-template.ts';
import { formatTags, renderTags } from '../../../lib/tags/render-tags.ts';
import { checkTag } from '../../../lib/tags/tag-rules.ts';

function compile(source: string, constants: Record<string, string> = { env: 'prod' }): CompiledTagTemplate {
  const compiled = compileTagTemplate(source, constants);
  if (!compiled.ok) throw new Error(compiled.reason);
  return compiled.template;
}

function event(overrides: Partial<Record<keyof KeyCreated, unknown>> = {}): KeyCreated {
  return { ...structuredClone(SAMPLE_KEY_CREATED), ...overrides } as KeyCreated;
}

const ISSUE_TEMPLATE = compile('created_by={created_by},owner={enterprise_project_id},alias={alias}');
const ALIAS = 'alias/prod/payments-db-4f2b9c1d';

describe('renderTags()', () => {
  it('renders the issue example from the event and the chosen alias', () => {
    const result = renderTags(
      ISSUE_TEMPLATE,
      event({ created_by: { name: 'ops.admin@acme' }, enterprise_project_id: '0' }),
      ALIAS,
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.tags).toEqual([
      { key: 'created_by', value: 'ops.admin@acme' },
      { key: 'owner', value: '0' },
      { key: 'alias', value: ALIAS },
    ]);
    expect(formatTags(result.tags)).toBe(`created_by=ops.admin@acme, owner=0, alias=${ALIAS}`);
    expect(result.rendered[2]?.parts).toEqual([
      { placeholder: '{alias}', source: 'alias', field: 'alias', raw: ALIAS, value: ALIAS, filters: [] },
    ]);
  });

  it('applies filters, literals, constants and defaults, and records where each part came from', () => {
    const template = compile('env={env|upper}-{region},who={created_by|default:unknown},short={alias|truncate:10}');
    const result = renderTags(template, event({ created_by: undefined }), ALIAS);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.tags).toEqual([
      { key: 'env', value: 'PROD-cn-north-4' },
      { key: 'who', value: 'unknown' },
      { key: 'short', value: 'alias/prod' },
    ]);
    expect(result.rendered[1]?.parts[0]?.source).toBe('default');
    expect(result.rendered[0]?.parts.map((p) => p.source)).toEqual(['constant', 'event']);
  });

  it('keeps a value written empty', () => {
    const result = renderTags(compile('managed='), event(), ALIAS);
    expect(result).toMatchObject({ ok: true, tags: [{ key: 'managed', value: '' }] });
  });

  it('reports MISSING_FIELD, naming the tag and the field, when a placeholder is empty', () => {
    const result = renderTags(ISSUE_TEMPLATE, event({ enterprise_project_id: undefined }), ALIAS);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.code).toBe('INVALID_TAGS');
    expect(result.violations).toEqual([
      {
        tag: 'owner',
        rule: 'MISSING_FIELD',
        reason:
          'tag "owner": {enterprise_project_id} has no value (the event has no enterprise_project_id); add |default:VALUE?',
      },
    ]);
    expect(result.rendered).toHaveLength(3);
  });

  it('reports MISSING_FIELD for {alias} when no alias was chosen', () => {
    const result = renderTags(ISSUE_TEMPLATE, event(), '');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain('no alias was chosen for this key');
  });

  it('reports a value emptied by its filters', () => {
    const result = renderTags(compile('who={created_by|slug}'), event({ created_by: { name: '..' } }), ALIAS);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain('{created_by|slug} is empty after slug (created_by was "..")');
  });

  it('reports values that break Huawei rules, per tag', () => {
    const longAlias = `alias/${'x'.repeat(60)}`;
    const result = renderTags(ISSUE_TEMPLATE, event({ created_by: { name: 'a<b>' } }), longAlias);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.violations.map((v) => [v.tag, v.rule])).toEqual([
      ['created_by', 'FORBIDDEN_CHARACTER'],
      ['alias', 'VALUE_TOO_LONG'],
    ]);
    expect(result.reason).toContain('FORBIDDEN_CHARACTER: the value of tag "created_by" contains "<", ">"');
  });

  it('never throws, and every tag it returns obeys Huawei rules, whatever the event holds', () => {
    const template = compile('who={created_by},name={key_alias|truncate:43},spec={key_spec|lower},alias={alias}');
    const field = fc.option(fc.string({ unit: 'binary', maxLength: 80 }), { nil: undefined });
    fc.assert(
      fc.property(field, field, field, fc.string({ maxLength: 60 }), (name, keyAlias, spec, alias) => {
        const result = renderTags(
          template,
          event({ created_by: { name }, key_alias: keyAlias, key_spec: spec }),
          alias,
        );
        if (result.ok) {
          expect(result.tags.map((t) => t.key)).toEqual(template.keys);
          for (const tag of result.tags) expect(checkTag(tag)).toEqual([]);
        } else {
          expect(result.violations.length).toBeGreaterThan(0);
          for (const v of result.violations) expect(template.keys).toContain(v.tag);
        }
      }),
    );
  });

  it('is deterministic and does not mutate the template or the event', () => {
    const input = event();
    const before = structuredClone(input);
    const first = renderTags(ISSUE_TEMPLATE, input, ALIAS);
    const second = renderTags(ISSUE_TEMPLATE, input, ALIAS);
    expect(second).toEqual(first);
    expect(input).toEqual(before);
  });
});
