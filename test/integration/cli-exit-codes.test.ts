import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { demoEnv, seedDemoProject } from '../../cli/demo.ts';
import { EXIT } from '../../cli/main.ts';
import { type KmsEmulator, startKmsEmulator } from '../../emulator/kms-emulator.ts';
import { LOCAL_ACCOUNT, LOCAL_EMULATOR_ACCOUNT } from '../support/local-account.ts';
import { runCli } from '../unit/cli/run-cli.ts';

// Exit codes tell findings (1) from "could not run" (3) and bad configuration (2), so a scheduled
// job can alert on each; and off Lambda the CLI reads the credentials secret with the AWS SDK.

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:kms-auto-alias/test/huawei-AbCdEf';

let emulator: KmsEmulator;
let env: Record<string, string>;

/** The Secrets Manager JSON API (GetSecretValue) as the real SDK client calls it, on 127.0.0.1. */
interface FakeSecretsManager {
  url: string;
  requests: Array<{ target: string | undefined; secretId: unknown }>;
  secrets: Map<string, string>;
  server: Server;
}
let secretsManager: FakeSecretsManager;

async function startFakeSecretsManager(): Promise<FakeSecretsManager> {
  const requests: FakeSecretsManager['requests'] = [];
  const secrets = new Map<string, string>();
  const body = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };
  const server = createServer(async (req, res) => {
    const input = JSON.parse((await body(req)) || '{}') as { SecretId?: unknown };
    const target = req.headers['x-amz-target'] as string | undefined;
    requests.push({ target, secretId: input.SecretId });
    res.setHeader('content-type', 'application/x-amz-json-1.1');
    const value = typeof input.SecretId === 'string' ? secrets.get(input.SecretId) : undefined;
    if (target !== 'secretsmanager.GetSecretValue' || value === undefined) {
      res.statusCode = 400;
      res.end(
        JSON.stringify({
          __type: 'ResourceNotFoundException',
          message: "Secrets Manager can't find the specified secret.",
        }),
      );
      return;
    }
    res.end(JSON.stringify({ ARN: input.SecretId, Name: 'huawei', SecretString: value, VersionId: 'v1' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, secrets, server };
}

/** A port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  emulator = await startKmsEmulator({ accounts: [LOCAL_EMULATOR_ACCOUNT] });
  secretsManager = await startFakeSecretsManager();
  env = {
    ...demoEnv(emulator.url),
    KMS_RATE_LIMIT: '1000',
    MAX_RETRIES: '1',
    RETRY_MIN_DELAY_MS: '1',
    RETRY_MAX_DELAY_MS: '5',
    REQUEST_TIMEOUT_MS: '2000',
  };
});
afterAll(async () => {
  await emulator.stop();
  await new Promise<void>((resolve) => secretsManager.server.close(() => resolve()));
});
beforeEach(() => {
  emulator.reset();
  secretsManager.requests.length = 0;
  secretsManager.secrets.clear();
});

describe('kms-auto-alias exit codes', () => {
  it('exits 1 for findings (drift) and 0 when clean', async () => {
    seedDemoProject(emulator);
    expect((await runCli(['reconcile'], { env })).code).toBe(EXIT.findings);
    emulator.reset();
    expect((await runCli(['reconcile'], { env })).code).toBe(EXIT.ok);
  });

  it('exits 3 (could not run) when KMS is unreachable', async () => {
    const port = await closedPort();
    const run = await runCli(['reconcile'], { env: { ...env, KMS_ENDPOINT: `http://127.0.0.1:${port}` } });
    expect(run.code).toBe(EXIT.unavailable);
    expect(run.stderr).toContain('could not run');
  });

  it('exits 3 (could not run) when KMS refuses the credentials, and never prints them', async () => {
    const wrongSk = 'wrongSecretKeyWrongSecretKeyWrong0000001';
    for (const argv of [['reconcile'], ['backfill', '--dry-run']]) {
      const run = await runCli(argv, { env: { ...env, HUAWEICLOUD_SDK_SK: wrongSk } });
      expect(run.code, argv.join(' ')).toBe(EXIT.unavailable);
      expect(run.stderr).not.toContain(wrongSk);
    }
  });

  it('exits 2 for bad configuration', async () => {
    const run = await runCli(['reconcile'], { env: { ...env, KMS_RATE_LIMIT: 'fast' } });
    expect(run.code).toBe(EXIT.usage);
  });
});

describe('the credentials secret off Lambda', () => {
  const secretEnv = (): Record<string, string> => {
    const { HUAWEICLOUD_SDK_AK: _ak, HUAWEICLOUD_SDK_SK: _sk, ...rest } = env;
    return { ...rest, HUAWEICLOUD_CREDENTIALS_SECRET_ID: SECRET_ARN };
  };
  const useFakeAws = (endpoint: string) => {
    // The SDK's own configuration: the endpoint override and a credential chain with no profile.
    vi.stubEnv('AWS_ENDPOINT_URL_SECRETS_MANAGER', endpoint);
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAFAKEOPERATOR0001');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'fakeOperatorSecretAccessKey000000000001');
    vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent/aws-config');
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', '/nonexistent/aws-credentials');
    vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
  };

  it('reads HUAWEICLOUD_CREDENTIALS_SECRET_ID with the AWS SDK and signs KMS calls with it', async () => {
    useFakeAws(secretsManager.url);
    secretsManager.secrets.set(SECRET_ARN, JSON.stringify({ ak: LOCAL_ACCOUNT.ak, sk: LOCAL_ACCOUNT.sk }));
    seedDemoProject(emulator);
    const run = await runCli(['reconcile', '--json'], { env: secretEnv() });
    expect(run.stderr).not.toContain('could not run');
    expect(run.code).toBe(EXIT.findings);
    expect(secretsManager.requests).toEqual([{ target: 'secretsmanager.GetSecretValue', secretId: SECRET_ARN }]);
    // The emulator verified the signatures made with the secret's AK/SK.
    expect(emulator.calls.filter((c) => c.operation === 'listKeys').length).toBeGreaterThan(0);
    expect(run.stdout + run.stderr).not.toContain(LOCAL_ACCOUNT.sk);
  });

  it('exits 2 when the secret does not exist or holds no AK/SK, naming the secret and not its value', async () => {
    useFakeAws(secretsManager.url);
    const missing = await runCli(['reconcile'], { env: secretEnv() });
    expect(missing.code).toBe(EXIT.usage);
    expect(missing.stderr).toContain('ResourceNotFoundException');
    const garbage = 'not-json-but-a-secret "value"';
    secretsManager.secrets.set(SECRET_ARN, garbage);
    const bad = await runCli(['reconcile'], { env: secretEnv() });
    expect(bad.code).toBe(EXIT.usage);
    expect(bad.stderr).toContain(SECRET_ARN);
    expect(bad.stderr).not.toContain(garbage);
  });

  it('exits 3 when Secrets Manager cannot be reached', async () => {
    useFakeAws(`http://127.0.0.1:${await closedPort()}`);
    vi.stubEnv('AWS_MAX_ATTEMPTS', '1');
    const run = await runCli(['reconcile'], { env: secretEnv() });
    expect(run.code).toBe(EXIT.unavailable);
    expect(run.stderr).toContain(SECRET_ARN);
  });
});
