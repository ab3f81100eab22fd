/** Where the CLI reads and writes: the process's in `bin/`, collectors in tests. */
export interface CliOutput {
  write(chunk: string): unknown;
  /** A terminal gets a live progress line; anything else gets one line per step. */
  isTTY?: boolean | undefined;
  /** A terminal's width, which the live progress line never exceeds (a wrapped line cannot be redrawn). */
  columns?: number | undefined;
}

export interface CliIo {
  env: Readonly<Record<string, string | undefined>>;
  stdout: CliOutput;
  stderr: CliOutput;
  /** Read by `explain` when no `--event` is given (or `--event -`). */
  stdin?: (AsyncIterable<string | Uint8Array> & { isTTY?: boolean | undefined }) | undefined;
  /** Ctrl-C: long commands stop cleanly (backfill keeps its journal, replay releases messages). */
  signal?: AbortSignal | undefined;
  /** Base for relative paths; default process.cwd(). */
  cwd?: string | undefined;
}

/** Exit codes: documented in docs/cli.md and every command's --help. */
export const EXIT = {
  /** Done, nothing wrong found. */
  ok: 0,
  /** Done, and drift, conflicts or failures were found. */
  findings: 1,
  /** Bad usage or configuration; nothing was done. */
  usage: 2,
  /** Could not run: KMS or IAM unreachable, authentication refused, the credentials secret unreadable. */
  unavailable: 3,
  /** Interrupted (Ctrl-C); backfill's journal lets the same command continue. */
  interrupted: 130,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A usage mistake found after parsing (a missing region, several projects): exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
