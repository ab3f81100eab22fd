// CPU per message in instructions: a handler instance (bench/handler-process.ts) run under
// valgrind's callgrind, counted only over the measured batches. Like the cold start's count
// (instruction-count.ts) it repeats on a machine otherwise idle (to 0.3 %), so a change of a
// percent or two shows, where the CPU-time figure moves by more than that from run to run. Work
// beside it (a test run) raised the counts by 3-8 %: read it with nothing else running. Node runs with
// --single-threaded: V8's compiling and its GC helpers run on the main thread and are counted.
// What is not counted: the kernel's side of the socket and pipe writes. What is counted on both
// sides alike: the harness's IPC (the batch comes in as JSON).
import { execFile, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { type KmsEmulator, startKmsEmulator } from '../emulator/kms-emulator.ts';
import { LOCAL_EMULATOR_ACCOUNT } from '../test/support/local-account.ts';
import { toSqsRecord } from '../test/support/sqs-records.ts';
import { functionEnv, newKeyBodies, seedKeys } from './fixtures.ts';
import { childEnv } from './instance.ts';
import { type Figure, spread } from './stats.ts';

const run = promisify(execFile);
const BATCH = 10;

export interface MessageInstructionOptions {
  handlerPath: string;
  emulator: KmsEmulator;
  env: Record<string, string>;
  /**
   * The first key number. Two instances counted at once must not share numbers: the template's
   * alias takes the key id's first eight characters (the number), so a shared one is a conflict.
   */
  firstKey: number;
  warmupBatches: number;
  batches: number;
  /** Only these sample shapes, as the CPU figure sends both commits. */
  sampleNames?: readonly string[] | undefined;
}

/** Instructions per message over `batches` batches of ten new keys after `warmupBatches`. */
export async function countMessageInstructions(options: MessageInstructionOptions): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'kms-auto-alias-callgrind-'));
  const child = fork(new URL('./handler-process.ts', import.meta.url), [options.handlerPath], {
    execPath: 'valgrind',
    execArgv: [
      '--tool=callgrind',
      // Counted from the first measured batch on: callgrind_control switches it on.
      '--instr-atstart=no',
      `--callgrind-out-file=${join(dir, 'callgrind.out')}`,
      process.execPath,
      '--single-threaded',
    ],
    env: childEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let collected: number | undefined;
  createInterface({ input: child.stderr! }).on('line', (line) => {
    // "==123== Collected : 123456789"
    const match = /Collected : (\d+)/.exec(line);
    if (match?.[1] !== undefined) collected = Number(match[1]);
  });
  const lines: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (lines.length < 3 && line.includes('"outcome":"failed"')) lines.push(line.slice(0, 600));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('message', (m: { type: string; message?: string }) =>
        m.type === 'ready' ? resolve() : reject(new Error(`instance did not start: ${m.message}`)),
      );
      child.once('exit', (code) => reject(new Error(`instance exited with ${code} before it was ready`)));
    });
    let next = options.firstKey;
    for (let i = 0; i < options.warmupBatches + options.batches; i++) {
      if (i === options.warmupBatches) await run('callgrind_control', ['-i', 'on', String(child.pid)]);
      const bodies = newKeyBodies('ins0', BATCH, next, options.sampleNames);
      next += BATCH;
      seedKeys(options.emulator, bodies);
      const records = bodies.map(({ body }) => toSqsRecord({ body }));
      const id = i + 1;
      const failures = await new Promise<number>((resolve, reject) => {
        const onMessage = (m: { type: string; id: number; result?: { batchItemFailures: unknown[] } }) => {
          if (m.id !== id) return;
          child.off('message', onMessage);
          if (m.type === 'result') resolve(m.result?.batchItemFailures.length ?? 0);
          else reject(new Error(`invocation failed: ${JSON.stringify(m).slice(0, 200)}`));
        };
        child.on('message', onMessage);
        child.send({ id, event: { Records: records }, timeoutMs: 600_000 });
      });
      if (failures > 0) {
        throw new Error(`${failures} messages of a batch failed, not the happy path: ${lines.join('\n')}`);
      }
      // The CPU figure's pause between batches: caches and timers as there.
      await new Promise((resolve) => setTimeout(resolve, BATCH));
    }
    child.disconnect();
    await exited;
  } finally {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
  if (collected === undefined) throw new Error('callgrind printed no instruction count');
  return collected / (options.batches * BATCH);
}

/**
 * The figure: this commit's instructions per message, and the baseline's counted at the same
 * time on the other CPU (the count does not depend on what else runs), same batches, same shapes.
 */
export async function benchCpuInstructions(options: {
  handlerPath: string;
  warmupBatches: number;
  batches: number;
  baseline?: { label: string; handlerPath: string; sampleNames: readonly string[] } | undefined;
}): Promise<{ figures: Figure[]; detail: Record<string, unknown> }> {
  const emulator = await startKmsEmulator({ accounts: [LOCAL_EMULATOR_ACCOUNT] });
  try {
    // The CPU figure's environment: the throttle at its ceiling, no DLQ on the happy path.
    const env = functionEnv(
      { kmsUrl: emulator.url, dlqUrl: 'http://127.0.0.1:9/000000000000/unused-dlq', sqsEndpoint: 'http://127.0.0.1:9' },
      { KMS_RATE_LIMIT: '1000' },
    );
    const common = {
      emulator,
      env,
      warmupBatches: options.warmupBatches,
      batches: options.batches,
      sampleNames: options.baseline?.sampleNames,
    };
    const [ours, before] = await Promise.all([
      countMessageInstructions({ ...common, handlerPath: options.handlerPath, firstKey: 0 }),
      options.baseline === undefined
        ? undefined
        : countMessageInstructions({
            ...common,
            handlerPath: options.baseline.handlerPath,
            firstKey: 0x10000000,
          }),
    ]);
    const mega = (n: number) => n / 1e6;
    const figure: Figure = {
      group: 'CPU per message',
      name: '  the same in instructions (callgrind, one thread)',
      unit: 'M',
      value: spread([mega(ours)]),
      ...(options.baseline === undefined || before === undefined
        ? {}
        : {
            baseline: { name: options.baseline.label, value: spread([mega(before)]) },
            ratio: spread([ours / before]),
          }),
      note: `${options.batches * BATCH} messages counted after ${options.warmupBatches * BATCH} warm-up, node --single-threaded (V8's compiling and GC counted on the main thread); repeats to 0.3 % on a machine otherwise idle; the kernel's part of each write is not in it, the harness's IPC is on both sides`,
    };
    return { figures: [figure], detail: { ours, baseline: before } };
  } finally {
    await emulator.stop();
  }
}
