import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// The real binary, as `npx kms-auto-alias` starts it: a process on the project's Node 24.

const ROOT = join(import.meta.dirname, '..', '..');
const NODE = join(ROOT, 'node_modules', '.bin', 'node');
const BIN = join(ROOT, 'bin', 'kms-auto-alias.mjs');
const run = promisify(execFile);

describe('bin/kms-auto-alias.mjs', () => {
  it('starts, prints its help (exit 0) and exits 2 on bad usage', async () => {
    const [help, bad] = await Promise.all([
      run(NODE, [BIN, '--help'], { cwd: ROOT }),
      run(NODE, [BIN, 'backfill', '--rate', 'fast'], { cwd: ROOT }).catch(
        (err: { code: number; stderr: string }) => err,
      ),
    ]);
    expect(help.stdout).toContain('Usage: kms-auto-alias <command> [options]');
    expect(help.stdout).toContain('replay-dlq');
    expect(help.stderr).toBe('');
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringContaining('--rate needs a whole number') });
  });
});
