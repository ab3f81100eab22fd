import { registerSecret, secretRegistry } from '../audit/secret-registry.ts';
import type { Config } from '../config/load-config.ts';
import { createRateLimiter } from '../huawei/create-rate-limiter.ts';
import { createAkSkAuth } from '../huawei/aksk-auth.ts';
import { assertSafeEndpoint, iamEndpointFor, kmsEndpointFor } from '../huawei/endpoints.ts';
import { createIamTokenAuth } from '../huawei/iam-token-auth.ts';
import { createKmsClient } from '../huawei/kms-client.ts';
import { createNodeHttpTransport, type HttpTransport } from '../huawei/node-http-transport.ts';
import type { AuthProvider, KmsClient } from '../huawei/types.ts';
import { createSecretStoreAuth } from './create-secret-store-auth.ts';

export interface KmsFromConfigOptions {
  fetch?: typeof fetch;
  userAgent?: string;
  /** KMS calls per second for this client; default `config.kmsRateLimit`. */
  rateLimit?: number;
  /** Re-read credentials from Secrets Manager / SSM after this long (at most 5 min, the default). */
  credentialsTtlMs?: number;
  /** How long an IAM 401 to the password is remembered instead of asked again (default 5 min). */
  iamRefusalMemoryMs?: number;
}

/** The endpoint of a region: the override when configured (`{region}` substituted), else Huawei's. */
export function endpointResolver(override: string | undefined, standard: (region: string) => string) {
  return (region: string): string => {
    const url = override === undefined ? standard(region) : override.replaceAll('{region}', region);
    return assertSafeEndpoint(url).href.replace(/\/+$/, '');
  };
}

/** Builds the real KMS client and its auth from configuration (shared by the Lambda and the CLI). */
export function createKmsFromConfig(config: Config, options: KmsFromConfigOptions = {}): KmsClient {
  // KMS allows about 20 calls a second per user (docs/huawei-kms.md#rate-limits). A strict sliding window keeps
  // this instance under its share in any one-second span, so the gateway's windows never see
  // a burst above it; the fleet's share is bounded by the event source's maximumConcurrency.
  const limiter = createRateLimiter(options.rateLimit ?? config.kmsRateLimit, 1_000);
  // KMS calls go through node:http (about a third of fetch's CPU per request, docs/performance.md);
  // a fetch given in the options (tests, the CLI) is used as is.
  const transport: HttpTransport = options.fetch ?? createNodeHttpTransport();
  return createKmsClient({
    endpointFor: endpointResolver(config.kmsEndpoint, kmsEndpointFor),
    auth: createAuthFromConfig(config, options),
    requestTimeoutMs: config.requestTimeoutMs,
    // The client waits for the limiter before it starts the request timeout.
    rateLimiter: limiter,
    fetch: transport,
    ...(options.userAgent === undefined ? {} : { userAgent: options.userAgent }),
  });
}

/** The values the logger must mask, whatever the credential kind (registered at once, too). */
export function secretsOf(config: Config): string[] {
  const c = config.credentials;
  const secrets =
    c.kind === 'aksk'
      ? [c.ak, c.sk, ...(c.securityToken === undefined ? [] : [c.securityToken])]
      : c.kind === 'password'
        ? [c.password]
        : [];
  for (const secret of secrets) registerSecret(secret);
  return secrets;
}

/**
 * Errors out of the auth layer pass through the secret registry: an IAM answer or a transport
 * error could quote what was sent (lib/audit/secret-registry.ts keeps the error's type).
 */
function scrubbing(auth: AuthProvider): AuthProvider {
  return {
    authorize: (request, projectId, signal) =>
      auth.authorize(request, projectId, signal).catch((err: unknown) => {
        throw scrubbedError(err);
      }),
    ...(auth.onUnauthorized === undefined
      ? {}
      : { onUnauthorized: (projectId) => auth.onUnauthorized?.(projectId) ?? false }),
  };
}

/** `err` itself when it holds no secret (most do not: keep identity and abort reasons), else a scrubbed copy. */
function scrubbedError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  let text: string;
  try {
    text = `${err.message}\n${err.stack ?? ''}\n${JSON.stringify(err)}`;
  } catch {
    return secretRegistry.scrubError(err); // a cycle: scrub whatever it holds
  }
  return secretRegistry.scrubText(text) === text ? err : secretRegistry.scrubError(err);
}

export function createAuthFromConfig(config: Config, options: KmsFromConfigOptions = {}): AuthProvider {
  secretsOf(config);
  return scrubbing(createUnscrubbedAuth(config, options));
}

function createUnscrubbedAuth(config: Config, options: KmsFromConfigOptions): AuthProvider {
  const c = config.credentials;
  if (c.kind === 'aksk') return createAkSkAuth(c);
  if (c.kind === 'aws-secret') {
    return createSecretStoreAuth({
      // The reader is imported on the first read: its zod schema would otherwise be built at every
      // cold start, also where the credentials come from the environment.
      read: () =>
        import('../config/fetch-aws-secret.ts').then(({ fetchAwsSecret }) =>
          fetchAwsSecret({
            source: c.source,
            id: c.id,
            // Part of a KMS request, so no longer than one; the extension answers from its cache in
            // milliseconds, a miss costs one Secrets Manager call.
            timeoutMs: Math.min(config.requestTimeoutMs, 5_000),
            ...(options.fetch ? { fetch: options.fetch } : {}),
          }),
        ),
      ...(options.credentialsTtlMs === undefined ? {} : { ttlMs: options.credentialsTtlMs }),
    });
  }
  const firstRegion = config.projects.values().next().value;
  const iamEndpoint = endpointResolver(config.iamEndpoint, iamEndpointFor)(firstRegion ?? 'cn-north-4');
  const base = {
    iamEndpoint,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  };
  const user = createIamTokenAuth({
    ...base,
    mode: { kind: 'password', user: c.user, password: c.password, domain: c.domain },
    ...(options.iamRefusalMemoryMs === undefined ? {} : { refusalMemoryMs: options.iamRefusalMemoryMs }),
  });
  if (c.agency === undefined) return user;
  const agency = c.agency;
  // The user's own token is only a caller token for assume_role: one token, cached under one
  // scope (the first project's), which is also the one dropped after a 401, whatever project the
  // failing call was for (else a revoked user token stays cached and every other project's
  // assume_role fails with it).
  const userScope = config.projects.keys().next().value ?? '';
  // assume_role: the user's own token asks IAM for a token of the agency (docs/huawei-kms.md#iam-tokens).
  const agencyAuth = createIamTokenAuth({
    ...base,
    mode: {
      kind: 'assume_role',
      agencyName: agency.name,
      domainName: agency.domain,
      callerToken: async () => {
        const headers = await user.authorize(
          { method: 'POST', url: new URL(iamEndpoint), headers: {}, body: undefined },
          userScope,
        );
        return headers['X-Auth-Token'] ?? '';
      },
      // IAM refused the caller token (revoked early, docs/huawei-kms.md#iam-tokens): a fresh one is needed.
      onCallerRefused: () => user.onUnauthorized?.(userScope) ?? false,
    },
  });
  return {
    authorize: (request, projectId, signal) => agencyAuth.authorize(request, projectId, signal),
    // A 401 on KMS may mean the user's token expired too (tokens can be revoked early, docs/huawei-kms.md#iam-tokens):
    // drop both, so the retry asks IAM for fresh ones instead of presenting a dead caller token.
    onUnauthorized: (projectId) => {
      user.onUnauthorized?.(userScope);
      return agencyAuth.onUnauthorized?.(projectId) ?? false;
    },
  };
}
