import { describe, expect, it } from 'vitest';
import { type CompiledTagTemplate, compileTagTemplate, SAMPLE_ALIAS } from '../../../lib/tags/compile-tag-template.ts';

const CONSTANTS = { env: 'prod', team: 'sec' };

function compile(source: string, constants: Record<string, string> = CONSTANTS): CompiledTagTemplate {
  const compiled = compileTagTemplate(source, constants);
  if (!compiled.ok) throw new Error(compiled.reason);
  return compiled.template;
}

function reason(source: string, constants: Record<string, string> = CONSTANTS): string {
  const compiled = compileTagTemplate(source, constants);
  if (compiled.ok) throw new Error(`expected ${source} to be refused`);
  return compiled.reason;
}

describe('compileTagTemplate()', () => {
  it('compiles the issue example and records keys, fields and the use of {alias}', () => {
    const template = compile('created_by={created_by},owner={enterprise_project_id},alias={alias}');
    expect(template.keys).toEqual(['created_by', 'owner', 'alias']);
    expect(template.fields).toEqual(['created_by', 'enterprise_project_id']);
    expect(template.usesAlias).toBe(true);
    expect(template.tags.map((t) => t.segments.map((s) => s.kind))).toEqual([['field'], ['field'], ['alias']]);
    expect(Object.isFrozen(template)).toBe(true);
    expect(Object.isFrozen(template.tags[0])).toBe(true);
  });

  it('resolves constants and their filters at compile time', () => {
    const template = compile('env={env|upper}-{region},team={team}');
    expect(template.usesAlias).toBe(false);
    const [env] = template.tags;
    expect(env?.segments[0]).toEqual({
      kind: 'constant',
      part: {
        placeholder: '{env|upper}',
        source: 'constant',
        field: 'env',
        raw: 'prod',
        value: 'PROD',
        filters: ['upper'],
      },
    });
  });

  it('accepts an empty value and a template without placeholders', () => {
    const template = compile('managed=,team=platform');
    expect(template.tags.map((t) => t.segments)).toEqual([[], [{ kind: 'literal', text: 'platform' }]]);
  });

  it('warns, without failing, about unbounded values and console-unfriendly keys', () => {
    const template = compile('alias={alias},creator={created_by|slug},team.name={team}');
    expect(template.warnings).toHaveLength(3);
    expect(template.warnings[0]).toContain('{alias} without |truncate');
    expect(template.warnings[1]).toContain('{created_by|slug} without |truncate');
    expect(template.warnings[2]).toContain('tag key "team.name"');
    expect(compile('alias={alias|truncate:43},id={key_id|short}').warnings).toEqual([]);
  });

  it.each([
    { rule: 'reserved prefix', source: '_sys_owner=x', text: 'reserves for system tags' },
    { rule: 'key length', source: `${'k'.repeat(37)}=x`, text: 'is 37 characters; Huawei allows at most 36' },
    { rule: 'key characters', source: 'a*b=x', text: 'tag key "a*b" contains "*"' },
    { rule: 'duplicate key', source: 'owner=a,owner=b', text: 'appears more than once' },
    { rule: 'keys differing in case', source: 'owner=a,Owner=b', text: 'differ only in case' },
    {
      rule: 'too many tags',
      source: Array.from({ length: 11 }, (_, i) => `k${i}=v`).join(','),
      text: '11 tags are configured; a KMS key may carry at most 10',
    },
    { rule: 'value literal characters', source: 'a=x<y', text: 'the fixed text of the value of tag "a" contains "<"' },
    {
      rule: 'value fixed length',
      source: `a=${'v'.repeat(40)}-{region}-{key_id}`,
      text: 'has 42 fixed characters plus at least 1 per placeholder (2)',
    },
    { rule: 'unknown placeholder', source: 'a={colour}', text: 'unknown placeholder {colour} in the value of tag "a"' },
    { rule: 'unknown filter', source: 'a={region|reverse}', text: 'unknown filter "reverse"' },
    { rule: 'bad filter argument', source: 'a={region|truncate:0}', text: 'filter "truncate" needs a length' },
    {
      rule: 'placeholder syntax',
      source: 'a={region',
      text: 'the value of tag "a": the placeholder opened at position 1 is not closed',
    },
    { rule: 'parse error', source: 'owner', text: 'has no "="' },
    { rule: 'empty constant', source: 'a={blank}', text: 'constant "blank" is ""', constants: { blank: '' } },
    { rule: 'constant with forbidden characters', source: 'a={odd}', text: 'contains "="', constants: { odd: 'x=y' } },
  ])('refuses $rule', ({ source, text, constants }) => {
    expect(reason(source, constants ?? CONSTANTS)).toContain(text);
  });

  it('refuses constants that shadow an event field or {alias}', () => {
    expect(reason('a=1', { region: 'x' })).toContain('would shadow the event field');
    expect(reason('a=1', { alias: 'x' })).toContain('would shadow {alias}');
    expect(reason('a=1', { 'bad-name': 'x' })).toContain('must be letters, digits and _');
  });

  it('refuses a template that fails on the fully populated sample event', () => {
    // created_by of the sample event is "ops-admin": 9 characters + 40 literal > 43.
    const text = reason(`a=${'v'.repeat(36)}{created_by}`);
    expect(text).toContain('a trial render with a fully populated sample event fails');
    expect(text).toContain('VALUE_TOO_LONG');
  });

  it('refuses a template whose {alias} is too long for the sample alias', () => {
    const padded = `a=${'x'.repeat(43 - SAMPLE_ALIAS.length + 1)}{alias}`;
    expect(reason(padded)).toContain('trial render');
  });

  it('reports up to five problems at once', () => {
    const text = reason('_sys_a=1,b*=2,c={colour},d={region|nope},e=<,f=>');
    expect(text).toMatch(/; and \d+ more$/);
  });
});
