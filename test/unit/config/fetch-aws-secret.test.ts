import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fetchAwsSecret, fetchAwsSecretText } from '../../../lib/config/fetch-aws-secret.ts';
import type { AppError } from '../../../lib/errors/app-error.ts';
import { SecretInvalidError, SecretUnavailableError } from '../../../lib/errors/secret-store-errors.ts';
import { rejectionOf } from '../../support/rejection-of.ts';
import { type SecretsExtension, startSecretsExtension } from '../../support/secrets-extension.ts';

// The real reader against a node:http stand-in of the Parameters and Secrets extension.

const SECRET_ID = 'prod/huawei-kms';
const VALUE = {
  ak: 'ROTATEDAKEXAMPLE0001',
  sk: ' sk with spaces and "quotes" \\ 0001 ',
  security_token: 'tok-example-0001-xyz',
};

let extension: SecretsExtension;
beforeAll(async () => {
  extension = await startSecretsExtension();
});
afterAll(async () => extension.stop());
beforeEach(() => {
  extension.outage(undefined);
  extension.put(SECRET_ID, JSON.stringify(VALUE));
});

const read = (id = SECRET_ID, timeoutMs = 300) =>
  fetchAwsSecret({ source: 'secretsmanager', id, env: extension.env, timeoutMs });

describe('fetchAwsSecret()', () => {
  it('reads the AK/SK document with every value exactly as stored', async () => {
    await expect(read()).resolves.toEqual({ ak: VALUE.ak, sk: VALUE.sk, securityToken: VALUE.security_token });
  });

  it('reads an SSM SecureString parameter the same way', async () => {
    extension.put('/huawei/kms', JSON.stringify({ ak: VALUE.ak, sk: 'ssm-secret-key-0001' }));
    await expect(fetchAwsSecret({ source: 'ssm', id: '/huawei/kms', env: extension.env })).resolves.toEqual({
      ak: VALUE.ak,
      sk: 'ssm-secret-key-0001',
    });
  });

  it.each([
    ['500 (Secrets Manager throttled behind it)', { kind: 'status', status: 500 }],
    ['502', { kind: 'status', status: 502 }],
    ['503', { kind: 'status', status: 503 }],
    ['429', { kind: 'status', status: 429 }],
    ['a hang past the timeout', { kind: 'hang' }],
    ['a refused connection', { kind: 'down' }],
  ] as const)('is a transient failure, never a configuration error, on %s', async (_name, outage) => {
    extension.outage(outage);
    const err = await rejectionOf(read());
    expect(err).toBeInstanceOf(SecretUnavailableError);
    expect((err as AppError).retry).toBe('transient');
    expect((err as AppError).code).toBe('SECRET_UNAVAILABLE');
    expect((err as Error).message).toContain(`secret ${SECRET_ID}`);
  });

  it('is transient when nothing listens on the port', async () => {
    const err = await rejectionOf(
      fetchAwsSecretText({
        source: 'secretsmanager',
        id: SECRET_ID,
        env: { PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: '9' },
      }),
    );
    expect(err).toBeInstanceOf(SecretUnavailableError);
    expect((err as AppError).retryable).toBe(true);
  });

  it('is permanent for a secret that does not exist, and names it', async () => {
    const err = await rejectionOf(read('prod/no-such-secret'));
    expect(err).toBeInstanceOf(SecretInvalidError);
    expect((err as AppError).retry).toBe(false);
    expect((err as Error).message).toBe('secret prod/no-such-secret: not found');
  });

  it('is permanent for a value that does not parse, and never quotes the value', async () => {
    const value = '{"ak": "ROTATEDAKEXAMPLE0001", "sk": "unterminated-secret-value-0001';
    extension.put(SECRET_ID, value);
    const err = await rejectionOf(read());
    expect(err).toBeInstanceOf(SecretInvalidError);
    expect((err as AppError).retry).toBe(false);
    expect((err as Error).message).toContain(`secret ${SECRET_ID}`);
    expect((err as Error).message).not.toContain('unterminated-secret-value-0001');
    expect((err as Error).message).not.toContain('ROTATEDAKEXAMPLE0001');
  });
});
