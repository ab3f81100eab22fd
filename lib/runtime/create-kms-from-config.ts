import type { Config } from '../config/load-config.ts';
import { createRateLimiter } from '../huawei/create-rate-limiter.ts';
import { createAkSkAuth } from '../huawei/aksk-auth.ts';
import { assertSafeEndpoint, iamEndpointFor, kmsEndpointFor } from '../huawei/endpoints.ts';
import { createIamTokenAuth } from '../huawei/iam-token-auth.ts';
import { createKmsClient } from '../huawei/kms-client.ts';
import { createNodeHttpTransport, type HttpTransport, type TransportInit } from '../huawei/node-http-transport.ts';
import type { AuthProvider, KmsClient } from '../huawei/types.ts';

export interface KmsFromConfigOptions {
  fetch?: typeof fetch;
  userAgent?: string;
  /** KMS calls per second for this client; default `config.kmsRateLimit`. */
  rateLimit?: number;
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
  // KMS allows about 20 calls a second per user (reference §4). A strict sliding window keeps
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
    fetch: async (url: URL, init: TransportInit) => {
      await limiter.acquire();
      return transport(url, init);
    },
    ...(options.userAgent === undefined ? {} : { userAgent: options.userAgent }),
  });
}

/** The values the logger must mask, whatever the credential kind. */
export function secretsOf(config: Config): string[] {
  const c = config.credentials;
  if (c.kind === 'aksk') return [c.ak, c.sk, ...(c.securityToken === undefined ? [] : [c.securityToken])];
  if (c.kind === 'password') return [c.password];
  return [];
}

function createAuthFromConfig(config: Config, options: KmsFromConfigOptions): AuthProvider {
  const c = config.credentials;
  if (c.kind === 'aksk') return createAkSkAuth(c);
  if (c.kind === 'aws-secret') {
    let ready: Promise<AuthProvider> | undefined;
    const load = () =>
      // Imported on the first request: the secret reader's zod schema would otherwise be built at
      // every cold start, also where the credentials come from the environment.
      (ready ??= import('../config/fetch-aws-secret.ts')
        .then(({ fetchAwsSecret }) =>
          fetchAwsSecret({ source: c.source, id: c.id, ...(options.fetch ? { fetch: options.fetch } : {}) }),
        )
        .then((secret) => createAkSkAuth(secret))
        .catch((err: unknown) => {
          ready = undefined;
          throw err;
        }));
    return { authorize: async (request, projectId, signal) => (await load()).authorize(request, projectId, signal) };
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
  });
  if (c.agency === undefined) return user;
  const agency = c.agency;
  // assume_role: the user's own token asks IAM for a token of the agency (reference §5a).
  const agencyAuth = createIamTokenAuth({
    ...base,
    mode: {
      kind: 'assume_role',
      agencyName: agency.name,
      domainName: agency.domain,
      callerToken: async () => {
        const projectId = config.projects.keys().next().value ?? '';
        const headers = await user.authorize(
          { method: 'POST', url: new URL(iamEndpoint), headers: {}, body: undefined },
          projectId,
        );
        return headers['X-Auth-Token'] ?? '';
      },
    },
  });
  return {
    authorize: (request, projectId, signal) => agencyAuth.authorize(request, projectId, signal),
    // A 401 on KMS may mean the user's token expired too (tokens can be revoked early, §5a):
    // drop both, so the retry asks IAM for fresh ones instead of presenting a dead caller token.
    onUnauthorized: (projectId) => {
      user.onUnauthorized?.(projectId);
      return agencyAuth.onUnauthorized?.(projectId) ?? false;
    },
  };
}
