/**
 * Reads secrets from the AWS Parameters and Secrets Lambda Extension (localhost:2773), which
 * caches them: https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieving-secrets_lambda.html
 * Why the extension and not the SDK clients: it adds nothing to the bundle and nothing to cold
 * start, and the secret never sits in the function's environment.
 *
 * Failures are classed by what a later attempt can change (lib/errors/secret-store-errors.ts):
 * only "no such secret" and a value that does not parse are permanent; an extension that is not
 * up yet, times out, is throttled or cannot reach the store (429, 5xx, anything else) is transient,
 * so the message goes back to its queue instead of to the DLQ.
 */
import { registerSecret } from '../audit/secret-registry.ts';
import { SecretInvalidError, SecretUnavailableError } from '../errors/secret-store-errors.ts';

export type AkSkSecret = { ak: string; sk: string; securityToken?: string };

export interface FetchSecretOptions {
  source: 'secretsmanager' | 'ssm';
  id: string;
  env?: Record<string, string | undefined>;
  fetch?: typeof fetch;
  /** Timeout of one read. Default 5000 ms. */
  timeoutMs?: number;
}

/**
 * The extension forwards the store's error: a missing secret is Secrets Manager's
 * `ResourceNotFoundException` or SSM's `ParameterNotFound` (both HTTP 400). UNVERIFIED: the
 * extension's exact status and body for it are not documented, so any 4xx whose body names one of
 * these counts, and every other answer stays transient (a surprise costs a few receives, never a
 * message).
 */
const NOT_FOUND = /ResourceNotFoundException|ParameterNotFound/;

/** `secret <id>` or `parameter <name>`: how errors name it (never its value). */
export function describeSecret(options: Pick<FetchSecretOptions, 'source' | 'id'>): string {
  return options.source === 'secretsmanager' ? `secret ${options.id}` : `parameter ${options.id}`;
}

/**
 * The text of a secret (Secrets Manager `SecretString`) or parameter (SSM `Value`), registered as
 * a secret (lib/audit/secret-registry.ts) before it is returned.
 * @throws SecretUnavailableError (transient) or SecretInvalidError (not found, no text value).
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
  let status = 0;
  let text = '';
  const signal = AbortSignal.timeout(options.timeoutMs ?? 5_000);
  // A GET to localhost is safe to repeat: one immediate second try when the first failed without
  // an answer and before the timeout, which is what a kept-alive socket the extension had already
  // closed looks like (fetch reuses it and fails at once). A second failure is the outage.
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await (options.fetch ?? fetch)(url, {
        headers: { 'X-Aws-Parameters-Secrets-Token': env.AWS_SESSION_TOKEN ?? '' },
        signal,
      });
      status = response.status;
      text = await response.text();
      break;
    } catch (err) {
      if (attempt === 1 && !signal.aborted) continue;
      throw new SecretUnavailableError(what, `no answer (${(err as Error).name})`, { cause: err });
    }
  }
  if (status < 200 || status >= 300) {
    // The body is the store's error text: it names the secret, never holds its value.
    if (status >= 400 && status < 500 && NOT_FOUND.test(text)) throw new SecretInvalidError(what, 'not found');
    throw new SecretUnavailableError(what, `the extension answered ${status}`, { status });
  }
  let outer: unknown;
  try {
    outer = JSON.parse(text);
  } catch {
    throw new SecretUnavailableError(what, 'the extension answered with a body that is not JSON', { status });
  }
  const inner =
    options.source === 'secretsmanager'
      ? (outer as { SecretString?: unknown } | null)?.SecretString
      : (outer as { Parameter?: { Value?: unknown } } | null)?.Parameter?.Value;
  if (typeof inner !== 'string') throw new SecretInvalidError(what, "the extension's answer holds no text value");
  registerSecretText(inner);
  return inner;
}

/**
 * Registers a secret's value the moment it is read: each string of a JSON object (the AK/SK
 * document, `{"token": ...}`), else the whole text. Not the JSON text itself: its quotes and
 * field names are no secret, and its values are masked one by one wherever they appear.
 */
function registerSecretText(text: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed === 'object' && parsed !== null) {
    for (const value of Object.values(parsed)) if (typeof value === 'string') registerSecret(value);
  } else {
    registerSecret(text);
  }
}

/**
 * Reads the Huawei AK/SK document `{"ak", "sk", "security_token"?}` (values exactly as stored: no
 * trimming), registering each value as a secret the moment it is parsed.
 * @throws SecretUnavailableError (transient) or SecretInvalidError naming the secret, never its value.
 */
export async function fetchAwsSecret(options: FetchSecretOptions): Promise<AkSkSecret> {
  const text = await fetchAwsSecretText(options);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  const field = (name: string): string | undefined => {
    const v: unknown = typeof value === 'object' && value !== null ? Reflect.get(value, name) : undefined;
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const ak = field('ak');
  const sk = field('sk');
  const securityToken = field('security_token');
  for (const secret of [ak, sk, securityToken]) registerSecret(secret);
  const tokenBad =
    typeof value === 'object' && value !== null && Reflect.has(value, 'security_token') && securityToken === undefined;
  if (ak === undefined || sk === undefined || tokenBad) {
    throw new SecretInvalidError(
      describeSecret(options),
      'must hold JSON {"ak": "...", "sk": "...", "security_token"?: "..."}',
    );
  }
  return securityToken === undefined ? { ak, sk } : { ak, sk, securityToken };
}
