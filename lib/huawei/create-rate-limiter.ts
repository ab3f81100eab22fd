/**
 * A strict sliding-window rate limiter: no more than `limit` starts in any span shorter than
 * `intervalMs`, so whatever way the gateway aligns its one-second windows (docs/huawei-kms.md#rate-limits: about
 * 20 calls a second per user) this instance never puts more than its share in one.
 *
 * Written here rather than taken from p-throttle's strict mode, which was the first choice:
 * measured with `npm run bench`'s in-memory handler, p-throttle cost about 0.12 ms of CPU per
 * call (a timer and an array scan per call), more than signing and parsing together. This keeps a
 * ring of the last `limit` start times and one timer for the whole queue.
 */
export interface RateLimiter {
  /**
   * Resolves when the caller may start; callers start in arrival order. Rejects with
   * `signal.reason` when `signal` aborts first (the waiter leaves the queue, taking no slot).
   */
  acquire(signal?: AbortSignal): Promise<void>;
  /** Callers waiting for a slot. */
  readonly waiting: number;
}

export function createRateLimiter(
  limit: number,
  intervalMs: number,
  now: () => number = () => performance.now(),
): RateLimiter {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
  // starts[head] is the oldest of the last `limit` start times.
  const starts = new Array<number>(limit).fill(Number.NEGATIVE_INFINITY);
  let head = 0;
  interface Waiter {
    resolve: () => void;
    signal: AbortSignal | undefined;
    onAbort: () => void;
  }
  const queue: Waiter[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;

  const take = (at: number) => {
    starts[head] = at;
    head = (head + 1) % limit;
  };
  const drain = () => {
    timer = undefined;
    while (queue.length > 0) {
      const t = now();
      const free = (starts[head] ?? Number.NEGATIVE_INFINITY) + intervalMs;
      if (free > t) {
        timer = setTimeout(drain, Math.ceil(free - t));
        return;
      }
      take(t);
      const next = queue.shift();
      next?.signal?.removeEventListener('abort', next.onAbort);
      next?.resolve();
    }
  };
  return {
    acquire(signal) {
      if (signal?.aborted === true) return Promise.reject(signal.reason);
      if (queue.length === 0) {
        const t = now();
        if ((starts[head] ?? Number.NEGATIVE_INFINITY) + intervalMs <= t) {
          take(t);
          return Promise.resolve();
        }
      }
      return new Promise<void>((resolve, reject) => {
        const waiter: Waiter = {
          resolve,
          signal,
          onAbort: () => {
            const at = queue.indexOf(waiter);
            if (at >= 0) queue.splice(at, 1);
            reject(signal?.reason);
          },
        };
        signal?.addEventListener('abort', waiter.onAbort, { once: true });
        queue.push(waiter);
        if (timer === undefined) drain();
      });
    },
    get waiting() {
      return queue.length;
    },
  };
}
