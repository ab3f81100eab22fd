// `npm run bench`: cold start, batch latency, API calls per key, throttled throughput and CPU per
// message, and the ingest function's start-up and added latency per delivery (docs/performance.md).
// Prints a table and writes the same figures to bench/results.json. Options: --only a,b
// (cold-start, latency, api-calls, throughput, cpu, ingest),
// --quick (fewer runs, 200 keys for the throughput run: a smoke test, not a measurement).
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
// @ts-expect-error: a plain .mjs build script without type declarations
import { buildHandler } from '../scripts/build.mjs';
import { benchApiCalls } from './api-calls.ts';
import { benchTagCalls } from './tag-calls.ts';
import { benchAccountCalls } from './account-calls.ts';
import { type BaselineBuild, DEFAULT_BASELINE_REF, buildBaseline } from './baseline-ref.ts';
import { benchBatchLatency } from './batch-latency.ts';
import { benchColdStart } from './cold-start.ts';
import { benchCpu } from './cpu.ts';
import { benchCpuInstructions } from './cpu-instructions.ts';
import { hasValgrind } from './instruction-count.ts';
import { benchIngest } from './ingest.ts';
import type { Figure } from './stats.ts';
import { formatNotes, formatTable } from './table.ts';
import { benchThroughput } from './throughput.ts';

const BENCHES = ['cold-start', 'latency', 'api-calls', 'throughput', 'cpu', 'ingest'] as const;
type Bench = (typeof BENCHES)[number];

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    quick: { type: 'boolean', default: false },
    out: { type: 'string', default: join(import.meta.dirname, 'results.json') },
    'baseline-ref': { type: 'string', default: DEFAULT_BASELINE_REF },
    'no-baseline': { type: 'boolean', default: false },
    'no-instructions': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(`Usage: npm run bench -- [--only ${BENCHES.join(',')}] [--quick] [--out FILE]
                       [--baseline-ref REF | --no-baseline] [--no-instructions]

Prints the table of figures (median, min-max, same-run baseline, ratio, target) and writes them
as JSON to --out (default bench/results.json). --only takes names or their prefixes (cold, cpu).
The cold-start and CPU figures are also measured, in the same run, for the handler of an earlier
commit (--baseline-ref, default ${DEFAULT_BASELINE_REF}), built from git with this run's build
options and node_modules; without git history the baseline is skipped. The cold start and CPU
per message are also counted in instructions with valgrind (callgrind), which the machine's load
moves far less; --no-instructions skips both (about four minutes). See docs/performance.md.`);
  process.exit(0);
}
const only: string[] = [];
for (const asked of values.only === undefined ? [...BENCHES] : values.only.split(',').map((s) => s.trim())) {
  // A prefix names the benchmark it starts (`cold` for cold-start), when only one does.
  const matches = BENCHES.filter((name) => name === asked || name.startsWith(asked));
  const name = matches.includes(asked as Bench) ? asked : matches.length === 1 ? matches[0] : undefined;
  if (name === undefined) {
    console.error(`unknown benchmark "${asked}"; known: ${BENCHES.join(', ')}`);
    process.exit(2);
  }
  only.push(name);
}
const selected = (name: Bench) => only.includes(name);
const [major] = process.versions.node.split('.').map(Number);
if ((major ?? 0) < 24) {
  console.error(`npm run bench needs the project's Node 24 (node_modules/.bin/node), not ${process.version}`);
  process.exit(2);
}

const quick = values.quick;
const outdir = join('dist', 'bench');
const started = performance.now();
const figures: Figure[] = [];
const details: Record<string, unknown> = {};
const step = (name: string) =>
  console.error(`[bench] ${name}... (${((performance.now() - started) / 1_000).toFixed(0)} s)`);

// The deployed artifact, built exactly as serverless.yml packages it.
const built = (await buildHandler({ outdir: join(outdir, 'create-key-alias'), quiet: true })) as { handler: string };
const handlerPath = built.handler;

let baseline: BaselineBuild | undefined;
if (!values['no-baseline'] && (selected('cold-start') || selected('cpu'))) {
  step(`baseline: building ${values['baseline-ref']}`);
  baseline = await buildBaseline(values['baseline-ref'], join(outdir, 'baseline'));
  if (!baseline.ok) console.error(`[bench] no same-run baseline: ${baseline.reason}`);
}
const baselineLabel = baseline?.ok ? `${baseline.ref} (${baseline.commit})` : undefined;

