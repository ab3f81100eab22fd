// 4. Throttled throughput: new keys drained through the local event-source runner (fauxqs queue,
// the built bundle in Lambda-like instances) while the emulator enforces KMS's 20 calls a second
// per user as the gateway does (429 APIGW.0308 above it). The fleet: `maxConcurrency` instances,
// each throttling itself to KMS_RATE_LIMIT = ⌊20 / maxConcurrency⌋, so the sum stays ≤ 20.
import { runLocal } from '../local/run-local.ts';
import { newKeyBodies } from './fixtures.ts';
import { constant, spread, type Figure } from './stats.ts';

/** The account's limit the emulator enforces (docs/huawei-kms.md#rate-limits). */
export const ACCOUNT_LIMIT = 20;
export const INSTANCES = 2;
/** Target: at least this share of the limit, and fewer than this share of calls throttled. */
export const THROUGHPUT_TARGET = 0.9;
export const THROTTLED_TARGET = 0.05;
const WINDOW_MS = 5_000;

export async function benchThroughput(options: {
  keys: number;
  handlerPath: string;
}): Promise<{ figures: Figure[]; detail: Record<string, unknown> }> {
  const perInstance = Math.floor(ACCOUNT_LIMIT / INSTANCES);
  const bodies = newKeyBodies('thru', options.keys).map((b, i) => ({ name: `key-${i}`, body: b.body }));
  const started = performance.now();
  const result = await runLocal({
    eventsDir: 'events',
    bodies,
    extras: false,
    handlerPath: options.handlerPath,
    env: { KMS_RATE_LIMIT: String(perInstance) },
    batchSize: 10,
    maxConcurrency: INSTANCES,
    timeoutMs: 60_000,
    visibilityTimeoutS: 30,
    emulatorOptions: { rateLimit: { perSecond: ACCOUNT_LIMIT } },
  });
  const endToEndMs = performance.now() - started;
  try {
    const calls = (result.emulator?.calls ?? []).filter((c) => c.operation !== 'iamToken');
    const created = calls.filter((c) => c.operation === 'createAlias' && c.status === 201);
    const throttled = calls.filter((c) => c.status === 429).length;
    const first = calls[0]?.at ?? 0;
    const last = created.at(-1)?.at ?? first;
    const spanS = Math.max(1e-3, (last - first) / 1_000);
    const rate = created.length / spanS;
    // The same rate over consecutive 5 s windows of the run (the last, partial one left out).
    const windows: number[] = [];
    for (let from = first; from + WINDOW_MS <= last; from += WINDOW_MS) {
      windows.push(created.filter((c) => c.at >= from && c.at < from + WINDOW_MS).length / (WINDOW_MS / 1_000));
    }
    const aliased = [...result.scenario.expectedAliases].filter(([keyId, alias]) =>
      (result.aliases.get(keyId) ?? []).includes(alias),
    ).length;
    const lost = options.keys - aliased;
    const checksPassed = result.checks.every((c) => c.pass);
    const throttledShare = calls.length === 0 ? 0 : throttled / calls.length;
    const group = 'throttled throughput';
    const rateSpread = windows.length > 0 ? { ...spread(windows), median: rate } : spread([rate]);
    const figures: Figure[] = [
      {
        group,
        name: `${options.keys} new keys, ${INSTANCES} instances × ${perInstance}/s, limit ${ACCOUNT_LIMIT}/s`,
        unit: 'keys/s',
        value: rateSpread,
        baseline: { name: 'the account limit', value: constant(ACCOUNT_LIMIT) },
        ratio: {
          ...rateSpread,
          median: rate / ACCOUNT_LIMIT,
          min: rateSpread.min / ACCOUNT_LIMIT,
          max: rateSpread.max / ACCOUNT_LIMIT,
        },
        target: {
          text: `≥ ${THROUGHPUT_TARGET * ACCOUNT_LIMIT} keys/s`,
          met: rate >= THROUGHPUT_TARGET * ACCOUNT_LIMIT,
        },
        note: `over the whole run (first call → last alias); min–max over ${windows.length} windows of ${WINDOW_MS / 1_000} s`,
      },
      {
        group,
        name: '  calls throttled (429 APIGW.0308)',
        unit: '%',
        value: spread([throttledShare * 100]),
        target: { text: `< ${THROTTLED_TARGET * 100}%`, met: throttledShare < THROTTLED_TARGET },
        note: `${throttled} of ${calls.length} KMS calls`,
      },
      {
        group,
        name: '  end to end (enqueue → queue drained)',
        unit: 's',
        value: spread([endToEndMs / 1_000]),
        baseline: { name: `${options.keys} keys at the limit`, value: constant(options.keys / ACCOUNT_LIMIT) },
        ratio: spread([endToEndMs / 1_000 / (options.keys / ACCOUNT_LIMIT)]),
        note: `includes starting fauxqs and the emulator, enqueueing, cold starts and the runner's 1 s idle check`,
      },
      {
        group,
        name: '  keys lost',
        unit: 'keys',
        value: spread([lost]),
        target: { text: 'none, every check passes', met: lost === 0 && checksPassed },
        note: `${aliased}/${options.keys} aliased; ${result.dlq.length} in the DLQ; ${result.runner.invocations} invocations, ${result.runner.coldStarts} cold starts; checks ${
          checksPassed
            ? 'pass'
            : `FAIL: ${result.checks
                .filter((c) => !c.pass)
                .map((c) => c.name)
                .join('; ')}`
        }`,
      },
    ];
    return {
      figures,
      detail: {
        keys: options.keys,
        instances: INSTANCES,
        kmsRateLimitPerInstance: perInstance,
        keysPerSecond: rate,
        windows,
        callsTotal: calls.length,
        throttled,
        endToEndS: endToEndMs / 1_000,
        runnerS: result.runner.durationMs / 1_000,
        aliased,
        dlq: result.dlq.length,
        invocations: result.runner.invocations,
        redeliveries: [...result.runner.receives.values()].filter((n) => n > 1).length,
        checks: result.checks,
      },
    };
  } finally {
    await result.stop();
  }
}
