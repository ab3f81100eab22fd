import { describe, expect, it } from 'vitest';
import type { KeyCreated } from '../../../lib/events/key-created.ts';
import { aliasLagMs } from '../../../lib/outcome/settled-message.ts';

const at = (created_at: string | undefined, settledMs: number) => ({
  event: (created_at === undefined ? { key_id: 'k' } : { key_id: 'k', created_at }) as unknown as KeyCreated,
  settledMs,
});

describe('aliasLagMs()', () => {
  it('is the time from the key creation to the settling, whichever creation time came before', () => {
    const first = '2026-11-03T08:15:30.000Z';
    const second = '2026-11-03T08:15:31.250Z';
    const base = Date.parse(first);
    // Alternating texts, and the same text twice: each answer is its own message's.
    expect(aliasLagMs(at(first, base + 500))).toBe(500);
    expect(aliasLagMs(at(first, base + 700))).toBe(700);
    expect(aliasLagMs(at(second, base + 2000))).toBe(750);
    expect(aliasLagMs(at(first, base + 2000))).toBe(2000);
    expect(aliasLagMs(at(second, base + 1000))).toBe(0);
  });

  it('is undefined without a valid creation time', () => {
    expect(aliasLagMs(at(undefined, 1))).toBeUndefined();
    expect(aliasLagMs(at('not a date', 1))).toBeUndefined();
    expect(aliasLagMs(at('not a date', 1))).toBeUndefined();
    expect(aliasLagMs({ event: undefined, settledMs: 1 })).toBeUndefined();
  });
});
