import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createIsoTimestamp } from '../../../lib/audit/iso-timestamp.ts';
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

describe('createIsoTimestamp()', () => {
  it('gives what toISOString gives, call after call', () => {
    fc.assert(
      fc.property(times, (list) => {
        const iso = createIsoTimestamp();
        for (const ms of list) expect(iso(new Date(ms))).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 500 },
    );
  });

  it('throws on an invalid date, as toISOString does', () => {
    const iso = createIsoTimestamp();
    iso(new Date(0));
    expect(() => iso(new Date(Number.NaN))).toThrow(RangeError);
  });
});

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
