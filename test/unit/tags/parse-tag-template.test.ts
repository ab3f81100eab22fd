import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_TAG_TEMPLATE_LENGTH, parseTagTemplate } from '../../../lib/tags/parse-tag-template.ts';

function entries(source: string) {
  const parsed = parseTagTemplate(source);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.entries;
}

function reason(source: string): string {
  const parsed = parseTagTemplate(source);
  if (parsed.ok) throw new Error(`expected a syntax error for ${source}`);
  return parsed.reason;
}

describe('parseTagTemplate()', () => {
  it('splits the example from the issue into keys and value templates', () => {
    expect(entries('created_by={created_by},owner={enterprise_project_id},alias={alias}')).toEqual([
      { key: 'created_by', valueSource: '{created_by}', position: 1 },
      { key: 'owner', valueSource: '{enterprise_project_id}', position: 25 },
      { key: 'alias', valueSource: '{alias}', position: 55 },
    ]);
  });

  it('ignores whitespace and newlines around entries, keys and values', () => {
    expect(entries(' owner = {created_by|slug} ,\n  team=sec ')).toEqual([
      { key: 'owner', valueSource: '{created_by|slug}', position: 2 },
      { key: 'team', valueSource: 'sec', position: 32 },
    ]);
  });

  it('keeps literal text, filters with arguments and empty values', () => {
    expect(entries('env=prod-{region},who={created_by|default:unknown|truncate:20},empty=')).toEqual([
      { key: 'env', valueSource: 'prod-{region}', position: 1 },
      { key: 'who', valueSource: '{created_by|default:unknown|truncate:20}', position: 19 },
      { key: 'empty', valueSource: '', position: 64 },
    ]);
  });

  it('keeps spaces inside keys and values', () => {
    expect(entries('cost center=team a')).toEqual([{ key: 'cost center', valueSource: 'team a', position: 1 }]);
  });

  it.each([
    { source: '', text: 'the tag template is empty' },
    { source: '   ', text: 'the tag template is empty' },
    { source: 'owner', text: 'entry "owner" at position 1 has no "="' },
    { source: 'a=1,,b=2', text: 'empty entry at position 5' },
    { source: 'a=1,', text: 'no trailing comma' },
    { source: '=x', text: 'has no tag key before "="' },
    { source: 'a=1, =x', text: 'entry at position 6 has no tag key' },
    { source: '{created_by}=x', text: 'tag keys are literal' },
    { source: 'a=b=c', text: 'contains "=", which Huawei forbids in tag values' },
  ])('refuses $source: $text', ({ source, text }) => {
    expect(reason(source)).toContain(text);
  });

  it('refuses an over-long template before scanning it', () => {
    expect(reason(`a=${'x'.repeat(MAX_TAG_TEMPLATE_LENGTH)}`)).toContain('at most 4096');
  });

  it('round-trips any list of clean entries', () => {
    const text = fc
      .string({ minLength: 1, maxLength: 12 })
      .filter((s) => !/[=,{}]/.test(s) && s.trim() === s && s !== '');
    fc.assert(
      fc.property(
        fc.array(fc.tuple(text, fc.oneof(text, fc.constant(''))), { minLength: 1, maxLength: 6 }),
        (pairs) => {
          const source = pairs.map(([k, v]) => `${k}=${v}`).join(',');
          const parsed = entries(source);
          expect(parsed.map((e) => [e.key, e.valueSource])).toEqual(pairs);
          for (const entry of parsed) expect(source.slice(entry.position - 1).startsWith(entry.key)).toBe(true);
        },
      ),
    );
  });
});
