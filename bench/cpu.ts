// 5. CPU per message: the handler's own CPU time per message on the happy path, network waits
// excluded: the emulator answers at once (latency 0) and runs in this process, the handler in
// its own (bench/handler-process.ts), whose CPU time (process.cpuUsage, every thread) is taken
// around each invocation. Baseline, in the same run: a floor handler making one bare HTTP POST
// per message over node:http, the least any implementation of this function must spend.
import { startKmsEmulator } from '../emulator/kms-emulator.ts';
import { LOCAL_EMULATOR_ACCOUNT } from '../test/support/local-account.ts';
import { functionEnv, newKeyBodies, seedKeys } from './fixtures.ts';
import { startFloorServer } from './floor-server.ts';
import { DEFAULT_BASELINE_REF } from './baseline-ref.ts';
import { startInstance } from './instance.ts';
import { type CompileTime, measureCompileTime } from './jit-compile-time.ts';

const FLOOR_HANDLER = new URL('./floor-handler.mjs', import.meta.url).pathname;
import { sleep, spread, sum, type Figure } from './stats.ts';

/** Target: at most this many ms of CPU per message (issue 9 docs/huawei-kms.md#key-events). */
export const CPU_TARGET_MS = 0.25;
/**
 * What issue 9 measured for the default baseline (`1a8636e`): 0.44 ms. The absolute figure moves
 * with the machine's load by more than the changes it judges (0.26–0.41 ms for one bundle between
 * runs), so, as the cold start's instruction count is read against the baseline's 62 ms, the
 * paired ratio to that baseline is also read against its 0.44 ms.
 */
const BASELINE_ISSUE_MS = 0.44;
const BATCH = 10;

