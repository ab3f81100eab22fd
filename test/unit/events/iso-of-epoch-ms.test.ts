import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoOfEpochMs } from '../../../lib/events/iso-of-epoch-ms.ts';

describe('isoOfEpochMs()', () => {
  it('gives what toISOString gives, for every integer time and the edges of its own range', () => {
    const edges = [0, 1, 999, 86_399_999, 86_400_000, 951_782_400_000, 4_107_542_399_999, 253_402_300_799_999];
    for (const ms of edges) expect(isoOfEpochMs(ms)).toBe(new Date(ms).toISOString());
    fc.assert(
      fc.property(fc.integer({ min: -1_000_000_000_000, max: 260_000_000_000_000 }), (ms) => {
        expect(isoOfEpochMs(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 20_000 },
    );
  });

  it('hands any other value to toISOString, which throws on an invalid one as before', () => {
    for (const ms of [-1, 1.5, 253_402_300_800_000]) expect(isoOfEpochMs(ms)).toBe(new Date(ms).toISOString());
    expect(() => isoOfEpochMs(Number.NaN)).toThrow(RangeError);
  });
});
