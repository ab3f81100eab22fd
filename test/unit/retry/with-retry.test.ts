import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import type { ErrorCode } from '../../../lib/errors/app-error.ts';
import { KmsApiError, TransportError } from '../../../lib/errors/huawei-errors.ts';
import { classifyHuaweiFailure } from '../../../lib/huawei/classify-huawei-failure.ts';
import { DeadlineExceededError } from '../../../lib/retry/deadline-exceeded-error.ts';
import {
  createRetryPolicy,
  fullJitterDelay,
  type RetryEvent,
  retryReportOf,
  withRetry,
  type WithRetryOptions,
} from '../../../lib/retry/with-retry.ts';
import { rejectionOf } from '../../support/rejection-of.ts';

/** A KMS failure as the client builds it: the retry class comes from status and Huawei code. */
const kms = (status: number, code: ErrorCode, huaweiCode?: string) =>
  new KmsApiError(`HTTP ${status}`, {
    status,
    code,
    huaweiCode,
    retry: code === 'KMS_AUTH_EXPIRED' ? 'auth-refresh' : classifyHuaweiFailure(status, huaweiCode),
  });

/** A fake clock that only moves when the policy sleeps (or a test advances it). */
function fakeTime(remainingAtStart = Number.POSITIVE_INFINITY) {
  let now = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    advance: (ms: number) => {
      now += ms;
    },
    options: {
      clock: () => now,
      remainingMs: () => remainingAtStart - now,
      sleep: async (ms: number) => {
        sleeps.push(ms);
        now += ms;
      },
    } satisfies Partial<WithRetryOptions>,
  };
}

/** fn that fails with the given errors in order, then returns 'ok'. */
function failing(...errors: unknown[]) {
  const calls: number[] = [];
  const fn = vi.fn(async (attempt: number) => {
    calls.push(attempt);
    const err = errors.shift();
    if (err !== undefined) throw err;
    return 'ok';
  });
  return { fn, calls };
}

describe('fullJitterDelay()', () => {
  const base = { minDelayMs: 100, maxDelayMs: 1000, factor: 2 };
  it.each([
    [0, 0.5, 50],
    [1, 0.5, 100],
    [2, 0.999, 399],
    [5, 1, 1000],
    [10, 0.5, 500],
    [3, 0, 0],
  ])('retry %i with random %f → %i ms', (retryIndex, r, expected) => {
    expect(fullJitterDelay(retryIndex, { ...base, random: () => r })).toBe(expected);
  });

  it('stays within [0, min(max, min × factor^n)] for any random value', () => {
    fc.assert(
      fc.property(fc.nat(20), fc.double({ min: -1, max: 2, noNaN: true }), (n, r) => {
        const d = fullJitterDelay(n, { ...base, random: () => r });
        return d >= 0 && d <= Math.min(1000, 100 * 2 ** n);
      }),
    );
  });
});

