/**
 * The retry policy. p-retry 9 runs the attempt loop, stops on an `AbortError`, a non-network
 * `TypeError` (a bug) or an exhausted budget, and cancels on the caller's signal. The waiting is
 * done in `shouldRetry` (p-retry gets `minTimeout: 0`) because p-retry cannot express it:
 * its delay is `minTimeout × factor^n × (randomize ? [1, 2) : 1)`, a function of the retry count
 * alone, so it has no full jitter (a uniform wait in [0, cap)), no per-failure minimum (at least
 * `throttleMinDelayMs` after throttling, no wait after a token refresh), no check that the wait
 * plus the next attempt still fit in the Lambda's remaining time (its `maxRetryTime` is a fixed
 * budget from the first attempt that only trims the wait), and no injectable clock or sleep.
 * What to do with a failure is read from its retry class (classify-error.ts), never decided here.
 */
import pRetry, { AbortError } from 'p-retry';
import { type ErrorSummary, toErrorSummary } from '../errors/app-error.ts';
import { classifyError, type RetryKind } from './classify-error.ts';
import { DeadlineExceededError } from './deadline-exceeded-error.ts';
import { clearableTimeout } from '../signals/clearable-timeout.ts';

/** Why the loop gave up. */
export type RetryStopReason =
  /** The error's retry class is false (or p-retry refused: a non-network TypeError is a bug). */
  | 'permanent'
  /** `retries` were all used. */
  | 'exhausted'
  /** The next wait plus an attempt would not fit in `remainingMs()`. */
  | 'deadline'
  /** KMS.0207 kept coming after `notVisibleWindowMs`. */
  | 'not_visible_window'
  /** A fresh token was rejected too (`maxAuthRetries` used). */
  | 'auth_retry_used'
  /** The caller's signal aborted. */
  | 'aborted';

/** What {@link retryReportOf} returns for an error that came out of {@link withRetry}. */
export interface RetryReport {
  /** Attempts actually started (0 when the deadline left no room for the first). */
  attempts: number;
  stopReason: RetryStopReason;
}

/** What `onRetry` receives before each wait. */
export interface RetryEvent {
  /** The attempt that just failed (1-based). */
  attempt: number;
  /** The wait before the next attempt. */
  delayMs: number;
  kind: RetryKind;
  error: ErrorSummary;
  /** Time since the first attempt started. */
  elapsedMs: number;
}

/** Options of {@link withRetry}; every field has a default. */
export interface WithRetryOptions {
  /** Retries after the first attempt. Huawei advises 3–5 (docs/huawei-kms.md#rate-limits). Default 4. */
  retries?: number;
  /** Backoff base: the cap of the first wait. Default 200 ms. */
  minDelayMs?: number;
  /** Largest wait. Default 5000 ms (docs/huawei-kms.md#error-codes: Huawei suggests 2–5 s after throttling). */
  maxDelayMs?: number;
  /** Growth of the backoff cap per retry. Default 2. */
  factor?: number;
  /** Smallest wait after a throttling error (docs/huawei-kms.md#error-codes advice: retry after about 2–5 s). Default 1000 ms. */
  throttleMinDelayMs?: number;
  /** Per-attempt timeout; the attempt gets min(this, remainingMs()). Default 8000 ms (docs/huawei-kms.md#rate-limits: 5–8 s). */
  attemptTimeoutMs?: number;
  /**
   * Budget left, e.g. `() => context.getRemainingTimeInMillis() - safetyMarginMs`.
   * Default: unlimited.
   */
  remainingMs?: () => number;
  /**
   * No attempt starts with less than this left. Default 1000 ms, or `attemptTimeoutMs` when
   * that is shorter: an attempt never needs more than its own timeout.
   */
  minAttemptMs?: number;
  /** KMS.0207 is retried only while this long has not passed since the first attempt. Default 10 000 ms. */
  notVisibleWindowMs?: number;
  /** Retries allowed after a 401 that made the auth provider drop its token. Default 1. */
  maxAuthRetries?: number;
  /** Cancels the waits and is combined into every attempt's signal. */
  signal?: AbortSignal | undefined;
  /**
   * A signal that aborts with a TimeoutError when `remainingMs()` reaches 0, made once by a
   * caller that runs many operations against one deadline (a batch's). When the attempt timeout
   * is the deadline alone (`attemptTimeoutMs` infinite) and no `signal` is given, it is every
   * attempt's signal, where each attempt would otherwise make a timer and a controller of its own
   * that end at the same time.
   */
  deadlineSignal?: AbortSignal | undefined;
  /** Called before every wait (for logs and metrics). Must not throw. */
  onRetry?: (event: RetryEvent) => void;
  /** Random source in [0, 1) for the jitter. Default Math.random. */
  random?: () => number;
  /** Waits `ms`; rejects with the signal's reason on abort. Default: a timer. */
  sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
  /** Monotonic clock in ms. Default performance.now. */
  clock?: () => number;
}

