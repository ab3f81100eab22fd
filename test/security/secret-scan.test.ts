import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_EMULATOR_ACCOUNT } from '../../emulator/accounts.ts';
import { createHandler } from '../../functions/create-key-alias/app.ts';
import { buildDeps } from '../../functions/create-key-alias/build-deps.ts';
import { loadConfig } from '../../lib/config/load-config.ts';
import { LOCAL_ACCOUNT, LOCAL_EMULATOR_ACCOUNT } from '../support/local-account.ts';
import { toSqsRecord } from '../support/sqs-records.ts';
import { createLambdaContext } from '../support/lambda-context.ts';
import { auditRecords, failedIds, startStack, type Stack } from '../support/stack.ts';
import { collectedHistory, collectLogLine, knownSecrets, scanCollected } from '../setup/secret-scan.ts';
import { startSecretsExtension } from '../support/secrets-extension.ts';
import { registerSecret } from '../../lib/audit/secret-registry.ts';

// Self-tests of the suite-wide scan (test/setup/secret-scan.ts): it must see what the function
// writes whatever a test does with it, and every credential kind must be in its list. The
// credential modes below also put each kind (AK/SK, temporary AK/SK + security token, IAM
// password, IAM token, agency token) through the real handler, failures included, under the scan.

let stack: Stack;
let lines: string[];
const KEY = '0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f';

beforeAll(async () => {
  stack = await startStack({ accounts: [LOCAL_EMULATOR_ACCOUNT, DEFAULT_EMULATOR_ACCOUNT] });
});
afterAll(async () => stack.stop());
beforeEach(() => {
  stack.emulator.reset();
  stack.sqs.server.reset();
  lines = [];
});

function handlerWith(env: Record<string, string>) {
  const config = loadConfig(env);
  return createHandler(buildDeps(config, { write: (l) => lines.push(l), sqsClient: stack.sqs.client }));
}

const body = (projectId: string, keyId = KEY) =>
  JSON.stringify({
    type: 'kms.key.created',
    key_id: keyId,
    project_id: projectId,
    key_alias: 'scan-me',
    key_spec: 'AES_256',
  });

/** Env without any credential, for the modes that add their own. */
function baseEnv(projectId: string, extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {
    ...stack.env({ LOG_LEVEL: 'debug', MAX_RETRIES: '1' }),
    HUAWEICLOUD_PROJECT_ID: projectId,
  };
  delete env.HUAWEICLOUD_SDK_AK;
  delete env.HUAWEICLOUD_SDK_SK;
  return { ...env, ...extra };
}

