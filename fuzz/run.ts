/**
 * `npm run fuzz`: the full property-based fuzz run. Seeded; prints the seed and a summary;
 * exits 1 when any property was violated. Failing bodies are written to a JSON file.
 *
 *   npm run fuzz                         # random seed, 10,000 handler bodies
 *   npm run fuzz -- --seed 1234          # the same run again
 *   npm run fuzz -- --bodies 20000 --normaliser-bodies 100000 --templates 20000
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatSummary, groupViolations, runFuzz } from './fuzz.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    bodies: { type: 'string', default: '10000' },
    'normaliser-bodies': { type: 'string', default: '30000' },
    templates: { type: 'string', default: '10000' },
    quiet: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log('usage: npm run fuzz -- [--seed N] [--bodies N] [--normaliser-bodies N] [--templates N] [--quiet]');
  process.exit(0);
}

function count(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${name} must be a whole number, got ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return n;
}

const seed =
  values.seed === undefined
    ? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0
    : count('seed', values.seed.replace(/^-/, '')) * (values.seed.startsWith('-') ? -1 : 1);
console.log(`fuzz seed ${seed}`);
// Anything that escapes the handler's own error handling is a failure of the run.
const escaped: string[] = [];
process.on('unhandledRejection', (reason) =>
  escaped.push(`unhandled rejection: ${(reason as Error)?.stack ?? String(reason)}`),
);
process.on('uncaughtException', (err) => escaped.push(`uncaught exception: ${err.stack ?? String(err)}`));
const summary = await runFuzz({
  seed,
  handlerBodies: count('bodies', values.bodies),
  normaliserBodies: count('normaliser-bodies', values['normaliser-bodies']),
  templateRuns: count('templates', values.templates),
  progress: values.quiet ? () => undefined : (line) => console.log(`  … ${line}`),
});
for (const message of escaped) summary.violations.push({ phase: 'handler', message });
console.log('');
console.log(formatSummary(summary));
if (summary.violations.length > 0) {
  const file = join(tmpdir(), `kms-auto-alias-fuzz-${seed}.json`);
  const groups = groupViolations(summary.violations).map((g) => ({
    count: g.count,
    message: g.message,
    example: g.example,
  }));
  writeFileSync(file, JSON.stringify({ seed, groups }, null, 2));
  console.log(`failing cases: ${file}`);
  process.exit(1);
}
