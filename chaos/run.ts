// `npm run chaos`: the seeded chaos run (chaos/README.md). Exits 1 when any invariant fails.
import { randomInt } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
// @ts-expect-error: a plain .mjs build script without type declarations
import { buildHandler } from '../scripts/build.mjs';
import { formatChaosReport } from './format-report.ts';
import { checkInvariants } from './invariants.ts';
import { runChaos } from './run-chaos.ts';
import { parsePositiveInt } from '../local/parse-positive-int.ts';

const HELP = `Usage: npm run chaos -- [options]

Drives the built bundle through the local Lambda-like event source with a seeded workload (new
keys in all six event shapes, duplicates, invalid bodies, alias conflicts, disabled and
pending-deletion keys, keys visible only after a delay, key deletions scheduled and cancelled with
ON_KEY_DELETION=release) and seeded faults (KMS 429/5xx, resets
and hangs, DLQ sends failing, instances killed part way, token expiry), then checks that
nothing was lost. Prints a table and exits 1 when an invariant fails.

Options:
  --seed S         reuse a seed (printed by every run; default: a random one)
  --messages N     messages to send (default 2000)
  --token-mode     IAM password/token auth instead of AK/SK; every token is expired twice mid-run
  --concurrency N  instances at most (default 4)
  --dump FILE      also write the run's raw data (messages, audits, DLQ, invocations, KMS calls) as JSON
  --quiet          no progress lines
  -h, --help       this text`;

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    messages: { type: 'string', default: '2000' },
    'token-mode': { type: 'boolean', default: false },
    concurrency: { type: 'string', default: '4' },
    dump: { type: 'string' },
    quiet: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}

const seed = values.seed ?? String(randomInt(1, 2 ** 31));
const messages = parsePositiveInt('messages', values.messages);
console.log(`chaos seed ${seed} (reuse with --seed ${seed})`);
const built = await buildHandler({ outdir: 'dist/chaos/create-key-alias', quiet: true });
const run = await runChaos({
  seed,
  messages,
  tokenMode: values['token-mode'],
  handlerPath: built.handler,
  concurrency: parsePositiveInt('concurrency', values.concurrency),
  ...(values.quiet ? {} : { onProgress: (line: string) => console.log(`  … ${line}`) }),
});
const analysis = checkInvariants(run);
if (values.dump !== undefined) {
  const { scenario, messageIds, audits, dlq, invocations, calls, logLines } = run;
  const messages = scenario.messages.map((m) => ({ ...m, messageId: messageIds[m.index] }));
  writeFileSync(
    values.dump,
    JSON.stringify({ seed, messages, audits, dlq, invocations, calls, logLines, analysis }, null, 1),
  );
}
console.log('');
console.log(formatChaosReport(run, analysis));
process.exit(analysis.checks.every((c) => c.pass) ? 0 : 1);
