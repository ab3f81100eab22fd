import { describe, expect, it } from 'vitest';
import { EXIT } from '../../../cli/main.ts';
import { notificationSpec } from '../../../lib/bridge/desired-wiring.ts';
import { DRIFT_KINDS } from '../../../lib/reconcile/find-drift.ts';
import { runCli } from './run-cli.ts';

// Exit codes and messages of main() that need no network. Commands against the emulator and
// fauxqs are in test/integration/cli-*.test.ts.

const KMS_ENV = {
  HUAWEICLOUD_PROJECT_ID: '0f3a8c1e5b7d4e2a9c6b8d0e1f2a3b4c',
  HUAWEICLOUD_REGION: 'cn-north-4',
  HUAWEICLOUD_SDK_AK: 'EXAMPLEAKNOTREAL0001',
  HUAWEICLOUD_SDK_SK: 'exampleSkNotReal000000000000000000000001',
};

describe('main()', () => {
  it('prints help on stdout and exits 0', async () => {
    const run = await runCli(['backfill', '--help']);
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toContain('--resume FILE');
    expect(run.stderr).toBe('');
  });

  it('lists in wire --help every trace the notification it makes covers', async () => {
    const run = await runCli(['wire', '--help']);
    expect(run.code).toBe(EXIT.ok);
    const listed = /notification {3}a CTS key event notification for KMS cmk traces\n\s+(.+),\n/.exec(run.stdout);
    expect(listed?.[1]?.split(', ')).toEqual(notificationSpec('n', 'urn').operations[0]?.trace_names);
  });

  it('names in reconcile --help every kind of drift the report can hold', async () => {
    const run = await runCli(['reconcile', '--help']);
    expect(run.code).toBe(EXIT.ok);
    for (const kind of DRIFT_KINDS) expect(run.stdout).toMatch(new RegExp(`^  ${kind}\\b`, 'm'));
  });

  it('prints the version', async () => {
    const run = await runCli(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('exits 2 with the global help when no command is given', async () => {
    const run = await runCli([]);
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain('no command given');
    expect(run.stderr).toContain('Commands:');
    expect(run.stdout).toBe('');
  });

  it('exits 2 and points at the command help on a bad flag', async () => {
    const run = await runCli(['reconcile', '--bogus']);
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain("kms-auto-alias reconcile: Unknown option '--bogus'");
    expect(run.stderr).toContain("Run 'kms-auto-alias reconcile --help' for usage.");
  });

  it('exits 2 on a configuration error and names the variable, never its value', async () => {
    const run = await runCli(['reconcile'], { env: { ...KMS_ENV, HUAWEICLOUD_SDK_SK: undefined } });
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain('HUAWEICLOUD_SDK_SK');
    expect(run.stderr).not.toContain(KMS_ENV.HUAWEICLOUD_SDK_AK);
  });

  it('does not require DLQ_URL for the KMS commands', async () => {
    // Unreachable endpoint: config passes, the listing fails, which is exit 3 (could not run), not 2.
    const run = await runCli(['reconcile'], {
      env: { ...KMS_ENV, KMS_ENDPOINT: 'http://127.0.0.1:9', MAX_RETRIES: '0', REQUEST_TIMEOUT_MS: '500' },
    });
    expect(run.code).toBe(EXIT.unavailable);
    expect(run.stderr).toMatch(/kms-auto-alias reconcile: could not run: KMS_NETWORK/);
  });

  it('exits 2 when several projects are configured and --resume would keep them in one file', async () => {
    const env = {
      ...KMS_ENV,
      HUAWEICLOUD_PROJECT_ID: undefined,
      HUAWEICLOUD_PROJECTS:
        '0f3a8c1e5b7d4e2a9c6b8d0e1f2a3b4c=cn-north-4,9e8d7c6b5a4f4e3d2c1b0a9f8e7d6c5b=ap-southeast-1',
    };
    const run = await runCli(['backfill', '--resume', 'backfill.json'], { env });
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain("--resume keeps one project's progress, and 2 projects are configured");
  });

  it('exits 2 when --project has no known region', async () => {
    const run = await runCli(['reconcile', '--project', '9e8d7c6b5a4f4e3d2c1b0a9f8e7d6c5b'], {
      env: { ...KMS_ENV, HUAWEICLOUD_REGION: undefined, HUAWEICLOUD_PROJECT_ID: undefined },
    });
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain('pass --region');
  });

  it('exits 2 for replay-dlq without --from or DLQ_URL, or with a bad URL', async () => {
    expect((await runCli(['replay-dlq', '--to', 'http://127.0.0.1:1/q'])).stderr).toContain(
      '--from QUEUE_URL is required',
    );
    const bad = await runCli(['replay-dlq', '--to', 'not a url', '--from', 'http://127.0.0.1:1/dlq']);
    expect(bad.code).toBe(EXIT.usage);
    expect(bad.stderr).toContain('--to must be a queue URL');
    const same = await runCli(['replay-dlq', '--to', 'http://127.0.0.1:1/q'], {
      env: { DLQ_URL: 'http://127.0.0.1:1/q' },
    });
    expect(same.code).toBe(EXIT.usage);
    expect(same.stderr).toContain('same queue');
  });
});
