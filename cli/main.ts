/**
 * `kms-auto-alias`: the operator command line (explain, backfill, reconcile, replay-dlq, wire).
 * `main(argv, io)` runs one command and resolves with its exit code; it never exits the process
 * and touches the world only through `io` (and the network), so tests run it in-process.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scrubSecretText } from '../lib/audit/secret-registry.ts';
import { ConfigError } from '../lib/errors/app-error.ts';
import { type CliIo, EXIT, UsageError } from './cli-io.ts';
import { describeError } from './describe-error.ts';
import { type Command, parseCommandLine } from './parse-command-line.ts';

export type { CliIo } from './cli-io.ts';
export { EXIT } from './cli-io.ts';

const NAME = 'kms-auto-alias';

/** The package's version: its package.json is one folder up from cli/, two from the built dist/cli/. */
function version(): string {
  for (const up of [['..'], ['..', '..']]) {
    try {
      const pkg = JSON.parse(readFileSync(join(import.meta.dirname, ...up, 'package.json'), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (pkg.name === NAME && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not this folder
    }
  }
  return 'unknown';
}

/** Commands that call Huawei KMS, and so need the Huawei credentials. */
const NEEDS_HUAWEI_CREDENTIALS: ReadonlySet<Command['name']> = new Set(['backfill', 'reconcile']);

/** Each command is loaded when run: `--help` and `explain` never pay for the SQS SDK or the HTTP client. */
async function runCommand(command: Command, io: CliIo): Promise<number> {
  if (NEEDS_HUAWEI_CREDENTIALS.has(command.name)) {
    // Off Lambda, HUAWEICLOUD_CREDENTIALS_SECRET_ID is read with the AWS SDK (no extension here).
    const { resolveCredentialsSecret } = await import('./read-credentials-secret.ts');
    io = { ...io, env: await resolveCredentialsSecret(io.env) };
  }
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

/**
 * Runs `kms-auto-alias <argv>`. Resolves with the exit code (docs/cli.md, "Exit codes"): 0 ok,
 * 1 findings (drift, conflicts, failed keys or sends: a command returns them as its result),
 * 2 bad usage or configuration, 3 could not run (anything a command throws that is not a usage
 * or configuration error: KMS or IAM unreachable, authentication refused, the credentials secret
 * unreadable), 130 interrupted. A scheduled job can so alert on drift and on outages apart.
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
      io.stderr.write(`${NAME} ${name}: ${scrubSecretText(err.message)}\nRun '${NAME} ${name} --help' for usage.\n`);
      return EXIT.usage;
    }
    io.stderr.write(`${NAME} ${name}: could not run: ${describeError(err)}\n`);
    return EXIT.unavailable;
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
