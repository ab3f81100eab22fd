import { Readable } from 'node:stream';
import { collectLogLine } from '../../setup/secret-scan.ts';
import { main } from '../../../cli/main.ts';

/** What one in-process `kms-auto-alias` run printed and returned. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (for --json runs). */
  json<T = Record<string, unknown>>(): T;
}

export interface RunCliOptions {
  env?: Record<string, string | undefined>;
  stdin?: string;
  stdinIsTTY?: boolean;
  signal?: AbortSignal;
  cwd?: string;
  /** Pretend stderr is a terminal (live progress line). */
  tty?: boolean;
}

/** Runs `main(argv, io)` with collecting streams; every line also goes to the suite's secret scan. */
export async function runCli(argv: string[], options: RunCliOptions = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const stdin =
    options.stdin === undefined
      ? Object.assign(Readable.from([]), { isTTY: options.stdinIsTTY ?? true })
      : Object.assign(Readable.from([Buffer.from(options.stdin)]), { isTTY: false });
  const code = await main(argv, {
    env: options.env ?? {},
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk), isTTY: options.tty ?? false },
    stdin,
    signal: options.signal,
    cwd: options.cwd,
  });
  collectLogLine(stdout, 'cli:stdout');
  collectLogLine(stderr, 'cli:stderr');
  return { code, stdout, stderr, json: <T>() => JSON.parse(stdout) as T };
}
