import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatSdkDate } from '../../../lib/huawei/sign-request.ts';

// Runs of times close together (the same second, the next one) and far apart, as lines come.
const times = fc.array(
  fc.oneof(
    fc.integer({ min: -62_198_755_200_000, max: 253_402_300_799_999 }),
    fc.integer({ min: 1_796_199_413_000, max: 1_796_199_416_999 }),
    fc.constantFrom(-1, 0, 999, 1000, -1000, -999, 253_402_300_800_000, -62_198_755_200_001),
  ),
  { minLength: 1, maxLength: 30 },
);

describe('formatSdkDate()', () => {
  it('gives the fresh value call after call, the same second or not', () => {
    fc.assert(
      fc.property(times, (list) => {
        for (const ms of list) {
          const date = new Date(ms);
          expect(formatSdkDate(date)).toBe(`${date.toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`);
        }
      }),
      { numRuns: 500 },
    );
  });
});
