// The "before" of a before/after comparison: the handler bundle of an earlier commit, built in
// this run with this run's esbuild options (scripts/build.mjs) and node_modules, so both bundles
// differ only by the project's own code and are measured side by side, interleaved.
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
// @ts-expect-error: a plain .mjs build script without type declarations
import { buildHandler } from '../scripts/build.mjs';

const run = promisify(execFile);

/** The commit before the cold-start and event-format work (issue 9 docs/huawei-kms.md#key-events, issue 11 docs/huawei-kms.md#alias-rules). */
export const DEFAULT_BASELINE_REF = '1a8636e';

export type BaselineBuild =
  | {
      ok: true;
      ref: string;
      commit: string;
      handler: string;
      inMemoryHandler: string | undefined;
      /** The sample bodies (`events/*.json`) that commit has: the shapes it is known to read. */
      sampleNames: string[];
      cleanup(): void;
    }
  | { ok: false; reason: string };

/**
 * Extracts `ref`'s tree with `git archive` into a temporary directory, links this checkout's
 * node_modules into it, and builds its create-key-alias handler (and, when it has one, its
 * in-memory-KMS bench handler) into `outdir`.
 * @returns `{ok: false, reason}` when this is not a git clone or the ref does not exist: the
 *   benchmark then runs without a baseline and says why.
 */
export async function buildBaseline(ref: string, outdir: string): Promise<BaselineBuild> {
  let commit: string;
  try {
    commit = (await run('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])).stdout.trim();
  } catch {
    return { ok: false, reason: `no git history here, or no commit "${ref}" in it` };
  }
  const tree = mkdtempSync(join(tmpdir(), 'kms-auto-alias-baseline-'));
  const cleanup = () => rmSync(tree, { recursive: true, force: true });
  try {
    await extract(commit, tree);
    symlinkSync(resolve('node_modules'), join(tree, 'node_modules'), 'dir');
    mkdirSync(outdir, { recursive: true });
    const built = (await buildHandler({
      entryPoint: join(tree, 'functions/create-key-alias/handler.ts'),
      outdir: join(outdir, 'create-key-alias'),
      quiet: true,
    })) as { handler: string };
    let inMemoryHandler: string | undefined;
    try {
      const inMemory = (await buildHandler({
        entryPoint: join(tree, 'bench/in-memory-kms/handler.ts'),
        outdir: join(outdir, 'in-memory-kms'),
        quiet: true,
      })) as { handler: string };
      inMemoryHandler = inMemory.handler;
    } catch {
      inMemoryHandler = undefined;
    }
    const sampleNames = readdirSync(join(tree, 'events')).filter((name) => name.endsWith('.json'));
    return {
      ok: true,
      ref,
      commit: commit.slice(0, 12),
      handler: built.handler,
      inMemoryHandler,
      sampleNames,
      cleanup,
    };
  } catch (err) {
    cleanup();
    return { ok: false, reason: `could not build ${ref}: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** `git archive <commit> | tar -x -C <dir>`, without a shell. */
function extract(commit: string, dir: string): Promise<void> {
  return new Promise((done, fail) => {
    const archive = spawn('git', ['archive', '--format=tar', commit], { stdio: ['ignore', 'pipe', 'inherit'] });
    const tar = spawn('tar', ['-x', '-C', dir], { stdio: ['pipe', 'ignore', 'inherit'] });
    archive.stdout.pipe(tar.stdin);
    let pending = 2;
    const exited = (name: string) => (code: number | null) => {
      if (code !== 0) fail(new Error(`${name} exited with ${code}`));
      else if (--pending === 0) done();
    };
    archive.on('error', fail).on('exit', exited('git archive'));
    tar.on('error', fail).on('exit', exited('tar'));
  });
}
