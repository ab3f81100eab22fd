import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../lib/config/load-config.ts';
import { ConfigError } from '../../../lib/errors/app-error.ts';
import { buildRuntime } from '../../../lib/runtime/build-runtime.ts';

const PROJECT = '0f3a8c1e5b7d4e2a9c6b8d0e1f2a3b4c';
const SK = 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc';
const env = {
  HUAWEICLOUD_REGION: 'cn-north-4',
  HUAWEICLOUD_PROJECT_ID: PROJECT,
  HUAWEICLOUD_SDK_AK: 'QTWAOYTTINDUT2QVKYUC',
  HUAWEICLOUD_SDK_SK: SK,
  DLQ_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/kms-key-events-dlq',
  METRICS_NAMESPACE: 'Ns',
  SERVICE_NAME: 'svc',
};

describe('buildRuntime()', () => {
  it('builds the parts every entry point shares from one Config', () => {
    const lines: string[] = [];
    const runtime = buildRuntime(loadConfig(env), { write: (l) => lines.push(l) });
    expect(runtime.metrics).toEqual({ namespace: 'Ns', service: 'svc' });
    expect(typeof runtime.kms.createAlias).toBe('function');
    expect(typeof runtime.aliasApi.createAlias).toBe('function');
    // The logger masks the configured secrets, wherever they appear.
    runtime.logger.info('hello', { detail: `sk=${SK}` });
    expect(lines.join('\n')).toContain('hello');
    expect(lines.join('\n')).not.toContain(SK);
  });

  it('binds the retry policy to a meter that counts every attempt', async () => {
    const runtime = buildRuntime(loadConfig(env), { write: () => {} });
    const meter = { apiCalls: 0, retries: 0 };
    const run = runtime.createRun(meter, () => 60_000);
    await expect(run('createAlias', async () => 'done')).resolves.toBe('done');
    expect(meter).toEqual({ apiCalls: 1, retries: 0 });
  });

  it('builds the DLQ publisher once, on first use', () => {
    const runtime = buildRuntime(loadConfig(env), { write: () => {} });
    expect(runtime.dlq()).toBe(runtime.dlq());
  });

  it('refuses a DLQ publisher when DLQ_URL is not set (a function that publishes nothing needs none)', () => {
    const { DLQ_URL: _unset, ...withoutDlq } = env;
    const runtime = buildRuntime(loadConfig(withoutDlq, { requireDlqUrl: false }), { write: () => {} });
    expect(() => runtime.dlq()).toThrow(ConfigError);
    expect(() => runtime.dlq()).toThrow(/DLQ_URL/);
  });
});
