// Optional AK lockout: "If an AK/SK pair fails to be authenticated more than five times in a row,
// the AK/SK pair is locked for 5 minutes" (docs/huawei-kms.md#error-codes, APIGW.0301; Huawei doc devg-apisign FAQ and
// ocr_01_0063). Off by default because a test that probes bad signatures would otherwise lock itself out.

export interface LockoutPolicy {
  /** Consecutive failures that trigger the lock (default 5). */
  readonly failures: number;
  /** Lock duration (default 5 minutes). */
  readonly lockMs: number;
}

export const DEFAULT_LOCKOUT_POLICY: LockoutPolicy = { failures: 5, lockMs: 5 * 60 * 1000 };

export class AuthLockout {
  readonly #policy: LockoutPolicy;
  readonly #state = new Map<string, { failures: number; lockedUntil: number }>();

  constructor(policy: LockoutPolicy) {
    this.#policy = policy;
  }

  isLocked(ak: string, nowMs: number): boolean {
    return (this.#state.get(ak)?.lockedUntil ?? 0) > nowMs;
  }

  recordFailure(ak: string, nowMs: number): void {
    const entry = this.#state.get(ak) ?? { failures: 0, lockedUntil: 0 };
    entry.failures += 1;
    if (entry.failures >= this.#policy.failures) {
      entry.lockedUntil = nowMs + this.#policy.lockMs;
      entry.failures = 0;
    }
    this.#state.set(ak, entry);
  }

  recordSuccess(ak: string): void {
    this.#state.delete(ak);
  }

  reset(): void {
    this.#state.clear();
  }
}
