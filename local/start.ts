// `npm start`: the main job on an embedded default (no cloud account needed).
import { parseArgs } from 'node:util';
import { join } from 'node:path';
// @ts-expect-error: a plain .mjs build script without type declarations
import { buildHandler } from '../scripts/build.mjs';
import { formatAuditLine, formatSummary } from './format-summary.ts';
import { runLocal } from './run-local.ts';
import { parsePositiveInt } from './parse-positive-int.ts';

const HELP = `Usage: npm start -- [options]

Runs kms-auto-alias end to end on this machine: a Huawei KMS emulator and an SQS-compatible
server (fauxqs) start in-process, the events are sent to the key-events queue, and the queue is
drained through the built Lambda bundle the way Lambda's SQS event source does.

Options:
  --events DIR        replay the bodies in DIR (default: events/, plus a duplicate, a
                      conflict and an invalid body)
  --kms-endpoint URL  use a real KMS endpoint instead of the emulator (credentials from
                      HUAWEICLOUD_SDK_AK/SK or the IAM variables, project from
                      HUAWEICLOUD_PROJECT_ID)
  --queue-url URL     use a real queue instead of fauxqs (DLQ from DLQ_URL, AWS credentials
                      from the usual AWS variables)
  --batch-size N      messages per invocation (default 10)
  --concurrency N     instances at most, like maximumConcurrency (default 2)
  --timeout S         function timeout in seconds (default 20)
  --visibility S      visibility timeout of the local queue in seconds (default 20; a
                      message reported in batchItemFailures reappears after it)
  --raw               print the audit records as the raw JSON lines the Lambda writes
  --quiet             print only the summary
  -h, --help          this text

Configuration is read from the same environment variables as the Lambda (ALIAS_TEMPLATE,
ALIAS_VAR_*, DRY_RUN, CONCURRENCY, ...); see the README.`;

const { values } = parseArgs({
  options: {
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

const built = await buildHandler({ quiet: true });
const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`bundle ${built.handler}: ${kib(built.entry.bytes)} (${kib(built.entry.gzip)} gzipped)`);

const result = await runLocal({
  eventsDir: values.events ?? join(import.meta.dirname, '..', 'events'),
  extras: values.events === undefined,
  handlerPath: built.handler,
  env: process.env,
  ...(values['kms-endpoint'] === undefined ? {} : { kmsEndpoint: values['kms-endpoint'] }),
  ...(values['queue-url'] === undefined ? {} : { queueUrl: values['queue-url'] }),
  batchSize: parsePositiveInt('batch-size', values['batch-size']),
  maxConcurrency: parsePositiveInt('concurrency', values.concurrency),
  timeoutMs: parsePositiveInt('timeout', values.timeout) * 1_000,
  visibilityTimeoutS: parsePositiveInt('visibility', values.visibility),
  onLog: (line) => {
    if (values.raw && !values.quiet) console.log(line);
  },
  onAudit: (record) => {
    if (!values.raw && !values.quiet) console.log(formatAuditLine(record));
  },
});
console.log(formatSummary(result));
await result.stop();
process.exit(result.checks.every((c) => c.pass) ? 0 : 1);
