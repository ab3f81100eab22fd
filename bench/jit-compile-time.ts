// A diagnostic of the CPU benchmark: how much of a message's CPU time is V8 compiling the
// handler's code in the benchmark's window (the warm-up excluded), which the process's CPU time
// counts (TurboFan compiles on a helper thread, Maglev mostly on the main one). One more instance
// of the same bundle runs the same batches with `--trace-opt`, never interleaved with the
// measured ones (its trace lines cost time of their own); V8 prints each compile's time in three
// phases, `took <prepare>, <execute>, <finalize> ms`. That line is V8's diagnostic text, not an
// interface: when no line matches, the figure is reported as absent, never as zero.
import type { Instance } from './instance.ts';

/** `[completed compiling <JSFunction name ...> (target TURBOFAN_JS) - took 0.1, 4.5, 0.2 ms]` (older V8: "optimizing"). */
const COMPILE_LINE = /\[completed (?:compiling|optimizing) .*?\(target (\w+)\).*? took ([\d.]+), ([\d.]+), ([\d.]+) ms/;

export interface CompileTime {
  /** ms compiling, per tier (`TURBOFAN_JS`, `MAGLEV`...), in the window. */
  byTier: Record<string, number>;
  totalMs: number;
  /** Functions compiled in the window. */
  compiles: number;
}

/** The compile times of the trace lines a traced instance prints, summed while `inWindow()`. */
export function compileTimeCollector(inWindow: () => boolean): {
  onLine: (line: string) => void;
  result: () => CompileTime | undefined;
} {
  const byTier: Record<string, number> = {};
  let compiles = 0;
  let matched = 0;
  return {
    onLine: (line) => {
      const m = COMPILE_LINE.exec(line);
      if (m === null) return;
      matched += 1;
      if (!inWindow()) return;
      const tier = m[1] as string;
      byTier[tier] = (byTier[tier] ?? 0) + Number(m[2]) + Number(m[3]) + Number(m[4]);
      compiles += 1;
    },
    result: () =>
      matched === 0
        ? undefined
        : { byTier, compiles, totalMs: Object.values(byTier).reduce((total, ms) => total + ms, 0) },
  };
}

/**
 * Runs `warmup` then `measured` batches through an instance started with `--trace-opt` and
 * returns the compile time of the measured ones. A line is counted by when it arrives, which may
 * be while the next batch runs: the window may take in the last warm-up batch's compiles, one
 * batch in the benchmark's four hundred or more.
 */
export async function measureCompileTime(
  start: (onLine: (line: string) => void) => Promise<Instance>,
  batch: () => string[],
  counts: { warmup: number; measured: number },
  pause: () => Promise<void>,
): Promise<CompileTime | undefined> {
  let index = 0;
  const collector = compileTimeCollector(() => index >= counts.warmup);
  const instance = await start(collector.onLine);
  try {
    for (index = 0; index < counts.warmup + counts.measured; index++) {
      await instance.invoke(batch());
      await pause();
    }
  } finally {
    await instance.stop();
  }
  return collector.result();
}
