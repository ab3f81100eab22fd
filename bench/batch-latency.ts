// 2. Batch latency: one batch of 10 new keys against the emulator answering every call after
// 50 ms, with the function's defaults (CONCURRENCY 10, KMS_RATE_LIMIT 18/s). Compared with the
// parallel lower bound (one call's latency: 50 ms) and the sequential one (10 × 50 ms), and with
// the same bounds measured in this run by a floor handler making 10 bare HTTP calls.
import { startKmsEmulator } from '../emulator/kms-emulator.ts';
import { LOCAL_EMULATOR_ACCOUNT } from '../test/support/local-account.ts';
import { functionEnv, newKeyBodies, seedKeys } from './fixtures.ts';
import { startFloorServer } from './floor-server.ts';
import { startInstance } from './instance.ts';

const FLOOR_HANDLER = new URL('./floor-handler.mjs', import.meta.url).pathname;
import { constant, sleep, spread, type Figure } from './stats.ts';

export const LATENCY_MS = 50;
export const BATCH = 10;
/** Target: batch wall time ≤ this × the parallel bound. */
export const LATENCY_TARGET = 1.5;

export async function benchBatchLatency(options: {
  runs: number;
  /** Batches the instance serves, unrecorded, between its first batch and the measured ones. */
  warmupBatches: number;
  handlerPath: string;
}): Promise<{ figures: Figure[]; detail: Record<string, unknown> }> {
  const emulator = await startKmsEmulator({ accounts: [LOCAL_EMULATOR_ACCOUNT], latencyMs: LATENCY_MS });
  const floor = await startFloorServer(LATENCY_MS);
  const lines: string[] = [];
  const env = functionEnv({
    kmsUrl: emulator.url,
    dlqUrl: 'http://127.0.0.1:9/000000000000/unused-dlq',
    sqsEndpoint: 'http://127.0.0.1:9',
  });
  const instance = await startInstance(options.handlerPath, env, (line) => lines.push(line));
  const parallel = await startInstance(FLOOR_HANDLER, { FLOOR_URL: floor.url, FLOOR_MODE: 'parallel' });
  const sequential = await startInstance(FLOOR_HANDLER, { FLOOR_URL: floor.url, FLOOR_MODE: 'sequential' });
  try {
    let next = 0;
    const batch = () => {
      const bodies = newKeyBodies('late', BATCH, next);
      next += BATCH;
      seedKeys(emulator, bodies);
      return bodies.map((b) => b.body);
    };
    const floorBodies = Array.from({ length: BATCH }, (_, i) => `{"n":${i}}`);
    // The instance's first batch: connections opened, lazily compiled code run for the first time.
    const first = await instance.invoke(batch());
    await parallel.invoke(floorBodies);
    await sequential.invoke(floorBodies);
    // A warm instance has served batches before: its code is compiled and optimised (a Lambda
    // instance serves hundreds). Back to back: these wait on the throttle, which is not measured.
    let failures = first.result.batchItemFailures.length;
    for (let i = 0; i < options.warmupBatches; i++)
      failures += (await instance.invoke(batch())).result.batchItemFailures.length;
    const wall: number[] = [];
    const floorParallel: number[] = [];
    const floorSequential: number[] = [];
    for (let run = 0; run < options.runs; run++) {
      // Each batch on an instance whose 1 s throttle window is clear: back-to-back batches are
      // the throughput benchmark's subject, not this one's.
      await sleep(1_050);
      const h = await instance.invoke(batch());
      failures += h.result.batchItemFailures.length;
      wall.push(h.wallMs);
      floorParallel.push((await parallel.invoke(floorBodies)).wallMs);
      floorSequential.push((await sequential.invoke(floorBodies)).wallMs);
    }
    const created = lines.filter((l) => l.includes('"log_type":"audit"') && l.includes('"outcome":"created"')).length;
    const expected = BATCH * (options.runs + 1 + options.warmupBatches);
    if (failures > 0 || created !== expected) {
      throw new Error(`batch latency: ${created} of ${expected} keys created, ${failures} failures`);
    }
    const ratio = spread(wall.map((w) => w / LATENCY_MS));
    const group = 'batch latency';
    const figures: Figure[] = [
      {
        group,
        name: `warm batch of ${BATCH} new keys, ${LATENCY_MS} ms per call`,
        unit: 'ms',
        value: spread(wall),
        baseline: { name: `parallel bound (${LATENCY_MS} ms)`, value: constant(LATENCY_MS) },
        ratio,
        target: { text: `≤ ${LATENCY_TARGET}× parallel bound`, met: ratio.median <= LATENCY_TARGET },
        note: `${options.runs} batches after ${options.warmupBatches + 1}; sequential bound ${BATCH * LATENCY_MS} ms: ${(spread(wall).median / (BATCH * LATENCY_MS)).toFixed(2)}× of it`,
      },
      {
        group,
        name: '  same, vs the measured parallel floor',
        unit: 'ms',
        value: spread(wall),
        baseline: { name: `${BATCH} bare HTTP calls at once`, value: spread(floorParallel) },
        ratio: spread(wall.map((w, i) => w / floorParallel[i]!)),
        note: `measured sequential floor ${spread(floorSequential).median.toFixed(0)} ms`,
      },
      {
        group,
        name: "  the instance's first batch (after its cold start)",
        unit: 'ms',
        value: spread([first.wallMs]),
        baseline: { name: `parallel bound (${LATENCY_MS} ms)`, value: constant(LATENCY_MS) },
        ratio: spread([first.wallMs / LATENCY_MS]),
        note: 'one sample per run: first connections and first runs of lazily compiled code',
      },
    ];
    return {
      figures,
      detail: {
        runs: options.runs,
        warmupBatches: options.warmupBatches,
        wallMs: spread(wall),
        firstBatchMs: first.wallMs,
        floorParallelMs: spread(floorParallel),
        floorSequentialMs: spread(floorSequential),
      },
    };
  } finally {
    await Promise.all([instance.stop(), parallel.stop(), sequential.stop()]);
    await emulator.stop();
    await floor.stop();
  }
}