/** What {@link withRetry} resolves with. */
export interface RetryResult<T> {
  value: T;
  /** Attempts made, including the successful one. */
  attempts: number;
}

const reports = new WeakMap<object, RetryReport>();

/**
 * The attempt count and stop reason of an error thrown by {@link withRetry}, or undefined for
 * any other error. withRetry rethrows the last error itself (so `instanceof KmsApiError` and
 * its fields keep working) and records the report here instead of wrapping it.
 */
export function retryReportOf(err: unknown): RetryReport | undefined {
  return typeof err === 'object' && err !== null ? reports.get(err) : undefined;
}

function defaultSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function checkNumber(name: string, value: number, allowInfinity = false): number {
  if (Number.isNaN(value) || value < 0 || (!allowInfinity && !Number.isFinite(value))) {
    throw new RangeError(`withRetry: ${name} must be a non-negative${allowInfinity ? '' : ' finite'} number`);
  }
  return value;
}

/**
 * Full-jitter exponential backoff ("Exponential Backoff And Jitter", AWS architecture blog):
 * a uniform wait in [0, min(maxDelay, minDelay × factor^retryIndex)).
 */
export function fullJitterDelay(
  retryIndex: number,
  options: { minDelayMs: number; maxDelayMs: number; factor: number; random: () => number },
): number {
  const cap = Math.min(options.maxDelayMs, options.minDelayMs * options.factor ** retryIndex);
  const r = Math.min(Math.max(options.random(), 0), 1);
  return Math.floor(r * cap);
}

/**
 * Runs `fn` until it succeeds, its error's retry class is false, the retries or a
 * window run out, or the deadline is near. `fn` receives the 1-based attempt number and a
 * signal that aborts after min(attemptTimeoutMs, remainingMs()) or when `options.signal` aborts.
 *
 * @returns the value and the number of attempts made.
 * @throws the last error of `fn`, unchanged (see {@link retryReportOf} for its attempt count and
 *   stop reason); a {@link DeadlineExceededError} when not even the first attempt fit in the
 *   budget; the signal's reason when `options.signal` aborts; a RangeError on invalid options.
 * @example
 * const { value, attempts } = await withRetry(
 *   (_attempt, signal) => kms.createAlias(input, signal),
 *   { remainingMs: () => context.getRemainingTimeInMillis() - 2_000, onRetry: logRetry },
 * );
 */
export async function withRetry<T>(
  fn: (attempt: number, signal: AbortSignal) => Promise<T>,
  options: WithRetryOptions = {},
): Promise<RetryResult<T>> {
  return createRetryPolicy(options).run(fn, options);
}

/** What one run of a {@link RetryPolicy} is given besides the operation: its budget and cancel. */
export type RetryCall = Pick<WithRetryOptions, 'remainingMs' | 'signal' | 'deadlineSignal' | 'onRetry'>;