if (selected('cold-start')) {
  step('cold start');
  const r = await benchColdStart({
    rounds: quick ? 6 : 30,
    outdir: join(outdir, 'cold-start'),
    instructionRuns: values['no-instructions'] ? 0 : quick ? 1 : 3,
    ...(baseline?.ok && baselineLabel ? { baseline: { label: baselineLabel, handler: baseline.handler } } : {}),
  });
  figures.push(...r.figures);
  details.coldStart = r.detail;
}
if (selected('latency')) {
  step('batch latency');
  const r = await benchBatchLatency({ runs: quick ? 3 : 9, warmupBatches: quick ? 2 : 10, handlerPath });
  figures.push(...r.figures);
  details.batchLatency = r.detail;
}
if (selected('api-calls')) {
  step('API calls per key');
  const r = await benchApiCalls({ handlerPath });
  figures.push(...r.figures);
  details.apiCalls = r.detail;
  const tags = await benchTagCalls({ handlerPath });
  figures.push(...tags.figures);
  details.tagCalls = tags.detail;
  const accounts = await benchAccountCalls({ handlerPath });
  figures.push(...accounts.figures);
  details.accountCalls = accounts.detail;
}
if (selected('throughput')) {
  step('throttled throughput (about a minute)');
  const r = await benchThroughput({ keys: quick ? 200 : 1_000, handlerPath });
  figures.push(...r.figures);
  details.throughput = r.detail;
}
if (selected('cpu')) {
  step('CPU per message');
  const inMemory = (await buildHandler({
    entryPoint: 'bench/in-memory-kms/handler.ts',
    outdir: join(outdir, 'in-memory-kms'),
    quiet: true,
  })) as { handler: string };
  const r = await benchCpu({
    runs: quick ? 3 : 7,
    batchesPerRun: quick ? 20 : 60,
    warmupBatches: quick ? 10 : 30,
    handlerPath,
    inMemoryHandlerPath: inMemory.handler,
    ...(baseline?.ok && baselineLabel
      ? {
          baseline: {
            label: baselineLabel,
            handlerPath: baseline.handler,
            inMemoryHandlerPath: baseline.inMemoryHandler,
            sampleNames: baseline.sampleNames,
          },
        }
      : {}),
  });
  figures.push(...r.figures);
  details.cpu = r.detail;
  if (!values['no-instructions']) {
    if (await hasValgrind()) {
      step('CPU per message in instructions (callgrind, about three minutes)');
      const counted = await benchCpuInstructions({
        handlerPath,
        warmupBatches: quick ? 10 : 30,
        batches: quick ? 30 : 300,
        baseline:
          baseline?.ok && baselineLabel
            ? { label: baselineLabel, handlerPath: baseline.handler, sampleNames: baseline.sampleNames }
            : undefined,
      });
      figures.push(...counted.figures);
      details.cpuInstructions = counted.detail;
    } else {
      console.error('[bench] valgrind not found: no instruction count per message');
    }
  }
}

if (selected('ingest')) {
  step('ingest: start-up and added latency per delivery');
  const r = await benchIngest({
    rounds: quick ? 6 : 30,
    runs: quick ? 3 : 7,
    deliveries: quick ? 60 : 300,
    warmup: quick ? 20 : 50,
    outdir: join(outdir, 'ingest'),
  });
  figures.push(...r.figures);
  details.ingest = r.detail;
}

if (baseline?.ok) baseline.cleanup();
const elapsedS = (performance.now() - started) / 1_000;
const machine = {
  node: process.version,
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? '',
  loadAverage: loadavg(),
};
writeFileSync(
  values.out,
  `${JSON.stringify({ date: new Date().toISOString(), quick, elapsedS, machine, baseline: baselineLabel, figures, details }, null, 2)}\n`,
);
console.log(formatTable(figures));
console.log('');
console.log(formatNotes(figures));
console.log('');
const targets = figures.filter((f) => f.target !== undefined);
console.log(
  `${targets.filter((f) => f.target?.met).length} of ${targets.length} targets met · ${elapsedS.toFixed(0)} s · node ${process.version}, ${machine.cpus} CPUs, load ${machine.loadAverage.map((l) => l.toFixed(1)).join(' ')} · ${values.out}`,
);
