// `npm start`: the whole path on an embedded default (no cloud account needed); `--direct` sends
// sample events straight to the queue instead.
import { parseArgs } from 'node:util';
import { join } from 'node:path';
// @ts-expect-error: a plain .mjs build script without type declarations
import { buildHandler, buildIngestHandler } from '../scripts/build.mjs';
import { formatPathSummary } from './format-path-summary.ts';
import { formatAuditLine, formatSummary } from './format-summary.ts';
import { eventsDirProblem } from './local-scenario.ts';
import { runLocal } from './run-local.ts';
import { runPath } from './run-path.ts';
import { parsePositiveInt } from './parse-positive-int.ts';
import { PATH_DEFAULT_ENV } from './path-scenario.ts';

const HELP = `Usage: npm start -- [options]

Runs kms-auto-alias end to end on this machine. By default, the whole path: an emulated Huawei
account (KMS, CTS, SMN) is wired with \`kms-auto-alias wire\` to the built ingest bundle behind a
local HTTP server; keys are created through the KMS API; CTS records each trace and its key event
notification publishes it to the SMN topic; SMN delivers it, signed, to the ingest, which verifies
it and sends it to the key-events queue (fauxqs, in-process); the built create-key-alias bundle
drains the queue the way Lambda's SQS event source does, creates the aliases and tags the keys.
Then two keys are scheduled for deletion (their names are released), a new key takes a released
name, and one deletion is cancelled (its alias comes back). One deployment serves two accounts
(HUAWEICLOUD_ACCOUNTS): the central one, with the central AK/SK, and "payments", through an agency
assumed with the central AK/SK at STS; a key created in payments gets its alias from the agency's
identity. An event of an account outside the map is skipped, and a forged one (a payments project
claiming the central account) goes to the DLQ. Unless the environment sets them, the run uses:
${Object.entries(PATH_DEFAULT_ENV)
  .map(([name, value]) => `  ${name}='${value}'`)
  .join('\n')}

With --direct, the sample events are sent straight to the key-events queue instead (every
event shape, plus a duplicate, a conflict and an invalid body).

Options:
  --direct            send the sample events straight to the queue (no SMN, no ingest)
  --events DIR        with --direct: replay the bodies in DIR, one JSON body per *.json file
                      (default: events/, plus a duplicate, a conflict and an invalid body)
  --kms-endpoint URL  with --direct: use a real KMS endpoint instead of the emulator (credentials from
                      HUAWEICLOUD_SDK_AK/SK or the IAM variables, project from
                      HUAWEICLOUD_PROJECT_ID)
  --queue-url URL     with --direct: use a real queue instead of fauxqs (DLQ from DLQ_URL, AWS credentials
                      from the usual AWS variables)
  --batch-size N      messages per invocation (default 10)
  --concurrency N     instances at most, like maximumConcurrency (default 2)
  --timeout S         function timeout in seconds (default 20)
  --visibility S      visibility timeout of the local queue in seconds (default 20; a
                      message reported in batchItemFailures reappears after it)
  --raw               print the raw JSON lines the functions write
  --quiet             print only the summary
  -h, --help          this text

Configuration is read from the same environment variables as the Lambda (ALIAS_TEMPLATE,
ALIAS_VAR_*, DRY_RUN, CONCURRENCY, ...); see the README.`;

const { values } = parseArgs({
  options: {
    direct: { type: 'boolean', default: false },
    events: { type: 'string' },
    'kms-endpoint': { type: 'string' },
    'queue-url': { type: 'string' },
    'batch-size': { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '2' },
    timeout: { type: 'string', default: '20' },
    visibility: { type: 'string', default: '20' },
    raw: { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}

const eventsProblem = values.events === undefined ? undefined : eventsDirProblem(values.events);
if (eventsProblem !== undefined) {
  console.error(eventsProblem);
  process.exit(2);
}

const built = await buildHandler({ quiet: true });
const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`bundle ${built.handler}: ${kib(built.entry.bytes)} (${kib(built.entry.gzip)} gzipped)`);
const direct =
  values.direct ||
  values.events !== undefined ||
  values['kms-endpoint'] !== undefined ||
  values['queue-url'] !== undefined;
const common = {
  handlerPath: built.handler,
  env: process.env,
  batchSize: parsePositiveInt('batch-size', values['batch-size']),
  maxConcurrency: parsePositiveInt('concurrency', values.concurrency),
  timeoutMs: parsePositiveInt('timeout', values.timeout) * 1_000,
  visibilityTimeoutS: parsePositiveInt('visibility', values.visibility),
  onLog: (line: string) => {
    if (values.raw && !values.quiet) console.log(line);
  },
  onAudit: (record: Record<string, unknown>) => {
    if (!values.raw && !values.quiet) console.log(formatAuditLine(record));
  },
};

if (direct) {
  const result = await runLocal({
    ...common,
    eventsDir: values.events ?? join(import.meta.dirname, '..', 'events'),
    extras: values.events === undefined,
    ...(values['kms-endpoint'] === undefined ? {} : { kmsEndpoint: values['kms-endpoint'] }),
    ...(values['queue-url'] === undefined ? {} : { queueUrl: values['queue-url'] }),
  });
  console.log(formatSummary(result));
  await result.stop();
  process.exit(result.checks.every((c) => c.pass) ? 0 : 1);
}

const ingest = await buildIngestHandler({ quiet: true });
console.log(`bundle ${ingest.handler}: ${kib(ingest.entry.bytes)} (${kib(ingest.entry.gzip)} gzipped)`);
const result = await runPath({
  ...common,
  ingestHandlerPath: ingest.handler,
  onIngestLog: (line) => {
    if (values.raw && !values.quiet) console.log(line);
  },
  onStep: (text) => {
    if (!values.quiet) console.log(text);
  },
});
console.log(formatPathSummary(result));
await result.stop();
process.exit(result.checks.every((c) => c.pass) ? 0 : 1);
