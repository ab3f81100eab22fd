// Per-principal throttling like the gateway's "policy user over ratelimit,limit:20,time:1 second"
// (docs/huawei-kms.md#error-codes APIGW.0308, docs/huawei-kms.md#rate-limits "TPS ... is set to 20"). Counted in fixed 1-second windows of the
// emulator clock: the message's "time:1 second" suggests a per-second counter; whether the real
// gateway uses fixed or sliding windows is not documented (unverified).

export interface RateLimitOptions {
  readonly perSecond: number;
}

export class RateLimiter {
  readonly perSecond: number;
  readonly #now: () => number;
  readonly #windows = new Map<string, { window: number; count: number }>();

  constructor(options: RateLimitOptions, now: () => number) {
    this.perSecond = options.perSecond;
    this.#now = now;
  }

  /** Counts one call; false when the principal is over its limit in the current second. */
  take(principal: string): boolean {
    const window = Math.floor(this.#now() / 1000);
    const entry = this.#windows.get(principal);
    if (!entry || entry.window !== window) {
      this.#windows.set(principal, { window, count: 1 });
      return this.perSecond >= 1;
    }
    entry.count += 1;
    return entry.count <= this.perSecond;
  }

  reset(): void {
    this.#windows.clear();
  }
}