/** {@link withRetry} with its options checked once, for a caller that runs many operations under them. */
export interface RetryPolicy {
  run<T>(fn: (attempt: number, signal: AbortSignal) => Promise<T>, call?: RetryCall): Promise<RetryResult<T>>;
}

/**
 * Checks the options once (a RangeError names a bad one) and returns the policy that
 * {@link withRetry} runs: the Lambda runs one per KMS call, so checking them on every call was
 * work for nothing. `remainingMs`, `signal` and `onRetry` given here are the defaults of each run.
 */
export function createRetryPolicy(options: WithRetryOptions = {}): RetryPolicy {
  const retries = options.retries ?? 4;
  const backoff = {
    minDelayMs: checkNumber('minDelayMs', options.minDelayMs ?? 200),
    maxDelayMs: checkNumber('maxDelayMs', options.maxDelayMs ?? 5_000),
    factor: checkNumber('factor', options.factor ?? 2),
    random: options.random ?? Math.random,
  };
  const throttleMinDelayMs = checkNumber('throttleMinDelayMs', options.throttleMinDelayMs ?? 1_000);
  const attemptTimeoutMs = checkNumber('attemptTimeoutMs', options.attemptTimeoutMs ?? 8_000, true);
  const minAttemptMs = checkNumber('minAttemptMs', options.minAttemptMs ?? Math.min(1_000, attemptTimeoutMs));
  const notVisibleWindowMs = checkNumber('notVisibleWindowMs', options.notVisibleWindowMs ?? 10_000, true);
  const maxAuthRetries = checkNumber('maxAuthRetries', options.maxAuthRetries ?? 1, true);
  const sleep = options.sleep ?? defaultSleep;
  const clock = options.clock ?? (() => performance.now());
  const unlimited = (): number => Number.POSITIVE_INFINITY;
  const settings: PolicySettings = {
    retries,
    backoff,
    throttleMinDelayMs,
    attemptTimeoutMs,
    minAttemptMs,
    notVisibleWindowMs,
    maxAuthRetries,
    sleep,
    clock,
  };
  return {
    run: (fn, call = {}) =>
      runPolicy(fn, settings, {
        remainingMs: call.remainingMs ?? options.remainingMs ?? unlimited,
        callerSignal: call.signal ?? options.signal,
        deadlineSignal: call.deadlineSignal ?? options.deadlineSignal,
        onRetry: call.onRetry ?? options.onRetry,
      }),
  };
}

/** A policy's checked options. */
interface PolicySettings {
  retries: number;
  backoff: { minDelayMs: number; maxDelayMs: number; factor: number; random: () => number };
  throttleMinDelayMs: number;
  attemptTimeoutMs: number;
  minAttemptMs: number;
  notVisibleWindowMs: number;
  maxAuthRetries: number;
  sleep: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
  clock: () => number;
}

/** What one run adds to them. */
interface PolicyCall {
  remainingMs: () => number;
  callerSignal: AbortSignal | undefined;
  deadlineSignal: AbortSignal | undefined;
  onRetry: ((event: RetryEvent) => void) | undefined;
}

