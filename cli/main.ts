/**
 * `kms-auto-alias`: the operator command line (explain, backfill, reconcile, replay-dlq, wire).
 * `main(argv, io)` runs one command and resolves with its exit code; it never exits the process
 * and touches the world only through `io` (and the network), so tests run it in-process.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError, ConfigError, toErrorSummary } from '../lib/errors/app-error.ts';
import { type CliIo, EXIT, UsageError } from './cli-io.ts';
import { type Command, parseCommandLine } from './parse-command-line.ts';

export type { CliIo } from './cli-io.ts';
export { EXIT } from './cli-io.ts';

const NAME = 'kms-auto-alias';

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as {
      version?: unknown;
    };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Each command is loaded when run: `--help` and `explain` never pay for the SQS SDK or the HTTP client. */
async function runCommand(command: Command, io: CliIo): Promise<number> {
  switch (command.name) {
    case 'explain':
      return (await import('./commands/explain.ts')).runExplain(command, io);
    case 'backfill':
      return (await import('./commands/backfill.ts')).runBackfillCommand(command, io);
    case 'reconcile':
      return (await import('./commands/reconcile.ts')).runReconcileCommand(command, io);
    case 'replay-dlq':
      return (await import('./commands/replay-dlq.ts')).runReplayCommand(command, io);
    case 'wire':
      return (await import('./commands/wire.ts')).runWireCommand(command, io);
  }
}

/** A one-line, secret-free description of what stopped a command. */
function describeError(err: unknown): string {
  if (err instanceof AppError) {
    const summary = toErrorSummary(err);
    return `${summary.code}: ${summary.message}`;
  }
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/**
 * Runs `kms-auto-alias <argv>`. Resolves with the exit code: 0 ok, 1 findings (or a fatal
 * error), 2 bad usage or configuration, 3 (wire only) SMN/CTS unreachable or refusing, 130 interrupted.
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandLine(argv);
  switch (parsed.kind) {
    case 'help':
      io.stdout.write(parsed.text);
      return EXIT.ok;
    case 'version':
      io.stdout.write(`${version()}\n`);
      return EXIT.ok;
    case 'usage_error': {
      const command =
        argv[0] !== undefined && parsed.help.startsWith(`Usage: ${NAME} ${argv[0]} `) ? ` ${argv[0]}` : '';
      io.stderr.write(`${NAME}${command}: ${parsed.message}\n`);
      io.stderr.write(command === '' ? `\n${parsed.help}` : `Run '${NAME}${command} --help' for usage.\n`);
      return EXIT.usage;
    }
    case 'command':
      break;
  }
  const name = parsed.command.name;
  try {
    return await runCommand(parsed.command, io);
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError) {
      io.stderr.write(`${NAME} ${name}: ${err.message}\nRun '${NAME} ${name} --help' for usage.\n`);
      return EXIT.usage;
    }
    io.stderr.write(`${NAME} ${name}: ${describeError(err)}\n`);
    return EXIT.findings;
  }
}

/** Wires `main` to this process: argv, environment, streams, Ctrl-C, exit code. */
export async function runAsProcess(): Promise<void> {
  const controller = new AbortController();
  process.on('SIGINT', () => {
    if (controller.signal.aborted) process.exit(EXIT.interrupted);
    process.stderr.write(`\n${NAME}: stopping after the work in flight (Ctrl-C again to quit now)\n`);
    controller.abort(new Error('interrupted'));
  });
  process.exitCode = await main(process.argv.slice(2), {
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    signal: controller.signal,
  });
}

if (import.meta.main) await runAsProcess();
