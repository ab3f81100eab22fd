import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../lib/audit/create-logger.ts';
import type { CallMeter } from '../../../lib/outcome/outcome.ts';
import { createRunOperationFactory, type RetrySettings } from '../../../lib/runtime/create-run-operation.ts';

const settings: RetrySettings = {
  maxRetries: 2,
  retryMinDelayMs: 1,
  retryMaxDelayMs: 2,
  retryThrottleMinDelayMs: 1,
  // No attempt starts with less than min(1 s, this) left: small, so short deadlines still run.
  requestTimeoutMs: 10,
  keyNotVisibleWindowMs: 0,
  deadlineMarginMs: 20,
};
const meter = (): CallMeter => ({ apiCalls: 0, retries: 0 });
const logger = createLogger({ write: () => undefined });

describe('createRunOperationFactory()', () => {
  it("gives every operation of a batch one signal that aborts at the batch's deadline less the margin", async () => {
    const createRun = createRunOperationFactory(settings, logger);
    const deadline = Date.now() + 300;
    const batch = () => deadline - Date.now();
    const seen: AbortSignal[] = [];
    const run = createRun(meter(), batch);
    await run('first', async (signal) => seen.push(signal));
    await createRun(meter(), batch)('second', async (signal) => seen.push(signal));
    expect(seen[0]).toBe(seen[1]);
    expect(seen[0]?.aborted).toBe(false);
    // Aborted by the deadline (300 ms less the 20 ms margin), with the reason a timeout gives.
    const reason = await new Promise((resolve) => seen[0]?.addEventListener('abort', () => resolve(seen[0]?.reason)));
    expect(reason).toMatchObject({ name: 'TimeoutError' });
    expect(Date.now()).toBeGreaterThanOrEqual(deadline - settings.deadlineMarginMs - 5);
  });

  it("gives the next batch its own signal and clears the last one's timer", async () => {
    const createRun = createRunOperationFactory(settings, logger);
    const seen: AbortSignal[] = [];
    const first = Date.now() + 400;
    await createRun(meter(), () => first - Date.now())('op', async (signal) => seen.push(signal));
    await createRun(meter(), () => 60_000)('op', async (signal) => seen.push(signal));
    expect(seen[0]).not.toBe(seen[1]);
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(seen[0]?.aborted).toBe(false);
    expect(seen[1]?.aborted).toBe(false);
  });

  it('makes no deadline signal for an unlimited budget', async () => {
    const createRun = createRunOperationFactory(settings, logger);
    const seen: AbortSignal[] = [];
    const unlimited = () => Number.POSITIVE_INFINITY;
    await createRun(meter(), unlimited)('op', async (signal) => seen.push(signal));
    await createRun(meter(), unlimited)('op', async (signal) => seen.push(signal));
    expect(seen).toHaveLength(2);
    expect(seen[0]).not.toBe(seen[1]);
    expect(seen.every((signal) => !signal.aborted)).toBe(true);
  });
});