describe('withRetry()', () => {
  it('returns the value and the attempt count on success', async () => {
    const time = fakeTime();
    const { fn } = failing();
    await expect(withRetry(fn, time.options)).resolves.toEqual({ value: 'ok', attempts: 1 });
  });

  it('retries transient failures with full-jitter delays and reports each retry', async () => {
    const time = fakeTime();
    const events: RetryEvent[] = [];
    const { fn, calls } = failing(
      kms(503, 'KMS_UNAVAILABLE'),
      new TransportError('reset', { operation: 'createAlias', service: 'kms', failure: 'network' }),
    );
    const result = await withRetry(fn, {
      ...time.options,
      minDelayMs: 100,
      random: () => 0.5,
      onRetry: (e) => events.push(e),
    });
    expect(result).toEqual({ value: 'ok', attempts: 3 });
    expect(calls).toEqual([1, 2, 3]);
    expect(time.sleeps).toEqual([50, 100]);
    expect(events.map((e) => [e.attempt, e.delayMs, e.kind, e.error.code])).toEqual([
      [1, 50, 'server', 'KMS_UNAVAILABLE'],
      [2, 100, 'network', 'KMS_NETWORK'],
    ]);
  });

  it('stops at once on a permanent error and rethrows it unchanged', async () => {
    const time = fakeTime();
    const permanent = kms(400, 'KMS_REJECTED', 'KMS.0308');
    const { fn } = failing(permanent);
    const err = await rejectionOf(withRetry(fn, time.options));
    expect(err).toBe(permanent);
    expect(retryReportOf(err)).toEqual({ attempts: 1, stopReason: 'permanent' });
    expect(time.sleeps).toEqual([]);
  });

  it('gives up after `retries` and reports the attempts', async () => {
    const time = fakeTime();
    const { fn } = failing(...Array.from({ length: 10 }, () => kms(502, 'KMS_UNAVAILABLE')));
    const err = await rejectionOf(withRetry(fn, { ...time.options, retries: 2 }));
    expect(err).toBeInstanceOf(KmsApiError);
    expect(retryReportOf(err)).toEqual({ attempts: 3, stopReason: 'exhausted' });
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it('defaults to 4 retries (Huawei: 3–5, docs/huawei-kms.md#rate-limits)', async () => {
    const time = fakeTime();
    const { fn } = failing(...Array.from({ length: 10 }, () => kms(500, 'KMS_UNAVAILABLE')));
    const err = await rejectionOf(withRetry(fn, time.options));
    expect(retryReportOf(err)?.attempts).toBe(5);
  });

  it('waits at least throttleMinDelayMs after throttling (docs/huawei-kms.md#error-codes: retry after ~2–5 s)', async () => {
    const time = fakeTime();
    const { fn } = failing(kms(429, 'KMS_THROTTLED', 'APIGW.0308'), kms(429, 'KMS_THROTTLED'));
    await withRetry(fn, { ...time.options, random: () => 0, throttleMinDelayMs: 1500, maxDelayMs: 5000 });
    expect(time.sleeps).toEqual([1500, 1500]);
  });

  it('retries KMS.0207 only inside notVisibleWindowMs since the first attempt', async () => {
    const time = fakeTime();
    const notVisible = () => kms(404, 'KMS_KEY_NOT_FOUND', 'KMS.0207');
    const { fn } = failing(notVisible(), notVisible(), notVisible(), notVisible(), notVisible());
    const err = await rejectionOf(
      withRetry(fn, {
        ...time.options,
        random: () => 1,
        minDelayMs: 400,
        factor: 1,
        notVisibleWindowMs: 1000,
        retries: 10,
      }),
    );
    // t=0 fail → wait to 400; t=400 fail → wait to 800; t=800 fail: 800+400 > 1000 → stop.
    expect(time.sleeps).toEqual([400, 400]);
    expect(retryReportOf(err)).toEqual({ attempts: 3, stopReason: 'not_visible_window' });
  });

  it('heals a KMS.0207 that clears inside the window', async () => {
    const time = fakeTime();
    const { fn } = failing(kms(404, 'KMS_KEY_NOT_FOUND', 'KMS.0207'));
    await expect(withRetry(fn, time.options)).resolves.toEqual({ value: 'ok', attempts: 2 });
  });

  it('retries once, without waiting, after the auth provider dropped its token', async () => {
    const time = fakeTime();
    const expired = () => kms(401, 'KMS_AUTH_EXPIRED', 'APIGW.0301');
    const healed = failing(expired());
    await expect(withRetry(healed.fn, time.options)).resolves.toEqual({ value: 'ok', attempts: 2 });
    expect(time.sleeps).toEqual([0]);

    const broken = failing(expired(), expired(), expired());
    const err = await rejectionOf(withRetry(broken.fn, time.options));
    expect(retryReportOf(err)).toEqual({ attempts: 2, stopReason: 'auth_retry_used' });
  });

  it('does not start a wait that would leave less than minAttemptMs before the deadline', async () => {
    const time = fakeTime(3000);
    const { fn } = failing(...Array.from({ length: 10 }, () => kms(503, 'KMS_UNAVAILABLE')));
    const err = await rejectionOf(
      withRetry(fn, { ...time.options, random: () => 1, minDelayMs: 800, factor: 1, minAttemptMs: 1000, retries: 10 }),
    );
    // remaining 3000 → wait 800 (2200 left) → wait 800 (1400 left) → 1400 - 800 < 1000: stop.
    expect(time.sleeps).toEqual([800, 800]);
    expect(retryReportOf(err)).toEqual({ attempts: 3, stopReason: 'deadline' });
  });

  it('throws DeadlineExceededError without calling fn when not even one attempt fits', async () => {
    const time = fakeTime(999);
    const { fn } = failing();
    const err = await rejectionOf(withRetry(fn, { ...time.options, minAttemptMs: 1000 }));
    expect(err).toBeInstanceOf(DeadlineExceededError);
    expect(err).toMatchObject({ code: 'DEADLINE_EXCEEDED', retryable: true });
    expect(retryReportOf(err)).toEqual({ attempts: 0, stopReason: 'deadline' });
    expect(fn).not.toHaveBeenCalled();
  });

  it('by default still starts an attempt that fits in the time left when the attempt timeout is under 1 s', async () => {
    // Found by the chaos run: with REQUEST_TIMEOUT_MS=300 the fixed 1 s minimum refused attempts
    // with 900 ms left, cutting every invocation's usable time short.
    const time = fakeTime(900);
    const { fn } = failing();
    await expect(withRetry(fn, { ...time.options, attemptTimeoutMs: 300 })).resolves.toEqual({
      value: 'ok',
      attempts: 1,
    });
    const tooLittle = fakeTime(299);
    const err = await rejectionOf(withRetry(failing().fn, { ...tooLittle.options, attemptTimeoutMs: 300 }));
    expect(err).toBeInstanceOf(DeadlineExceededError);
    // The default for ordinary attempt timeouts is unchanged.
    const err2 = await rejectionOf(withRetry(failing().fn, { ...fakeTime(999).options, attemptTimeoutMs: 8_000 }));
    expect(err2).toBeInstanceOf(DeadlineExceededError);
  });

  it('property: never starts an attempt with less than minAttemptMs left, nor sleeps past it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 20_000 }),
        fc.integer({ min: 1, max: 3000 }),
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: 0, max: 1500 }),
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        async (budget, minAttemptMs, minDelayMs, attemptCost, r) => {
          const time = fakeTime(budget);
          const leftAtStarts: number[] = [];
          const fn = async () => {
            leftAtStarts.push(time.options.remainingMs());
            time.advance(attemptCost);
            throw kms(503, 'KMS_UNAVAILABLE');
          };
          const err = await rejectionOf(
            withRetry(fn, { ...time.options, minAttemptMs, minDelayMs, random: () => r, retries: 8 }),
          );
          expect(leftAtStarts.every((left) => left >= minAttemptMs)).toBe(true);
          expect(retryReportOf(err)?.attempts).toBe(leftAtStarts.length);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('gives each attempt a signal that aborts after min(attemptTimeoutMs, remaining)', async () => {
    const deadline = Date.now() + 300;
    const started = Date.now();
    const seen: number[] = [];
    const fn = (attempt: number, signal: AbortSignal) =>
      new Promise<string>((_resolve, reject) => {
        seen.push(attempt);
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    const err = await rejectionOf(
      withRetry(fn, {
        attemptTimeoutMs: 100,
        remainingMs: () => deadline - Date.now(),
        minAttemptMs: 50,
        minDelayMs: 1,
        retries: 10,
      }),
    );
    const elapsed = Date.now() - started;
    expect(err).toMatchObject({ name: 'TimeoutError' });
    expect(retryReportOf(err)?.stopReason).toBe('deadline');
    expect(seen.length).toBeGreaterThanOrEqual(2);
    // The deadline is never exceeded (a few ms of timer slack allowed).
    expect(elapsed).toBeLessThanOrEqual(300 + 25);
  });

  it("gives every attempt the caller's deadline signal when the attempt timeout is the deadline alone", async () => {
    const deadline = new AbortController();
    const seen: AbortSignal[] = [];
    const fn = vi.fn(async (attempt: number, signal: AbortSignal) => {
      seen.push(signal);
      if (attempt === 1) throw kms(503, 'KMS_UNAVAILABLE');
      return 'ok';
    });
    const run = (options: WithRetryOptions) =>
      withRetry(fn, { remainingMs: () => 60_000, minDelayMs: 1, deadlineSignal: deadline.signal, ...options });
    await expect(run({ attemptTimeoutMs: Number.POSITIVE_INFINITY })).resolves.toEqual({ value: 'ok', attempts: 2 });
    expect(seen).toEqual([deadline.signal, deadline.signal]);
    // A finite attempt timeout, or a caller signal to combine, still makes a signal per attempt.
    seen.length = 0;
    await run({ attemptTimeoutMs: 5_000 });
    await run({ attemptTimeoutMs: Number.POSITIVE_INFINITY, signal: new AbortController().signal });
    expect(seen).toHaveLength(4);
    expect(seen.filter((signal) => signal === deadline.signal)).toEqual([]);
  });

  it('ends an attempt on its deadline signal with the TimeoutError, reported as the deadline', async () => {
    const deadline = new AbortController();
    const fn = (_attempt: number, signal: AbortSignal) =>
      new Promise<string>((_resolve, reject) => {
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    let remaining = 60_000;
    const promise = withRetry(fn, {
      attemptTimeoutMs: Number.POSITIVE_INFINITY,
      remainingMs: () => remaining,
      deadlineSignal: deadline.signal,
    });
    remaining = 0;
    deadline.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
    const err = await rejectionOf(promise);
    expect(err).toMatchObject({ name: 'TimeoutError' });
    expect(retryReportOf(err)).toEqual({ attempts: 1, stopReason: 'deadline' });
  });

  it('stops waiting when the caller aborts and rejects with the reason', async () => {
    const controller = new AbortController();
    const { fn } = failing(kms(503, 'KMS_UNAVAILABLE'), kms(503, 'KMS_UNAVAILABLE'));
    const promise = withRetry(fn, { signal: controller.signal, minDelayMs: 10_000, random: () => 1 });
    setTimeout(() => controller.abort(new Error('shutting down')), 20);
    const err = await rejectionOf(promise);
    expect(err).toMatchObject({ message: 'shutting down' });
    expect(retryReportOf(err)).toEqual({ attempts: 1, stopReason: 'aborted' });
  });

  it('combines the caller signal into the attempt signal', async () => {
    const controller = new AbortController();
    controller.abort(new Error('already cancelled'));
    const err = await rejectionOf(withRetry(async () => 'never', { signal: controller.signal }));
    expect(err).toMatchObject({ message: 'already cancelled' });
  });

  it("runs no attempt under a caller's signal already aborted, as p-retry does", async () => {
    const controller = new AbortController();
    controller.abort(new Error('gone'));
    const fn = vi.fn(async () => 'never');
    const err = await rejectionOf(withRetry(fn, { signal: controller.signal }));
    expect(err).toMatchObject({ message: 'gone' });
    expect(fn).not.toHaveBeenCalled();
    expect(retryReportOf(err)).toEqual({ attempts: 0, stopReason: 'aborted' });
  });

  it("lets a caller's abort during a successful first attempt win, as p-retry does", async () => {
    const controller = new AbortController();
    const err = await rejectionOf(
      withRetry(
        async () => {
          controller.abort(new Error('shutting down'));
          return 'done';
        },
        { signal: controller.signal },
      ),
    );
    expect(err).toMatchObject({ message: 'shutting down' });
    expect(retryReportOf(err)).toEqual({ attempts: 1, stopReason: 'aborted' });
  });

  it('hands a failed first attempt to the retries once, without running it again', async () => {
    const time = fakeTime();
    const { fn, calls } = failing(kms(503, 'KMS_UNAVAILABLE'), kms(429, 'KMS_THROTTLED', 'APIGW.0308'));
    const events: RetryEvent[] = [];
    const result = await withRetry(fn, { ...time.options, random: () => 0, onRetry: (event) => events.push(event) });
    expect(result).toEqual({ value: 'ok', attempts: 3 });
    expect(calls).toEqual([1, 2, 3]);
    expect(events.map((event) => [event.attempt, event.kind])).toEqual([
      [1, 'server'],
      [2, 'throttled'],
    ]);
  });

  it('does not retry a programming TypeError (p-retry rule)', async () => {
    const time = fakeTime();
    const { fn } = failing(new TypeError('x is not a function'));
    const err = await rejectionOf(withRetry(fn, time.options));
    expect(retryReportOf(err)).toEqual({ attempts: 1, stopReason: 'permanent' });
  });

  it('retries an unknown error (unknown non-AppError is retryable)', async () => {
    const time = fakeTime();
    const { fn } = failing(new Error('who knows'));
    await expect(withRetry(fn, time.options)).resolves.toEqual({ value: 'ok', attempts: 2 });
  });

  it('uses real timers by default with tiny delays', async () => {
    const { fn } = failing(kms(500, 'KMS_UNAVAILABLE'));
    await expect(withRetry(fn, { minDelayMs: 5 })).resolves.toEqual({ value: 'ok', attempts: 2 });
  });

  it.each([
    [{ minDelayMs: -1 }],
    [{ maxDelayMs: Number.NaN }],
    [{ factor: Number.POSITIVE_INFINITY }],
    [{ minAttemptMs: -5 }],
  ])('rejects invalid options %j', async (options) => {
    await expect(withRetry(async () => 1, options)).rejects.toThrow(RangeError);
  });

  it("checks a policy's options when the policy is made, then runs it with each call's budget", async () => {
    expect(() => createRetryPolicy({ minDelayMs: -1 })).toThrow(RangeError);
    const time = fakeTime();
    const policy = createRetryPolicy({ clock: time.options.clock, sleep: time.options.sleep });
    const first = failing(kms(500, 'KMS_UNAVAILABLE'));
    await expect(policy.run(first.fn, { remainingMs: () => 60_000 })).resolves.toEqual({ value: 'ok', attempts: 2 });
    // The same policy, another call whose budget has no room for an attempt.
    const second = failing(kms(500, 'KMS_UNAVAILABLE'));
    const err = await rejectionOf(policy.run(second.fn, { remainingMs: () => 10 }));
    expect(err).toBeInstanceOf(DeadlineExceededError);
    expect(retryReportOf(err)).toEqual({ attempts: 0, stopReason: 'deadline' });
  });

  it('returns undefined from retryReportOf for errors it did not throw', () => {
    expect(retryReportOf(new Error('x'))).toBeUndefined();
    expect(retryReportOf('x')).toBeUndefined();
  });
});