describe('the suite-wide secret scan', () => {
  it('sees log lines written through an injected write, and every DLQ record', async () => {
    stack.emulator.state.createKey(LOCAL_ACCOUNT.projectId, { key_id: KEY, key_alias: 'scan-me' });
    const invalid = toSqsRecord({ body: '{"type":"kms.key.created","key_id":"nope"}' });
    const before = collectedHistory().length;
    const response = await handlerWith(stack.env())(
      { Records: [toSqsRecord({ body: body(LOCAL_ACCOUNT.projectId) }), invalid] },
      createLambdaContext(),
    );
    expect(failedIds(response)).toEqual([]);
    const seen = collectedHistory().slice(before);
    expect(seen.filter((l) => l.source === 'log').map((l) => l.text)).toEqual(lines);
    expect(seen.filter((l) => l.source === 'sqs:kms-key-events-dlq').map((l) => l.text)).toEqual([invalid.body]);
    expect(seen.some((l) => l.source.startsWith('sqs:kms-key-events-dlq:kms_auto_alias.detail'))).toBe(true);
  });

  it('sees what is written to stdout and the console', () => {
    const before = collectedHistory().length;
    process.stdout.write('secret-scan stdout probe\n');
    console.log('secret-scan console probe %d', 1);
    const seen = collectedHistory().slice(before);
    expect(seen).toEqual(
      expect.arrayContaining([
        { source: 'stdout', text: 'secret-scan stdout probe\n' },
        { source: 'console', text: 'secret-scan console probe 1' },
      ]),
    );
  });

  it('looks for every fixture credential', () => {
    const values = knownSecrets().map((s) => s.value);
    for (const secret of [
      LOCAL_ACCOUNT.ak,
      LOCAL_ACCOUNT.sk,
      LOCAL_ACCOUNT.password,
      DEFAULT_EMULATOR_ACCOUNT.permanent.ak,
      DEFAULT_EMULATOR_ACCOUNT.permanent.sk,
      DEFAULT_EMULATOR_ACCOUNT.temporary.ak,
      DEFAULT_EMULATOR_ACCOUNT.temporary.sk,
      DEFAULT_EMULATOR_ACCOUNT.temporary.securityToken,
      DEFAULT_EMULATOR_ACCOUNT.user.password,
    ]) {
      expect(values).toContain(secret);
    }
  });

  it('reports part of a credential without repeating it, and only once', () => {
    const fragment = LOCAL_ACCOUNT.sk.slice(4, 16);
    collectLogLine(`{"level":"ERROR","message":"signing failed","key":"${fragment}"}`, 'planted');
    const problems = scanCollected();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('planted');
    expect(problems[0]).toContain('12 characters of LOCAL_ACCOUNT.sk');
    expect(problems[0]).not.toContain(fragment);
    expect(scanCollected()).toEqual([]);
  });

  it('looks for every value the extension stand-in serves and every value the code registers', async () => {
    const extension = await startSecretsExtension();
    const served = { ak: 'SERVEDBYEXTENSION001', sk: 'served-by-the-extension-secret-key-0001' };
    extension.put('scan/secret', JSON.stringify(served));
    await extension.stop();
    registerSecret('RegisteredByCode#0001');
    const names = new Map(knownSecrets().map((k) => [k.value, k.name]));
    expect(names.get(served.sk)).toBe('a secret served by the extension stand-in');
    expect(names.get(served.ak)).toBe('a secret served by the extension stand-in');
    expect(names.get('RegisteredByCode#0001')).toBe('a value the code registered as a secret');
    collectLogLine(`{"message":"x","detail":"${served.sk.slice(3, 20)}"}`, 'planted');
    expect(scanCollected()).toEqual([expect.stringContaining('of a secret served by the extension stand-in')]);
  });

  it('reports a logged signature or token header whatever its value', () => {
    collectLogLine(
      '{"headers":{"Authorization":"SDK-HMAC-SHA256 Access=X, SignedHeaders=host, Signature=ab"}}',
      'planted',
    );
    expect(scanCollected()).toEqual([expect.stringContaining('AK/SK Authorization header')]);
  });
});

