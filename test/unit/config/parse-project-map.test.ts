import { describe, expect, it } from 'vitest';
import { parseProjectMap } from '../../../lib/config/parse-project-map.ts';

const A = '0f3a8c1e5b7d4e2a9c6b8d0e1f2a3b4c';
const B = '1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d';

describe('parseProjectMap()', () => {
  it.each([
    [
      `${A}=cn-north-4,${B}=ap-southeast-1`,
      undefined,
      [
        [A, 'cn-north-4'],
        [B, 'ap-southeast-1'],
      ],
    ],
    [
      `{"${A}":"cn-north-4","${B}":"eu-west-101"}`,
      undefined,
      [
        [A, 'cn-north-4'],
        [B, 'eu-west-101'],
      ],
    ],
    [
      `${A}, ${B}`,
      'cn-north-4',
      [
        [A, 'cn-north-4'],
        [B, 'cn-north-4'],
      ],
    ],
    [`${A}=cn-north-4,${A}=cn-north-4,`, undefined, [[A, 'cn-north-4']]],
  ])('parses %s', (source, region, expected) => {
    const result = parseProjectMap(source, region);
    expect(result).toEqual({ ok: true, projects: new Map(expected as Array<[string, string]>) });
  });

  it.each([
    ['', undefined, 'lists no project'],
    ['{"x":', undefined, 'is not valid JSON'],
    ['[1]', undefined, 'JSON object'],
    [`{"${A}": 4}`, undefined, 'must be a string'],
    ['short=cn-north-4', undefined, 'is not a 32-character project id'],
    [A, undefined, 'has no region'],
    [`${A}=Not A Region`, undefined, 'is not a region id'],
    [`${A}=cn-north-4=x`, undefined, 'more than one "="'],
    [`${A}=cn-north-4,${A}=cn-north-1`, undefined, 'mapped to two regions'],
  ])('rejects %j', (source, region, reason) => {
    const result = parseProjectMap(source, region);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
  });
});
