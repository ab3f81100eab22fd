// Start-up in instructions: how many machine instructions a fresh Node process executes to import
// a module (bench/cold-start-probe.mjs), counted by valgrind's callgrind. Unlike wall or CPU time,
// the count hardly moves with the machine's load, so a shared 2-CPU host gives a repeatable
// before/after. Node runs with --single-threaded (no V8 worker threads: their compilation and GC
// work is done, and counted, on the main thread), which makes runs repeat to about 1-2 %.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Whether valgrind is installed (the figure is skipped with a message otherwise). */
export async function hasValgrind(): Promise<boolean> {
  try {
    await run('valgrind', ['--version']);
    return true;
  } catch {
    return false;
  }
}

/** Instructions executed by `node --single-threaded probe module check`, all threads. */
export async function countStartupInstructions(
  probe: string,
  module: string,
  check: string,
  env: Record<string, string>,
): Promise<number> {
  const { stderr } = await run(
    'valgrind',
    ['--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, '--single-threaded', probe, module, check],
    { env, maxBuffer: 16 * 1024 * 1024 },
  );
  // "==123== Collected : 123456789"
  const match = /Collected : (\d+)/.exec(stderr);
  if (match?.[1] === undefined) throw new Error(`callgrind printed no instruction count for ${module}`);
  return Number(match[1]);
}
