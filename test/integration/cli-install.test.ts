import { execFile } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, delimiter, dirname, join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The operator CLI installs like a tool: `npm pack` in a clone, `npm install -g` of that tarball
// (into a temp prefix), and the installed `kms-auto-alias` runs outside the clone, as built
// JavaScript. A few seconds: the CLI build, and an install that fetches nothing (the tarball
// declares no dependencies, scripts/pack-manifest.mjs). The pack runs in a copy of the clone,
// since `prepack` rewrites package.json for the time of the pack.

const ROOT = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);
/** The Node the suite runs on (the registry's Node 24 where installable), first on PATH. */
const NODE_DIR = dirname(realpathSync(process.execPath));
const PATH = [NODE_DIR, join(ROOT, 'node_modules', '.bin'), process.env.PATH ?? ''].join(delimiter);

let work: string;
let tarball: string;
let installed: string;

/** What a clone has: the tracked tree, without build output, caches or installed modules. */
const NOT_IN_A_CLONE = new Set(['node_modules', 'dist', '.git', '.serverless', '.test-results', '.cache']);

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'kms-auto-alias-install-'));
  const clone = join(work, 'clone');
  cpSync(ROOT, clone, {
    recursive: true,
    filter: (src) => !NOT_IN_A_CLONE.has(relative(ROOT, src).split(sep)[0] ?? ''),
  });
  symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'), 'dir');
  const env = { ...process.env, PATH, npm_config_update_notifier: 'false', npm_config_fund: 'false' };
  // `npm pack` runs `prepack`, which builds the CLI: the tarball always holds a fresh build.
  await run('npm', ['pack', '--pack-destination', work], { cwd: clone, env });
  // postpack put the full manifest back.
  expect(readFileSync(join(clone, 'package.json'), 'utf8')).toBe(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const packed = readdirSync(work).filter((f) => f.endsWith('.tgz'));
  expect(packed).toHaveLength(1);
  tarball = join(work, packed[0] as string);
  const prefix = join(work, 'prefix');
  await run('npm', ['install', '--global', '--prefix', prefix, '--no-audit', tarball], {
    cwd: work,
    env,
    timeout: 110_000,
  });
  installed = join(prefix, 'bin', 'kms-auto-alias');
}, 120_000);

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

/** Runs the installed command from a folder outside the clone, with a PATH that knows nothing of it. */
const kmsAutoAlias = (args: string[]) =>
  run(installed, args, {
    cwd: work,
    env: { PATH: [NODE_DIR, '/usr/bin', '/bin'].join(delimiter), HOME: work },
  }).catch((err: { code: number; stdout: string; stderr: string }) => err);

describe('npm pack, then npm install -g of the tarball', () => {
  it('packs built JavaScript and no TypeScript', async () => {
    const listed = await run('tar', ['-tzf', tarball]);
    const files = listed.stdout.trim().split('\n');
    expect(files).toContain('package/bin/kms-auto-alias.mjs');
    expect(files).toContain('package/dist/cli/kms-auto-alias.mjs');
    expect(files.filter((f) => f.endsWith('.ts'))).toEqual([]);
    // Nothing of the Lambda, the emulator or the tests.
    expect(files.filter((f) => !/^package\/(bin|dist\/cli|docs)\/|^package\/[^/]+$/.test(f))).toEqual([]);
  });

  it('writes a tarball that git ignores, so a pack in the clone leaves the tree clean', async () => {
    // `git check-ignore` exits 0 when the path is ignored, 1 when it is not.
    const check = await run('git', ['check-ignore', '--no-index', '--verbose', basename(tarball)], { cwd: ROOT });
    expect(check.stdout).toMatch(/^\.gitignore:\d+:\*\.tgz\t/);
  });

  it('installs a `kms-auto-alias` that prints its help and version outside the clone', async () => {
    const installedPackage = join(dirname(installed), '..', 'lib', 'node_modules', 'kms-auto-alias');
    expect(existsSync(join(installedPackage, 'cli'))).toBe(false);
    const help = await kmsAutoAlias(['--help']);
    expect(help).toMatchObject({ stderr: '' });
    expect(help.stdout).toContain('Usage: kms-auto-alias <command> [options]');
    const version = await kmsAutoAlias(['--version']);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(version.stdout.trim()).toBe(pkg.version);
  });

  it('runs a command (its chunk loads) and keeps the exit codes', async () => {
    const event = join(work, 'event.json');
    copyFileSync(join(ROOT, 'events', 'canonical.json'), event);
    const explained = await kmsAutoAlias(['explain', '--template', 'alias/{key_id|short}', '--event', event]);
    expect(explained).toMatchObject({ stderr: '' });
    expect(explained.stdout).toMatch(/alias\/[0-9a-f]{8}/);
    const bad = await kmsAutoAlias(['backfill', '--rate', 'fast']);
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringContaining('--rate needs a whole number') });
    expect(readdirSync(work)).toContain('prefix');
  });

  it('installs the command alone: no dependency, no development Node binary', () => {
    const installedPackage = join(dirname(installed), '..', 'lib', 'node_modules', 'kms-auto-alias');
    expect(existsSync(join(installedPackage, 'node_modules'))).toBe(false);
    const manifest = JSON.parse(readFileSync(join(installedPackage, 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(manifest).not.toHaveProperty('dependencies');
    expect(manifest).not.toHaveProperty('optionalDependencies');
    expect(manifest.engines).toEqual(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).engines);
  });
});
