import { describe, expect, it } from 'vitest';
import {
  readAccountSecretOffLambda,
  readCredentialsSecret,
  resolveCredentialsSecret,
  SecretUnavailableError,
  type SecretClient,
} from '../../../cli/read-credentials-secret.ts';
import { secretRegistry } from '../../../lib/audit/secret-registry.ts';
import { ConfigError } from '../../../lib/errors/app-error.ts';
import { rejectionOf } from '../../support/rejection-of.ts';

// Off Lambda the CLI reads AK/SK secrets through the SecretClient port (the AWS SDK in use); here
// a store in memory stands behind the port, answering as Secrets Manager does.

function store(values: Record<string, string>, failure?: { name: string; message: string }): SecretClient {
  return {
    getSecretString: async (id) => {
      if (failure !== undefined) throw Object.assign(new Error(failure.message), { name: failure.name });
      if (!(id in values)) {
        throw Object.assign(new Error(`Secrets Manager can't find ${id}`), { name: 'ResourceNotFoundException' });
      }
      return values[id];
    },
  };
}

const AK = 'CLIREADAK00000000001';
const SK = 'cliReadSecretKey#With"Quote00000000001';

describe('readCredentialsSecret()', () => {
  it('returns the AK/SK and registers them, so no log line can print them', async () => {
    const secret = await readCredentialsSecret(
      'huawei/data',
      'HUAWEICLOUD_ACCOUNTS',
      store({ 'huawei/data': JSON.stringify({ ak: AK, sk: SK }) }),
    );
    expect(secret).toEqual({ ak: AK, sk: SK });
    expect(secretRegistry.scrubText(`signed with ${SK}`)).not.toContain(SK);
  });

  it('names the variable and the secret, never the value, when the secret is not AK/SK JSON', async () => {
    const err = await rejectionOf(
      readCredentialsSecret('huawei/data', 'HUAWEICLOUD_ACCOUNTS', store({ 'huawei/data': 'plain-password-0001' })),
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/^HUAWEICLOUD_ACCOUNTS: secret huawei\/data must hold JSON/);
    expect((err as Error).message).not.toContain('plain-password-0001');
  });

  it('tells a missing secret (configuration) from AWS that cannot be asked (unavailable)', async () => {
    expect(await rejectionOf(readCredentialsSecret('nope', 'X', store({})))).toBeInstanceOf(ConfigError);
    const down = store({}, { name: 'ThrottlingException', message: 'Rate exceeded' });
    expect(await rejectionOf(readCredentialsSecret('nope', 'X', down))).toBeInstanceOf(SecretUnavailableError);
  });
});

describe('resolveCredentialsSecret()', () => {
  it('hands the secret on as HUAWEICLOUD_SDK_AK/SK in place of its id', async () => {
    const env = await resolveCredentialsSecret(
      { HUAWEICLOUD_CREDENTIALS_SECRET_ID: 'central' },
      store({ central: JSON.stringify({ ak: AK, sk: SK, security_token: 'tok-0001' }) }),
    );
    expect(env).toEqual({ HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: SK, HUAWEICLOUD_SDK_SECURITY_TOKEN: 'tok-0001' });
  });
});

describe('readAccountSecretOffLambda()', () => {
  it("refuses an account's SSM parameter, which only the Lambda extension reads", async () => {
    const err = await rejectionOf(readAccountSecretOffLambda({ source: 'ssm', id: '/huawei/data' }));
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain('use "secret" to run the CLI');
  });
});
