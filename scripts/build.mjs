// One esbuild build, used by the tests, the local runner, the benchmarks and serverless.yml.
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { readFileSync, mkdirSync, rmSync } from 'node:fs';

// Without this banner an ESM bundle holding @aws-sdk/client-sqs loads, then fails on the first
// send() with `Dynamic require of "node:https" is not supported`.
const banner = "import{createRequire as __cr}from'module';const require=__cr(import.meta.url);";

// Code splitting keeps what only the failure path needs (the SQS client, ~450 KB) in its own
// chunk, loaded by a dynamic import on the first DLQ send: a cold start on the happy path never
// reads it. Lambda loads the chunks next to handler.mjs from the same package.
export async function buildHandler({
  entryPoint = 'functions/create-key-alias/handler.ts',
  outdir = 'dist/create-key-alias',
  minify = true,
  splitting = true,
  quiet = false,
} = {}) {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    entryPoints: [entryPoint],
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    // Prefer packages' ES module builds: smaller after tree-shaking, and a dynamic import() of an
    // ES module yields its named exports (of a CommonJS build, only `default`).
    mainFields: ['module', 'main'],
    minify,
    sourcemap: false,
    legalComments: 'none',
    banner: { js: banner },
    outdir,
    splitting,
    entryNames: '[name]',
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    metafile: true,
    logLevel: 'warning',
  });
  const files = Object.keys(result.metafile.outputs).map((file) => {
    const bytes = readFileSync(file);
    return { file, bytes: bytes.length, gzip: gzipSync(bytes).length };
  });
  const entry = files.find((f) => f.file.endsWith('/handler.mjs'));
  const total = files.reduce((sum, f) => ({ bytes: sum.bytes + f.bytes, gzip: sum.gzip + f.gzip }), {
    bytes: 0,
    gzip: 0,
  });
  if (!quiet) {
    const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
    if (process.argv.includes('--verbose')) {
      for (const f of files) console.log(`  ${f.file}: ${kib(f.bytes)} minified, ${kib(f.gzip)} gzipped`);
    }
    console.log(
      `built ${outdir}: entry ${kib(entry.bytes)} (${kib(entry.gzip)} gzipped), all chunks ${kib(total.bytes)} (${kib(total.gzip)} gzipped)`,
    );
  }
  return { entry, total, files, outdir, handler: `${outdir}/handler.mjs`, metafile: result.metafile };
}

/** The scheduled reconcile function (kms-auto-alias reconcile, every configured project). */
export function buildReconcileHandler(options = {}) {
  return buildHandler({ entryPoint: 'functions/reconcile/handler.ts', outdir: 'dist/reconcile', ...options });
}

/** The HTTPS ingest (Huawei SMN / EventGrid deliveries → the key-events queue): dist/ingest/handler.mjs. */
export function buildIngestHandler(options = {}) {
  return buildHandler({ entryPoint: 'functions/ingest/handler.ts', outdir: 'dist/ingest', ...options });
}

/**
 * The operator CLI as plain JavaScript (`dist/cli/kms-auto-alias.mjs` and its chunks), for the
 * npm package: `npm install -g` of the tarball runs it on any Node at or above `engines`, with no
 * TypeScript and no dependency resolved at run time. Built for the oldest Node the package
 * supports; each command stays in its own chunk, so `--help` loads none of them.
 */
export async function buildCli({ outdir = 'dist/cli', quiet = false } = {}) {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    entryPoints: { 'kms-auto-alias': 'cli/main.ts' },
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    mainFields: ['module', 'main'],
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    banner: { js: banner },
    outdir,
    splitting: true,
    entryNames: '[name]',
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    metafile: true,
    logLevel: 'warning',
  });
  const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
  if (!quiet) console.log(`built ${outdir}: ${(bytes / 1024).toFixed(1)} KiB in all`);
  return { outdir, entry: `${outdir}/kms-auto-alias.mjs` };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // `--functions`: the Lambda bundles only (packaging, scripts/serverless-build-plugin.mjs);
  // `--cli`: the CLI only (npm pack); neither: everything (npm run build).
  if (!process.argv.includes('--cli')) {
    await buildHandler();
    await buildReconcileHandler();
    await buildIngestHandler();
  }
  if (!process.argv.includes('--functions')) await buildCli();
}
