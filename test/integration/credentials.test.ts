import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config/load-config.ts';
import type { AppError } from '../../lib/errors/app-error.ts';
import { IamError } from '../../lib/errors/huawei-errors.ts';
import { createAccountAuths, createAuthFromConfig } from '../../lib/runtime/create-account-auths.ts';
import { createKmsFromConfig } from '../../lib/runtime/create-kms-from-config.ts';
import { LOCAL_ACCOUNT, organisationAccounts, PAYMENTS_ACCOUNT } from '../support/local-account.ts';
import { rejectionOf } from '../support/rejection-of.ts';
import { startStack, type Stack } from '../support/stack.ts';

// The real client and auth built from configuration, against the emulator's IAM and KMS.

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => stack.stop());
beforeEach(() => stack.emulator.reset());

const SECOND = { projectId: LOCAL_ACCOUNT.secondProjectId, region: 'ap-southeast-1' };
const FIRST = { projectId: LOCAL_ACCOUNT.projectId, region: LOCAL_ACCOUNT.region };

function passwordEnv(extra: Record<string, string> = {}): Record<string, string> {
  const { HUAWEICLOUD_SDK_AK: _ak, HUAWEICLOUD_SDK_SK: _sk, HUAWEICLOUD_PROJECT_ID: _p, ...env } = stack.env();
  return {
    ...env,
    HUAWEICLOUD_PROJECTS: `${FIRST.projectId}=${FIRST.region},${SECOND.projectId}=${SECOND.region}`,
    HUAWEICLOUD_IAM_USER: LOCAL_ACCOUNT.user,
    HUAWEICLOUD_IAM_PASSWORD: LOCAL_ACCOUNT.password,
    HUAWEICLOUD_IAM_DOMAIN: LOCAL_ACCOUNT.domainName,
    ...extra,
  };
}

const iamCalls = () => stack.emulator.calls.filter((c) => c.operation === 'iamToken').length;

describe('agency mode with several projects', () => {
  it('recovers on another project than the first after every token was revoked', async () => {
    const kms = createKmsFromConfig(
      loadConfig(
        passwordEnv({
          HUAWEICLOUD_IAM_AGENCY: LOCAL_ACCOUNT.agency,
          HUAWEICLOUD_IAM_AGENCY_DOMAIN: LOCAL_ACCOUNT.domainName,
        }),
      ),
    );
    await kms.listAllAliases(SECOND);
    stack.emulator.expireAllTokens();
    // The first attempt meets the 401 and drops the tokens (auth-refresh); the retry must get
    // fresh ones: the user token is dropped under the scope it was cached under.
    const first = await rejectionOf(kms.listAllAliases(SECOND));
    expect((first as AppError).retry).toBe('auth-refresh');
    await expect(kms.listAllAliases(SECOND)).resolves.toBeDefined();
  });
});

describe('a wrong IAM password', () => {
  it('is asked of IAM once, then remembered (retryable) instead of marching into the lockout', async () => {
    const kms = createKmsFromConfig(loadConfig(passwordEnv({ HUAWEICLOUD_IAM_PASSWORD: 'Wrong#Passw0rd#Here' })));
    const errors: unknown[] = [];
    for (let i = 0; i < 6; i += 1) errors.push(await rejectionOf(kms.listAllAliases(i % 2 === 0 ? FIRST : SECOND)));
    expect(iamCalls()).toBe(1);
    for (const err of errors) {
      expect(err).toBeInstanceOf(IamError);
      expect((err as AppError).retry).toBe('transient');
      expect((err as Error).message).toMatch(/refused the user name, password or account \(401\)/);
      expect((err as Error).message).not.toContain('Wrong#Passw0rd#Here');
    }
  });

  it('is asked again once the memory has passed (IAM_REFUSAL_MEMORY_MS)', async () => {
    const kms = createKmsFromConfig(
      loadConfig(passwordEnv({ HUAWEICLOUD_IAM_PASSWORD: 'Wrong#Passw0rd#Again', IAM_REFUSAL_MEMORY_MS: '1' })),
    );
    await rejectionOf(kms.listAllAliases(FIRST));
    await new Promise((resolve) => setTimeout(resolve, 5));
    await rejectionOf(kms.listAllAliases(FIRST));
    expect(iamCalls()).toBe(2);
  });
});

describe('errors out of the auth layer', () => {
  it('never carry the password, even when IAM quotes it back', async () => {
    const password = 'Quoted"Back\\Passw0rd#1';
    const iam = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      req.on('end', () => {
        // An IAM (or a proxy in front of it) that echoes the request in its error message.
        res
          .writeHead(400, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: { code: 'IAM.0001', message: `bad request: ${body}` } }));
      });
    });
    await new Promise<void>((resolve) => iam.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(iam.address() as AddressInfo).port}`;
      const auth = createAuthFromConfig(
        loadConfig(passwordEnv({ HUAWEICLOUD_IAM_PASSWORD: password, IAM_ENDPOINT: url })),
      );
      const err = await rejectionOf(
        auth.authorize({ method: 'GET', url: new URL(`${url}/x`), headers: {}, body: undefined }, FIRST.projectId),
      );
      expect(err).toBeInstanceOf(IamError);
      const text = JSON.stringify({ message: (err as Error).message, summary: (err as IamError).toSummary() });
      expect(text).toContain('[REDACTED]');
      expect(text).not.toContain('Passw0rd#1');
    } finally {
      await new Promise<void>((resolve) => iam.close(() => resolve()));
    }
  });
});

describe('errors out of the auth layer, cause chain included', () => {
  it('never carry a credential that fetch quoted in the error it threw', async () => {
    // undici's fetch refuses a header value it cannot send with a TypeError that quotes the value
    // ("Headers.append: \"…\" is an invalid header value."); the STS call's transport error keeps it as
    // its cause. Here a central security token, read from a secret, holds a NUL character.
    const token = 'CentralSecurityToken\u0000FromTheSecret0001';
    const env = passwordEnv();
    const config = loadConfig({
      ...Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('HUAWEICLOUD_'))),
      HUAWEICLOUD_ACCOUNTS: organisationAccounts('huawei/data'),
      HUAWEICLOUD_CREDENTIALS_SECRET_ID: 'huawei/central',
      STS_ENDPOINT: stack.emulator.url,
    });
    const auths = createAccountAuths(config, {
      readSecret: async () => ({ ak: LOCAL_ACCOUNT.ak, sk: LOCAL_ACCOUNT.sk, securityToken: token }),
    });
    const payments = [...auths].find(([account]) => account.name === 'payments')?.[1];
    const err = await rejectionOf(
      payments?.authorize(
        { method: 'GET', url: new URL(`${stack.emulator.url}/v1.0/x`), headers: {}, body: undefined },
        PAYMENTS_ACCOUNT.projectId,
      ) ?? Promise.reject(new Error('no payments account')),
    );
    expect(err).toMatchObject({ code: 'IAM_AUTH', operation: 'sts.assume_agency' });
    expect(inspect(err, { depth: 10 })).not.toContain('FromTheSecret');
  });
});

describe('secret values from the environment', () => {
  it('are used exactly as given, not trimmed', () => {
    const config = loadConfig(passwordEnv({ HUAWEICLOUD_IAM_PASSWORD: ' Padded#Passw0rd ' }));
    expect(config.credentials).toMatchObject({ kind: 'password', password: ' Padded#Passw0rd ' });
  });
});
