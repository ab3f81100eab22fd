import * as z from 'zod';
import { ConfigError } from '../errors/app-error.ts';

/** The AK/SK document stored in Secrets Manager or SSM (a SecureString holding JSON). */
const SecretSchema = z.object({
  ak: z.string().min(1),
  sk: z.string().min(1),
  security_token: z.string().min(1).optional(),
});

export type AkSkSecret = { ak: string; sk: string; securityToken?: string };

export interface FetchSecretOptions {
  source: 'secretsmanager' | 'ssm';
  id: string;
  env?: Record<string, string | undefined>;
  fetch?: typeof fetch;
}

/**
 * The text of a secret (Secrets Manager `SecretString`) or parameter (SSM `Value`), read from
 * the AWS Parameters and Secrets Lambda Extension (localhost:2773), which caches it.
 * @throws ConfigError naming the secret (never its value) when it cannot be read.
 */
export async function fetchAwsSecretText(options: FetchSecretOptions): Promise<string> {
  const env = options.env ?? process.env;
  const port = env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT ?? '2773';
  const base = `http://localhost:${port}`;
  const url =
    options.source === 'secretsmanager'
      ? `${base}/secretsmanager/get?secretId=${encodeURIComponent(options.id)}`
      : `${base}/systemsmanager/parameters/get?name=${encodeURIComponent(options.id)}&withDecryption=true`;
  const what = describeSecret(options);
  let text: string;
  try {
    const response = await (options.fetch ?? fetch)(url, {
      headers: { 'X-Aws-Parameters-Secrets-Token': env.AWS_SESSION_TOKEN ?? '' },
      signal: AbortSignal.timeout(5_000),
    });
    text = await response.text();
    if (!response.ok) throw new Error(`the extension answered ${response.status}`);
  } catch (err) {
    throw new ConfigError(
      `cannot read ${what} through the Parameters and Secrets extension: ${(err as Error).message}`,
      err,
    );
  }
  let inner: unknown;
  try {
    const outer = JSON.parse(text) as { SecretString?: unknown; Parameter?: { Value?: unknown } };
    inner = options.source === 'secretsmanager' ? outer.SecretString : outer.Parameter?.Value;
  } catch {
    inner = undefined;
  }
  if (typeof inner !== 'string') throw new ConfigError(`${what}: the extension's answer holds no text value`);
  return inner;
}

function describeSecret(options: FetchSecretOptions): string {
  return options.source === 'secretsmanager' ? `secret ${options.id}` : `parameter ${options.id}`;
}

/**
 * Reads the Huawei AK/SK from the AWS Parameters and Secrets Lambda Extension
 * (localhost:2773), which caches it. Why the extension and not the SDK clients: it adds nothing
 * to the bundle and nothing to cold start, and the secret never sits in the function's
 * environment. Called on first use, not at init: the extension answers once the runtime is up.
 * @throws ConfigError naming the secret (never its value) when it cannot be read or parsed.
 */
export async function fetchAwsSecret(options: FetchSecretOptions): Promise<AkSkSecret> {
  const what = describeSecret(options);
  const text = await fetchAwsSecretText(options).catch((err: unknown) => {
    // An answer without a text value reads as a malformed secret, as before.
    if (err instanceof ConfigError && err.message.endsWith('holds no text value')) return undefined;
    throw err;
  });
  let value: unknown;
  try {
    value = text === undefined ? undefined : JSON.parse(text);
  } catch {
    value = undefined;
  }
  const parsed = SecretSchema.safeParse(value);
  if (!parsed.success) {
    throw new ConfigError(`${what} must hold JSON {"ak": "...", "sk": "...", "security_token"?: "..."}`);
  }
  return parsed.data.security_token === undefined
    ? { ak: parsed.data.ak, sk: parsed.data.sk }
    : { ak: parsed.data.ak, sk: parsed.data.sk, securityToken: parsed.data.security_token };
}
