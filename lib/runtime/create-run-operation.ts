import type { Logger } from '../audit/create-logger.ts';
import { RateLimitWaitError } from '../errors/huawei-errors.ts';
import { createRetryPolicy, retryReportOf } from '../retry/with-retry.ts';
import { type ClearableTimeout, clearableTimeout } from '../signals/clearable-timeout.ts';
import type { RunOperation } from '../core/ensure-alias.ts';
import type { CallMeter } from '../outcome/outcome.ts';

export interface RetrySettings {
  maxRetries: number;
  retryMinDelayMs: number;
  retryMaxDelayMs: number;
  retryThrottleMinDelayMs: number;
  requestTimeoutMs: number;
  keyNotVisibleWindowMs: number;
  deadlineMarginMs: number;
}

/** Binds the retry policy to one unit of work: its call meter and its remaining time. */
export type RunOperationFactory = (meter: CallMeter, remainingMs: () => number) => RunOperation;

/**
 * Binds the retry policy (lib/retry) to one message: its meter counts every attempt as an API
 * call (not one that the deadline caught in the rate limiter's queue), and its deadline is the
 * invocation's remaining time minus a margin, so a retry never runs past the Lambda's timeout.
 */
export function createRunOperationFactory(settings: RetrySettings, logger: Logger): RunOperationFactory {
  // Checked once, here (a bad setting fails the cold start), not on every KMS call.
  const policy = createRetryPolicy({
    retries: settings.maxRetries,
    minDelayMs: settings.retryMinDelayMs,
    maxDelayMs: settings.retryMaxDelayMs,
    throttleMinDelayMs: settings.retryThrottleMinDelayMs,
    // No per-attempt timeout here: the KMS client times each request from when it is sent,
    // after its rate-limiter wait, so a queued request never times out before it goes out.
    // The attempt's signal is the invocation deadline alone, which also ends that wait.
    attemptTimeoutMs: Number.POSITIVE_INFINITY,
    minAttemptMs: Math.min(1_000, settings.requestTimeoutMs),
    notVisibleWindowMs: settings.keyNotVisibleWindowMs,
  });
  const deadlines = createDeadlineSignals(settings.deadlineMarginMs);
  return (meter: CallMeter, remainingMs: () => number): RunOperation =>
    async (operation, fn) => {
      try {
        const result = await policy.run((_attempt, signal) => fn(signal), {
          remainingMs: () => remainingMs() - settings.deadlineMarginMs,
          deadlineSignal: deadlines.of(remainingMs),
          onRetry: (event) =>
            logger.debug('retrying', {
              operation,
              attempt: event.attempt,
              delay_ms: event.delayMs,
              kind: event.kind,
              error: event.error,
            }),
        });
        meter.apiCalls += result.attempts;
        meter.retries += result.attempts - 1;
        return result.value;
      } catch (err) {
        // An attempt that never left the rate limiter's queue is not a call.
        const attempts = (retryReportOf(err)?.attempts ?? 1) - (err instanceof RateLimitWaitError ? 1 : 0);
        meter.apiCalls += attempts;
        meter.retries += Math.max(0, attempts - 1);
        throw err;
      }
    };
}

/**
 * One signal per invocation deadline, for every attempt of every message of the batch: each
 * attempt would otherwise make its own controller and timer, all ending at that same deadline.
 * A batch's `remainingMs` counts down to one fixed deadline, and each invocation brings a new
 * function (functions/create-key-alias/app.ts), so the signal is kept for the function it was
 * made for; the next batch's replaces it and clears its timer.
 */
function createDeadlineSignals(marginMs: number): { of(remainingMs: () => number): AbortSignal | undefined } {
  let current: { remainingMs: () => number; deadline: ClearableTimeout | undefined } | undefined;
  return {
    of(remainingMs) {
      if (current?.remainingMs !== remainingMs) {
        current?.deadline?.clear();
        const ms = remainingMs() - marginMs;
        // No deadline (an unlimited budget) or none left: the retry policy decides without a signal.
        current = {
          remainingMs,
          deadline: Number.isFinite(ms) && ms >= 1 ? clearableTimeout(Math.floor(ms)) : undefined,
        };
      }
      return current.deadline?.signal;
    },
  };
}