async function runPolicy<T>(
  fn: (attempt: number, signal: AbortSignal) => Promise<T>,
  settings: PolicySettings,
  call: PolicyCall,
): Promise<RetryResult<T>> {
  const { retries, backoff, sleep, clock } = settings;
  const { remainingMs, callerSignal, onRetry } = call;
  // The attempt's timeout is the deadline alone, and the caller made a signal for it.
  const deadlineSignal =
    settings.attemptTimeoutMs === Number.POSITIVE_INFINITY && callerSignal === undefined
      ? call.deadlineSignal
      : undefined;

  const start = clock();
  let attempts = 0;
  let authRetries = 0;
  let stopReason: RetryStopReason | undefined;
  let lastError: Error | undefined;
  let lastRetriesLeft = retries;

  const runAttempt = async (): Promise<T> => {
    const remaining = remainingMs();
    if (remaining < settings.minAttemptMs) {
      stopReason = 'deadline';
      throw new AbortError(lastError ?? new DeadlineExceededError(remaining));
    }
    attempts += 1;
    const timeoutMs = Math.min(settings.attemptTimeoutMs, remaining);
    // Cleared when the attempt settles: AbortSignal.timeout's timer would fire anyway, later.
    // One signal follows both the attempt's timeout and the caller's (clearable-timeout.ts).
    const timeout =
      Number.isFinite(timeoutMs) && deadlineSignal === undefined
        ? clearableTimeout(Math.max(1, Math.floor(timeoutMs)), callerSignal)
        : undefined;
    const signal = timeout?.signal ?? deadlineSignal ?? callerSignal ?? new AbortController().signal;
    try {
      return await fn(attempts, signal);
    } finally {
      timeout?.clear();
    }
  };

  const shouldRetry = async (error: Error, attemptNumber: number, retryIndex: number): Promise<boolean> => {
    const { retryable, kind } = classifyError(error);
    if (!retryable) {
      stopReason = 'permanent';
      return false;
    }
    let delayMs = fullJitterDelay(retryIndex, backoff);
    if (kind === 'throttled') delayMs = Math.max(delayMs, Math.min(settings.throttleMinDelayMs, backoff.maxDelayMs));
    if (kind === 'auth_refreshed') {
      if (authRetries >= settings.maxAuthRetries) {
        stopReason = 'auth_retry_used';
        return false;
      }
      authRetries += 1;
      // The new token is what fixes it; waiting does not.
      delayMs = 0;
    }
    const elapsedMs = clock() - start;
    if (kind === 'not_visible' && elapsedMs + delayMs > settings.notVisibleWindowMs) {
      stopReason = 'not_visible_window';
      return false;
    }
    if (remainingMs() - delayMs < settings.minAttemptMs) {
      stopReason = 'deadline';
      return false;
    }
    onRetry?.({ attempt: attemptNumber, delayMs, kind, error: toErrorSummary(error), elapsedMs });
    await sleep(delayMs, callerSignal);
    return true;
  };

  // The first attempt runs before p-retry, which is given it only when it failed, as its own
  // attempt 1 (its error replayed, the operation not run again): every retry decision, wait and
  // abort stays p-retry's, and the happy path (one attempt that succeeds) does not pay p-retry's
  // set-up per call (1.5 % of a message's instructions, docs/performance.md). As with p-retry, a
  // caller's signal aborted before the attempt runs none, and one aborted during a successful
  // attempt still wins.
  let first: { error: unknown } | undefined;
  if (callerSignal?.aborted !== true) {
    try {
      const value = await runAttempt();
      callerSignal?.throwIfAborted();
      return { value, attempts };
    } catch (error) {
      first = { error };
    }
  }
  const attempt = (attemptNumber: number): Promise<T> =>
    first !== undefined && attemptNumber === 1 ? Promise.reject(first.error) : runAttempt();

  try {
    const value = await pRetry(attempt, {
      retries,
      minTimeout: 0,
      signal: callerSignal,
      onFailedAttempt: ({ error, retriesLeft }) => {
        lastError = error;
        lastRetriesLeft = retriesLeft;
      },
      // p-retry 9: a shouldRetry that returns nothing means stop; this one always returns a boolean.
      shouldRetry: ({ error, attemptNumber, retriesConsumed }) => shouldRetry(error, attemptNumber, retriesConsumed),
    });
    return { value, attempts };
  } catch (err) {
    const reason: RetryStopReason =
      callerSignal?.aborted === true ? 'aborted' : (stopReason ?? (lastRetriesLeft > 0 ? 'permanent' : 'exhausted'));
    if (typeof err === 'object' && err !== null) reports.set(err, { attempts, stopReason: reason });
    throw err;
  }
}