export async function benchCpu(options: {
  runs: number;
  batchesPerRun: number;
  warmupBatches: number;
  handlerPath: string;
  /** bench/in-memory-kms/handler.ts built: the same handler with KMS answered in memory. */
  inMemoryHandlerPath: string;
  /** An earlier commit's bundles (bench/baseline-ref.ts), run interleaved with these. */
  baseline?: {
    label: string;
    handlerPath: string;
    inMemoryHandlerPath: string | undefined;
    /** Every instance gets only these sample shapes, so both commits parse the same bodies. */
    sampleNames: readonly string[];
  };
}): Promise<{ figures: Figure[]; detail: Record<string, unknown> }> {
  const emulator = await startKmsEmulator({ accounts: [LOCAL_EMULATOR_ACCOUNT] });
  const floorServer = await startFloorServer(0);
  // The per-instance throttle at its ceiling, and batches paced below it: its waits are not CPU,
  // but they would turn a CPU benchmark into a throttle one.
  const env = functionEnv(
    { kmsUrl: emulator.url, dlqUrl: 'http://127.0.0.1:9/000000000000/unused-dlq', sqsEndpoint: 'http://127.0.0.1:9' },
    { KMS_RATE_LIMIT: '1000' },
  );
  const lines = { count: 0 };
  const instance = await startInstance(options.handlerPath, env, () => (lines.count += 1));
  const floor = await startInstance(FLOOR_HANDLER, { FLOOR_URL: floorServer.url });
  const fetchFloor = await startInstance(FLOOR_HANDLER, { FLOOR_URL: floorServer.url, FLOOR_CLIENT: 'fetch' });
  const http1Floor = await startInstance(FLOOR_HANDLER, { FLOOR_URL: floorServer.url, FLOOR_CLIENT: 'http1' });
  const inMemory = await startInstance(options.inMemoryHandlerPath, env, () => undefined);
  const before =
    options.baseline === undefined
      ? undefined
      : await startInstance(options.baseline.handlerPath, env, () => undefined);
  const beforeInMemory =
    options.baseline?.inMemoryHandlerPath === undefined
      ? undefined
      : await startInstance(options.baseline.inMemoryHandlerPath, env, () => undefined);
  let baselineKeys = 0;
  try {
    let next = 0;
    const batch = () => {
      const bodies = newKeyBodies('cpu0', BATCH, next, options.baseline?.sampleNames);
      next += BATCH;
      seedKeys(emulator, bodies);
      return bodies.map((b) => b.body);
    };
    const floorBodies = Array.from({ length: BATCH }, (_, i) => `{"n":${i}}`);
    let failures = 0;
    // One batch of every instance, in an order that rotates from batch to batch. An instance
    // invoked first after the pause between batches costs more than the same one invoked right
    // after another process ran (an A/A pair of the same bundle in a fixed order gives 0.94× for
    // the second): in a fixed order the handler always took the dearest slot and the baseline
    // a cheaper one. Rotated, each instance takes every slot equally often.
    type Step = () => Promise<void>;
    const rotated = async (steps: Step[], round: number) => {
      for (let k = 0; k < steps.length; k++) await steps[(k + round) % steps.length]!();
    };
    const baselineBatch = async () => {
      const r = await before!.invoke(batch());
      failures += r.result.batchItemFailures.length;
      baselineKeys += BATCH;
      return r;
    };
    for (let i = 0; i < options.warmupBatches; i++) {
      await rotated(
        [
          async () => void (failures += (await instance.invoke(batch())).result.batchItemFailures.length),
          async () => void (await floor.invoke(floorBodies)),
          async () => void (await fetchFloor.invoke(floorBodies)),
          async () => void (await http1Floor.invoke(floorBodies)),
          async () => void (await inMemory.invoke(batch())),
          ...(before === undefined ? [] : [async () => void (await baselineBatch())]),
          ...(beforeInMemory === undefined ? [] : [async () => void (await beforeInMemory.invoke(batch()))]),
        ],
        i,
      );
    }
    const handlerMs: number[] = [];
    const threadMs: number[] = [];
    const systemMs: number[] = [];
    const floorSystemMs: number[] = [];
    const floorMs: number[] = [];
    const fetchMs: number[] = [];
    const http1Ms: number[] = [];
    const memoryMs: number[] = [];
    const wallMs: number[] = [];
    const beforeMs: number[] = [];
    const beforeMemoryMs: number[] = [];
    // Each batch against the baseline's batch that ran next to it: a load spike on this shared
    // machine moves one pair, not a whole run, so their median resolves smaller differences.
    const batchRatios: number[] = [];
    const memoryBatchRatios: number[] = [];
    for (let run = 0; run < options.runs; run++) {
      const h: number[] = [];
      const t: number[] = [];
      const k: number[] = [];
      const fk: number[] = [];
      const f: number[] = [];
      const g: number[] = [];
      const t1: number[] = [];
      const m: number[] = [];
      const w: number[] = [];
      const b: number[] = [];
      const bm: number[] = [];
      for (let i = 0; i < options.batchesPerRun; i++) {
        let handlerUs = 0;
        let memoryUs = 0;
        await rotated(
          [
            async () => {
              const r = await instance.invoke(batch());
              failures += r.result.batchItemFailures.length;
              handlerUs = r.cpuUs;
              h.push(r.cpuUs);
              t.push(r.threadCpuUs);
              k.push(r.systemCpuUs);
              w.push(r.wallMs);
            },
            async () => {
              const fl = await floor.invoke(floorBodies);
              f.push(fl.cpuUs);
              fk.push(fl.systemCpuUs);
            },
            async () => void g.push((await fetchFloor.invoke(floorBodies)).cpuUs),
            async () => void t1.push((await http1Floor.invoke(floorBodies)).cpuUs),
            async () => {
              memoryUs = (await inMemory.invoke(batch())).cpuUs;
              m.push(memoryUs);
            },
            ...(before === undefined ? [] : [async () => void b.push((await baselineBatch()).cpuUs)]),
            ...(beforeInMemory === undefined
              ? []
              : [async () => void bm.push((await beforeInMemory.invoke(batch())).cpuUs)]),
          ],
          run * options.batchesPerRun + i,
        );
        if (before !== undefined) batchRatios.push(handlerUs / b.at(-1)!);
        if (beforeInMemory !== undefined) memoryBatchRatios.push(memoryUs / bm.at(-1)!);
        // At most ~1,000 calls a second, under KMS_RATE_LIMIT=1000.
        await sleep(BATCH);
      }
      const messages = options.batchesPerRun * BATCH;
      handlerMs.push(sum(h) / messages / 1_000);
      threadMs.push(sum(t) / messages / 1_000);
      systemMs.push(sum(k) / messages / 1_000);
      floorSystemMs.push(sum(fk) / messages / 1_000);
      floorMs.push(sum(f) / messages / 1_000);
      fetchMs.push(sum(g) / messages / 1_000);
      http1Ms.push(sum(t1) / messages / 1_000);
      memoryMs.push(sum(m) / messages / 1_000);
      wallMs.push(sum(w) / messages);
      if (b.length > 0) beforeMs.push(sum(b) / messages / 1_000);
      if (bm.length > 0) beforeMemoryMs.push(sum(bm) / messages / 1_000);
    }
    const created = emulator.calls.filter((c) => c.operation === 'createAlias' && c.status === 201).length;
    const expected = BATCH * (options.warmupBatches + options.runs * options.batchesPerRun) + baselineKeys;
    // (the in-memory variant's batches use keys too, but never reach the emulator)
    if (failures > 0 || created !== expected)
      throw new Error(`cpu: ${created} of ${expected} aliases created, ${failures} failures`);
    // After the measured runs, one traced instance of each commit, alone: what V8's compiling
    // makes of the figure (bench/jit-compile-time.ts).
    const traced = async (handlerPath: string) =>
      measureCompileTime(
        (onLine) => startInstance(handlerPath, env, onLine, ['--trace-opt']),
        batch,
        { warmup: options.warmupBatches, measured: options.runs * options.batchesPerRun },
        () => sleep(BATCH),
      );
    const compiled = await traced(options.handlerPath);
    const baselineCompiled = options.baseline === undefined ? undefined : await traced(options.baseline.handlerPath);
    const value = spread(handlerMs);
    const group = 'CPU per message';
    // Each row per run against the bare node:http call of the same run.
    const againstFloor = (name: string, values: number[], note: string): Figure => ({
      group,
      name,
      unit: 'ms',
      value: spread(values),
      baseline: { name: 'one bare node:http call', value: spread(floorMs) },
      ratio: spread(values.map((v, i) => v / floorMs[i]!)),
      note,
    });
    const figures: Figure[] = [
      {
        ...againstFloor(
          'handler, happy path (process, all threads)',
          handlerMs,
          `${options.runs} runs × ${options.batchesPerRun * BATCH} messages after ${options.warmupBatches * BATCH} warm-up; main thread alone ${spread(threadMs).median.toFixed(3)} ms; in the kernel ${spread(systemMs).median.toFixed(3)} ms (floor ${spread(floorSystemMs).median.toFixed(3)})`,
        ),
        target: { text: `≤ ${CPU_TARGET_MS} ms`, met: value.median <= CPU_TARGET_MS },
      },
      againstFloor(
        '  same handler, KMS answered in memory (no HTTP)',
        memoryMs,
        'bench/in-memory-kms: parsing, naming, signing, retry policy, audit log; the rest of the first row is the HTTP exchange',
      ),
      againstFloor(
        '  one bare call through the KMS transport',
        http1Ms,
        "the same POST through lib/huawei/http1-transport.ts, the KMS client's HTTP/1.1 transport: what the HTTP exchange costs the handler at least",
      ),
      againstFloor(
        '  one bare fetch() call, for comparison',
        fetchMs,
        'why the KMS client sends over neither fetch nor node:http (docs/performance.md, section 5)',
      ),
    ];
    if (options.baseline !== undefined && beforeMs.length > 0) {
      // Only the default baseline has a figure measured by the issue to scale the ratio by.
      const paired = quartiles(batchRatios).median;
      const estimate = options.baseline.label.startsWith(DEFAULT_BASELINE_REF) ? paired * BASELINE_ISSUE_MS : undefined;
      figures.push({
        group,
        name: '  handler, happy path: this commit against the baseline',
        unit: 'ms',
        value,
        baseline: { name: options.baseline.label, value: spread(beforeMs) },
        ratio: spread(handlerMs.map((v, i) => v / beforeMs[i]!)),
        ...(estimate === undefined
          ? {}
          : {
              target: {
                text: `≤ ${CPU_TARGET_MS} ms at the baseline's ${BASELINE_ISSUE_MS} ms`,
                met: estimate <= CPU_TARGET_MS,
              },
            }),
        note:
          `the baseline bundle runs interleaved with the others, batch for batch, against the same emulator; ${pairedNote(batchRatios)}` +
          (estimate === undefined
            ? ''
            : `; paired ratio × ${BASELINE_ISSUE_MS} ms (the baseline as issue 9 measured it) ≈ ${estimate.toFixed(3)} ms`),
      });
    }
    const windowMessages = options.runs * options.batchesPerRun * BATCH;
    if (compiled !== undefined) {
      const perMessage = (c: CompileTime) => spread([c.totalMs / windowMessages]);
      figures.push({
        group,
        name: '  of which V8 compiling the handler (a traced instance)',
        unit: 'ms',
        value: perMessage(compiled),
        ...(baselineCompiled === undefined || options.baseline === undefined
          ? {}
          : {
              baseline: { name: options.baseline.label, value: perMessage(baselineCompiled) },
              ratio: spread([compiled.totalMs / baselineCompiled.totalMs]),
            }),
        note: `${describeCompileTime(compiled)} over the ${windowMessages} messages after the warm-up${
          baselineCompiled === undefined ? '' : `; the baseline ${describeCompileTime(baselineCompiled)}`
        }; once per instance; one more instance of each commit run alone afterwards with --trace-opt, the times V8 prints`,
      });
    }
    if (options.baseline !== undefined && beforeMemoryMs.length > 0) {
      figures.push({
        group,
        name: '  KMS in memory: this commit against the baseline',
        unit: 'ms',
        value: spread(memoryMs),
        baseline: { name: options.baseline.label, value: spread(beforeMemoryMs) },
        ratio: spread(memoryMs.map((v, i) => v / beforeMemoryMs[i]!)),
        note: `the baseline's own bench/in-memory-kms handler, built in this run; ${pairedNote(memoryBatchRatios)}`,
      });
    }
    return {
      figures,
      detail: {
        runs: options.runs,
        messagesPerRun: options.batchesPerRun * BATCH,
        handlerMsPerMessage: value,
        mainThreadMsPerMessage: spread(threadMs),
        kernelMsPerMessage: spread(systemMs),
        floorKernelMsPerMessage: spread(floorSystemMs),
        floorHttpMsPerMessage: spread(floorMs),
        floorFetchMsPerMessage: spread(fetchMs),
        floorHttp1MsPerMessage: spread(http1Ms),
        inMemoryKmsMsPerMessage: spread(memoryMs),
        handlerWallMsPerMessage: spread(wallMs),
        logLines: lines.count,
        baselineMsPerMessage: beforeMs.length > 0 ? spread(beforeMs) : undefined,
        baselineInMemoryMsPerMessage: beforeMemoryMs.length > 0 ? spread(beforeMemoryMs) : undefined,
        baselineBatchRatio: batchRatios.length > 0 ? quartiles(batchRatios) : undefined,
        baselineInMemoryBatchRatio: memoryBatchRatios.length > 0 ? quartiles(memoryBatchRatios) : undefined,
        compileTime: compiled,
        baselineCompileTime: baselineCompiled,
      },
    };
  } finally {
    await Promise.all([
      instance.stop(),
      floor.stop(),
      fetchFloor.stop(),
      http1Floor.stop(),
      inMemory.stop(),
      before?.stop(),
      beforeInMemory?.stop(),
    ]);
    await emulator.stop();
    await floorServer.stop();
  }
}

/** `TurboFan 148 ms + Maglev 105 ms (412 functions)`. */
function describeCompileTime(c: CompileTime): string {
  const tiers = Object.entries(c.byTier)
    .sort((a, b) => b[1] - a[1])
    .map(([tier, ms]) => `${tierName(tier)} ${ms.toFixed(0)} ms`);
  return `${tiers.join(' + ')} (${c.compiles} compiles)`;
}

function tierName(tier: string): string {
  if (tier.startsWith('TURBOFAN')) return 'TurboFan';
  if (tier === 'MAGLEV') return 'Maglev';
  return tier;
}

/** Median and quartiles of per-batch ratios. */
function quartiles(values: readonly number[]): { median: number; q1: number; q3: number; batches: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (f: number) => sorted[Math.round(f * (sorted.length - 1))] ?? Number.NaN;
  return { median: at(0.5), q1: at(0.25), q3: at(0.75), batches: sorted.length };
}

function pairedNote(values: readonly number[]): string {
  const q = quartiles(values);
  return `median of the ${q.batches} per-batch paired ratios ${q.median.toFixed(3)}× (quartiles ${q.q1.toFixed(2)}–${q.q3.toFixed(2)})`;
}