describe('every credential mode through the real handler, failures included, under the scan', () => {
  it('temporary AK/SK with a security token', async () => {
    const projectId = DEFAULT_EMULATOR_ACCOUNT.projectId;
    stack.emulator.state.createKey(projectId, { key_id: KEY, key_alias: 'scan-me' });
    stack.emulator.faults.add({
      operation: 'createAlias',
      times: 1,
      action: { status: 500, code: 'KMS.0101', message: 'kms error.', shape: 'nested' },
    });
    const t = DEFAULT_EMULATOR_ACCOUNT.temporary;
    const handler = handlerWith(
      baseEnv(projectId, {
        HUAWEICLOUD_SDK_AK: t.ak,
        HUAWEICLOUD_SDK_SK: t.sk,
        HUAWEICLOUD_SDK_SECURITY_TOKEN: t.securityToken,
      }),
    );
    const response = await handler({ Records: [toSqsRecord({ body: body(projectId) })] }, createLambdaContext());
    expect(failedIds(response)).toEqual([]);
    expect(auditRecords(lines)[0]).toMatchObject({ outcome: 'created', retries: 1 });
    expect(stack.emulator.calls.every((c) => c.principal === t.ak)).toBe(true);
  });

  it('AK/SK from Secrets Manager through the extension, rotated: 401, re-read, created', async () => {
    const projectId = LOCAL_ACCOUNT.projectId;
    stack.emulator.state.createKey(projectId, { key_id: KEY, key_alias: 'scan-me' });
    const extension = await startSecretsExtension();
    const rotated = { ak: 'SCANROTATEDAK0000001', sk: 'scan-rotated-secret-key-000000000000001' };
    extension.put('scan/huawei', JSON.stringify({ ak: LOCAL_ACCOUNT.ak, sk: LOCAL_ACCOUNT.sk }));
    process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT = extension.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT;
    try {
      const handler = handlerWith(baseEnv(projectId, { HUAWEICLOUD_CREDENTIALS_SECRET_ID: 'scan/huawei' }));
      const other = '1c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f';
      stack.emulator.state.createKey(projectId, { key_id: other, key_alias: 'scan-me-too' });
      expect(
        failedIds(await handler({ Records: [toSqsRecord({ body: body(projectId, other) })] }, createLambdaContext())),
      ).toEqual([]);
      stack.emulator.rotateCredential(LOCAL_ACCOUNT.ak, rotated);
      extension.put('scan/huawei', JSON.stringify(rotated));
      const second = body(projectId).replace('"scan-me"', '"scan-me-later"');
      const response = await handler({ Records: [toSqsRecord({ body: second })] }, createLambdaContext());
      expect(failedIds(response)).toEqual([]);
      expect(auditRecords(lines)[1]).toMatchObject({ outcome: 'created', retries: 1 });
      expect(stack.emulator.calls.map((c) => c.status)).toEqual([201, 401, 201]);
    } finally {
      delete process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT;
      await extension.stop();
      // The emulator's reset() keeps accounts as they are: give the next tests their AK back.
      if (stack.emulator.calls.some((c) => c.principal === rotated.ak)) {
        stack.emulator.rotateCredential(rotated.ak, { ak: LOCAL_ACCOUNT.ak, sk: LOCAL_ACCOUNT.sk });
      }
    }
  });

  it('IAM password and agency tokens; every issued token is a secret the scan looks for', async () => {
    const projectId = DEFAULT_EMULATOR_ACCOUNT.projectId;
    stack.emulator.state.createKey(projectId, { key_id: KEY, key_alias: 'scan-me' });
    const user = DEFAULT_EMULATOR_ACCOUNT.user;
    const handler = handlerWith(
      baseEnv(projectId, {
        HUAWEICLOUD_IAM_USER: user.name,
        HUAWEICLOUD_IAM_PASSWORD: user.password,
        HUAWEICLOUD_IAM_DOMAIN: DEFAULT_EMULATOR_ACCOUNT.domainName,
        HUAWEICLOUD_IAM_AGENCY: DEFAULT_EMULATOR_ACCOUNT.agencyName,
        HUAWEICLOUD_IAM_AGENCY_DOMAIN: DEFAULT_EMULATOR_ACCOUNT.domainName,
      }),
    );
    const tokensBefore = knownSecrets().filter((s) => s.name.includes('IAM token')).length;
    const response = await handler({ Records: [toSqsRecord({ body: body(projectId) })] }, createLambdaContext());
    expect(failedIds(response)).toEqual([]);
    expect(auditRecords(lines)[0]).toMatchObject({ outcome: 'created' });
    expect(stack.emulator.calls.map((c) => c.operation)).toEqual(['iamToken', 'iamToken', 'createAlias']);
    expect(knownSecrets().filter((s) => s.name.includes('IAM token')).length).toBe(tokensBefore + 2);
  });

  it('a wrong IAM password and a wrong SK fail without echoing either', async () => {
    const projectId = LOCAL_ACCOUNT.projectId;
    stack.emulator.state.createKey(projectId, { key_id: KEY, key_alias: 'scan-me' });
    const wrongPassword = `${LOCAL_ACCOUNT.password}-but-wrong`;
    const byPassword = handlerWith(
      baseEnv(projectId, {
        HUAWEICLOUD_IAM_USER: LOCAL_ACCOUNT.user,
        HUAWEICLOUD_IAM_PASSWORD: wrongPassword,
        HUAWEICLOUD_IAM_DOMAIN: LOCAL_ACCOUNT.domainName,
      }),
    );
    const wrongSk = handlerWith({
      ...stack.env({ LOG_LEVEL: 'debug', MAX_RETRIES: '1' }),
      HUAWEICLOUD_SDK_SK: `${LOCAL_ACCOUNT.sk}X`,
    });
    for (const handler of [byPassword, wrongSk]) {
      const response = await handler(
        { Records: [toSqsRecord({ body: body(projectId), receiveCount: 5 })] },
        createLambdaContext(),
      );
      expect(failedIds(response)).toEqual([]);
    }
    const audits = auditRecords(lines);
    expect(audits.map((a) => [a.outcome, a.disposition])).toEqual([
      ['failed', 'dlq'],
      ['failed', 'dlq'],
    ]);
    expect(lines.join('\n')).not.toContain('-but-wrong');
    expect(await stack.sqs.drainDlq()).toHaveLength(2);
  });
});
