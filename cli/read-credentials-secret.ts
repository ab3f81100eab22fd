/**
 * Off Lambda, the Huawei credentials secret is read with the AWS SDK: the Parameters and Secrets
 * extension the functions use (localhost:2773) exists only inside Lambda. The operator's own AWS
 * credentials (profile, SSO, environment) must allow `secretsmanager:GetSecretValue` on it.
 * The SDK is imported on use only, so commands that need no secret never load it; it is a
 * dependency of the CLI alone and never enters a Lambda bundle (test/security/bundle-contents).
 */
import * as z from 'zod';
import { registerSecret } from '../lib/audit/secret-registry.ts';
import { ConfigError } from '../lib/errors/app-error.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** The secret's JSON, as the functions read it (lib/config/fetch-aws-secret.ts). */
const CredentialsSecretSchema = z.object({
  ak: z.string().min(1),
  sk: z.string().min(1),
  security_token: z.string().min(1).optional(),
});

/** Reading the secret failed for a reason that is not the configuration's: network, AWS auth, throttling. */
export class SecretUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SecretUnavailableError';
  }
}

/** The AWS error names that mean the configuration is wrong, not that AWS could not be reached. */
const CONFIG_ERRORS = new Set(['ResourceNotFoundException', 'ValidationException', 'InvalidParameterException']);

export interface SecretClient {
  getSecretString(secretId: string, region: string | undefined): Promise<string | undefined>;
}

/** The real client: @aws-sdk/client-secrets-manager, with the default credential chain. */
async function createSdkSecretClient(): Promise<SecretClient> {
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  return {
    async getSecretString(secretId, region) {
      const client = new SecretsManagerClient(region === undefined ? {} : { region });
      try {
        const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
        return out.SecretString;
      } finally {
        client.destroy();
      }
    },
  };
}

/** The region of a secret ARN (`arn:aws:secretsmanager:<region>:...`), else the SDK's default chain. */
function regionOf(secretId: string): string | undefined {
  const match = /^arn:[\w-]+:secretsmanager:([a-z0-9-]+):/.exec(secretId);
  return match?.[1];
}

/**
 * Reads and checks one AK/SK secret with the AWS SDK, registering its values with the secret
 * registry. `variable` names where the secret id came from, for the error message.
 * @throws ConfigError (the secret named, never its value); SecretUnavailableError.
 */
export async function readCredentialsSecret(
  secretId: string,
  variable: string,
  client?: SecretClient,
): Promise<{ ak: string; sk: string; securityToken?: string }> {
  let text: string | undefined;
  try {
    text = await (client ?? (await createSdkSecretClient())).getSecretString(secretId, regionOf(secretId));
  } catch (err) {
    const name = (err as { name?: unknown }).name;
    const why = `${typeof name === 'string' ? name : 'Error'}: ${(err as Error).message}`;
    if (typeof name === 'string' && CONFIG_ERRORS.has(name)) {
      throw new ConfigError(`${variable}: cannot read secret ${secretId} (${why})`);
    }
    throw new SecretUnavailableError(`cannot read secret ${secretId} from Secrets Manager (${why})`, { cause: err });
  }
  let value: unknown;
  try {
    value = text === undefined ? undefined : JSON.parse(text);
  } catch {
    value = undefined;
  }
  const parsed = CredentialsSecretSchema.safeParse(value);
  if (!parsed.success) {
    if (text !== undefined) registerSecret(text);
    throw new ConfigError(
      `${variable}: secret ${secretId} must hold JSON {"ak": "...", "sk": "...", "security_token"?: "..."}`,
    );
  }
  const { ak, sk, security_token: token } = parsed.data;
  for (const secret of [ak, sk, token]) registerSecret(secret);
  return token === undefined ? { ak, sk } : { ak, sk, securityToken: token };
}

/**
 * The reader of an account's own secret (HUAWEICLOUD_ACCOUNTS `"secret"`) off Lambda: the AWS
 * SDK, as for HUAWEICLOUD_CREDENTIALS_SECRET_ID. An SSM parameter is read through the Lambda
 * extension only, so it is refused here, naming the account's setting.
 */
export function readAccountSecretOffLambda(source: { source: 'secretsmanager' | 'ssm'; id: string }) {
  if (source.source === 'ssm') {
    return Promise.reject(
      new ConfigError(
        `HUAWEICLOUD_ACCOUNTS: the "ssm" parameter ${source.id} is read through the Lambda extension, inside Lambda only; use "secret" to run the CLI`,
      ),
    );
  }
  return readCredentialsSecret(source.id, 'HUAWEICLOUD_ACCOUNTS');
}

/**
 * The environment with the credentials secret resolved: when HUAWEICLOUD_CREDENTIALS_SECRET_ID is
 * set and this is not a Lambda, the secret is read, its values registered with the secret registry
 * (so no log line, error or table prints them), and handed on as HUAWEICLOUD_SDK_AK/SK(/SECURITY_TOKEN)
 * in place of the secret id. Any other environment is returned as is.
 * @throws ConfigError when the secret does not exist or does not hold `{"ak", "sk", "security_token"?}`
 *   (named, never its value); SecretUnavailableError when AWS could not be asked (network, auth, throttling).
 */
export async function resolveCredentialsSecret(env: Env, client?: SecretClient): Promise<Env> {
  if (env.AWS_LAMBDA_FUNCTION_NAME !== undefined) return env;
  if (env.HUAWEICLOUD_CREDENTIALS_SSM_PARAMETER?.trim()) {
    throw new ConfigError(
      'HUAWEICLOUD_CREDENTIALS_SSM_PARAMETER: read through the Lambda extension, inside Lambda only; here set HUAWEICLOUD_CREDENTIALS_SECRET_ID or HUAWEICLOUD_SDK_AK/HUAWEICLOUD_SDK_SK',
    );
  }
  const secretId = env.HUAWEICLOUD_CREDENTIALS_SECRET_ID?.trim();
  if (!secretId) return env;
  const {
    ak,
    sk,
    securityToken: token,
  } = await readCredentialsSecret(secretId, 'HUAWEICLOUD_CREDENTIALS_SECRET_ID', client);
  const out: Record<string, string | undefined> = { ...env, HUAWEICLOUD_SDK_AK: ak, HUAWEICLOUD_SDK_SK: sk };
  if (token !== undefined) out.HUAWEICLOUD_SDK_SECURITY_TOKEN = token;
  delete out.HUAWEICLOUD_CREDENTIALS_SECRET_ID;
  return out;
}
