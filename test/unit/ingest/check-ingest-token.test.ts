import { describe, expect, it } from 'vitest';
import { tokenMatches } from '../../../lib/ingest/check-ingest-token.ts';

describe('tokenMatches()', () => {
  const expected = 'ingest-token-0123456789abcdef';

  it('matches only the exact token', () => {
    expect(tokenMatches(expected, expected)).toBe(true);
    expect(tokenMatches(expected, `${expected} `)).toBe(false);
    expect(tokenMatches(expected, expected.toUpperCase())).toBe(false);
    expect(tokenMatches(expected, expected.slice(0, -1))).toBe(false);
  });

  it('is false for a missing or empty token, and never throws on different lengths', () => {
    expect(tokenMatches(expected, undefined)).toBe(false);
    expect(tokenMatches(expected, '')).toBe(false);
    expect(tokenMatches(expected, 'x'.repeat(10_000))).toBe(false);
  });
});
