import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../../lib/huawei/create-rate-limiter.ts';

describe('createRateLimiter()', () => {
  it('lets up to `limit` callers start at once, without waiting', async () => {
    const limiter = createRateLimiter(3, 1_000);
    const started = performance.now();
    await Promise.all([limiter.acquire(), limiter.acquire(), limiter.acquire()]);
    expect(performance.now() - started).toBeLessThan(50);
    expect(limiter.waiting).toBe(0);
  });

  it('never starts more than `limit` callers in any span shorter than the interval, in arrival order', async () => {
    const limiter = createRateLimiter(4, 100);
    const starts: Array<{ i: number; at: number }> = [];
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 13 }, (_, i) =>
        limiter.acquire().then(() => starts.push({ i, at: performance.now() - t0 })),
      ),
    );
    expect(starts.map((s) => s.i)).toEqual([...Array(13).keys()]);
    // Any limit + 1 consecutive starts span at least the interval (timers may fire up to ~1 ms early).
    for (let k = 4; k < starts.length; k++) {
      expect((starts[k]?.at ?? 0) - (starts[k - 4]?.at ?? 0)).toBeGreaterThanOrEqual(99);
    }
    // 13 starts at 4 per 100 ms need at least three full intervals.
    expect(starts.at(-1)?.at ?? 0).toBeGreaterThanOrEqual(299);
  });

  it('follows an injected clock and refuses a non-positive limit', async () => {
    let now = 0;
    const limiter = createRateLimiter(1, 1_000, () => now);
    await limiter.acquire();
    const second = limiter.acquire();
    expect(limiter.waiting).toBe(1);
    now = 1_000;
    await second;
    expect(limiter.waiting).toBe(0);
    expect(() => createRateLimiter(0, 1_000)).toThrow(RangeError);
  });

  it('lets a waiter leave on abort, taking no slot, and serves the next one in its place', async () => {
    let now = 0;
    const limiter = createRateLimiter(1, 1_000, () => now);
    await limiter.acquire();
    const controller = new AbortController();
    const leaving = limiter.acquire(controller.signal);
    const staying = limiter.acquire();
    expect(limiter.waiting).toBe(2);
    const reason = new DOMException('deadline', 'TimeoutError');
    controller.abort(reason);
    await expect(leaving).rejects.toBe(reason);
    expect(limiter.waiting).toBe(1);
    now = 1_000;
    await staying;
    expect(limiter.waiting).toBe(0);
    await expect(limiter.acquire(AbortSignal.abort('gone'))).rejects.toBe('gone');
  });
});
