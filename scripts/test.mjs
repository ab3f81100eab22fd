// `npm test`: type-check, then every vitest test, then the closing line CI reads
// ("N passed, N failed"), which vitest's own summary is not (toolchain.md).
import { spawnSync } from 'node:child_process';
import { readFileSync, mkdirSync, rmSync } from 'node:fs';

const bin = (name) => `node_modules/.bin/${name}`;
const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit' }).status ?? 1;

console.log(`node ${process.version}`);
const typecheck = run(bin('tsc'), ['--noEmit', '-p', '.']);
if (typecheck !== 0) console.error('type check failed');

mkdirSync('.test-results', { recursive: true });
const report = '.test-results/vitest.json';
rmSync(report, { force: true });
const status = run(bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile=${report}`, ...process.argv.slice(2)]);

let passed = 0;
let failed = typecheck === 0 ? 0 : 1;
try {
  const json = JSON.parse(readFileSync(report, 'utf8'));
  passed = json.numPassedTests;
  failed += json.numFailedTests + (json.numFailedTestSuites ?? 0);
} catch {
  failed += 1;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(status === 0 && failed === 0 ? 0 : 1);
