// The client-side rate limiter (KMS_RATE_LIMIT) as the Lambda wires it: createKmsFromConfig,
// the retry policy of createRunOperationFactory and ensureAlias, against the emulator. Time spent
// queued for the limiter is not part of a request: a queued CreateAlias must not time out before
// it is sent, nor be counted as a call or as an unanswered create; the invocation deadline alone
// ends the wait.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../lib/audit/create-logger.ts';
import { loadConfig } from '../../lib/config/load-config.ts';
import { type EnsureObservations, ensureAlias } from '../../lib/core/ensure-alias.ts';
import type { CallMeter } from '../../lib/outcome/outcome.ts';
import { createAliasApi } from '../../lib/runtime/create-alias-api.ts';
import { createKmsFromConfig } from '../../lib/runtime/create-kms-from-config.ts';
import { createRunOperationFactory } from '../../lib/runtime/create-run-operation.ts';
import { LOCAL_ACCOUNT } from '../support/local-account.ts';
import { startStack, type Stack } from '../support/stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => stack.stop());
beforeEach(() => stack.emulator.reset());

/** Three CreateAlias for three keys at once, through one client limited to 1 call a second. */
async function createThree(budgetMs: number) {
  // 300 ms per request, 500 ms deadline margin (stack.env): the 2nd and 3rd wait 1 s and 2 s.
  const config = loadConfig(stack.env({ KMS_RATE_LIMIT: '1', REQUEST_TIMEOUT_MS: '300' }));
  const api = createAliasApi(createKmsFromConfig(config));
  const createRun = createRunOperationFactory(config, createLogger({ write: () => {} }));
  const started = performance.now();
  const remainingMs = () => budgetMs - (performance.now() - started);
  const keys = [0, 1, 2].map((i) => stack.emulator.state.createKey(LOCAL_ACCOUNT.projectId, { key_alias: `k${i}` }));
  return Promise.all(
    keys.map(async (key, i) => {
      const meter: CallMeter = { apiCalls: 0, retries: 0 };
      const observed: EnsureObservations = { unansweredCreates: 0 };
      const target = { region: LOCAL_ACCOUNT.region, projectId: LOCAL_ACCOUNT.projectId, keyId: key.key_id };
      const result = await ensureAlias(
        api,
        { ...target, alias: `alias/rate-${i}` },
        createRun(meter, remainingMs),
        observed,
      )
        .then((r) => r.status)
        .catch((err: unknown) => err);
      return { result, meter, observed };
    }),
  );
}

describe('KMS_RATE_LIMIT below the request rate', () => {
  it('sends each queued CreateAlias once, timed from when it is sent: no timeout, no extra call', async () => {
    const results = await createThree(60_000);

    expect(results.map((r) => r.result)).toEqual(['created', 'created', 'created']);
    for (const { meter, observed } of results) {
      expect(meter).toEqual({ apiCalls: 1, retries: 0 });
      expect(observed.unansweredCreates).toBe(0);
    }
    expect(stack.emulator.calls.filter((c) => c.operation === 'createAlias').map((c) => c.status)).toEqual([
      201, 201, 201,
    ]);
  });

  it('ends a wait that outlasts the invocation deadline: not sent, not a call, not an unanswered create', async () => {
    // Deadline 2000 - 500 (margin) = 1500 ms: the 2nd request (sent at 1 s) fits, the 3rd (2 s) does not.
    const results = await createThree(2_000);

    expect(results.slice(0, 2).map((r) => r.result)).toEqual(['created', 'created']);
    const last = results[2];
    expect(last?.result).toMatchObject({ code: 'DEADLINE_EXCEEDED', retryable: true });
    expect(last?.meter.apiCalls).toBe(0);
    expect(last?.observed.unansweredCreates).toBe(0);
    expect(stack.emulator.calls.filter((c) => c.operation === 'createAlias')).toHaveLength(2);
  });
});
