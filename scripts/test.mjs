// `npm test`: type-check, lint and format check, layering check, then every vitest test, then the
// closing line CI reads ("N passed, N failed"), which vitest's own summary is not.
import { spawnSync } from 'node:child_process';
import { readFileSync, mkdirSync, realpathSync, rmSync } from 'node:fs';

const bin = (name) => `node_modules/.bin/${name}`;
/** Every folder of code; the layering rules decide which may import which. */
const LAYERED_FOLDERS = [
  'functions',
  'lib',
  'cli',
  'local',
  'emulator',
  'bench',
  'chaos',
  'fuzz',
  'test',
  'scripts',
  'bin',
];
const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit' }).status ?? 1;

/**
 * Which Node runs the suite: the registry's build of the Lambda runtime's major (the optional
 * dependency node-<os>-<cpu>, which npm puts first on PATH), or, where the registry has none for
 * this platform (e.g. macOS on arm64), the machine's own.
 */
function describeNode() {
  const fromRegistry = /node_modules[\\/](node-[a-z]+-[a-z0-9]+)[\\/]/.exec(realpathSync(process.execPath));
  const where = fromRegistry
    ? `${fromRegistry[1]} from the npm registry`
    : `this machine's Node, not the registry's: none for ${process.platform}-${process.arch}, or not started by npm`;
  return `Node ${process.version} (${where}; the Lambda runtime is nodejs24.x)`;
}
console.log(`running on ${describeNode()}`);
const typecheck = run(bin('tsc'), ['--noEmit', '-p', '.']);
if (typecheck !== 0) console.error('type check failed');

// Biome: the small rule set and the formatter in biome.json (`npx biome check --write .` fixes most).
const lint = run(bin('biome'), ['ci', '--reporter=summary', '.']);
if (lint !== 0) console.error('lint or format check failed (run: npx biome check --write .)');

// dependency-cruiser: the layering in .dependency-cruiser.cjs.
const layering = run(bin('depcruise'), [
  ...LAYERED_FOLDERS,
  '--config',
  '.dependency-cruiser.cjs',
  '--output-type',
  'err',
]);
if (layering !== 0) console.error('layering check failed');

mkdirSync('.test-results', { recursive: true });
const report = '.test-results/vitest.json';
rmSync(report, { force: true });
const status = run(bin('vitest'), [
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile=${report}`,
  ...process.argv.slice(2),
]);

let passed = 0;
let failed = [typecheck, lint, layering].filter((code) => code !== 0).length;
try {
  const json = JSON.parse(readFileSync(report, 'utf8'));
  passed = json.numPassedTests;
  failed += json.numFailedTests + (json.numFailedTestSuites ?? 0);
} catch {
  failed += 1;
}
console.log(`ran on ${describeNode()}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(status === 0 && failed === 0 ? 0 : 1);
