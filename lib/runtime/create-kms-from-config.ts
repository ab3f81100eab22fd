import type { Config } from '../config/load-config.ts';
import { createRateLimiter } from '../huawei/create-rate-limiter.ts';
import { kmsEndpointFor } from '../huawei/endpoints.ts';
import { createKmsClient } from '../huawei/kms-client.ts';
import { createHttp1Transport } from '../huawei/http1-transport.ts';
import type { HttpTransport } from '../huawei/http-transport.ts';
import type { AuthProvider, KmsClient } from '../huawei/types.ts';
import { type AccountAuthOptions, createAccountAuths } from './create-account-auths.ts';
import { endpointResolver } from './endpoint-resolver.ts';
import { routeKmsByProject } from './route-by-project.ts';

export interface KmsFromConfigOptions extends AccountAuthOptions {
  /** KMS calls per second for this client; default `config.kmsRateLimit`. */
  rateLimit?: number;
}

/**
 * Builds the real KMS client and its auth from configuration (shared by the Lambda and the CLI).
 * With several accounts (HUAWEICLOUD_ACCOUNTS), one client per account, each with its own auth
 * and its own rate limiter (KMS limits each identity, docs/huawei-kms.md#several-accounts), behind one
 * client that picks by the call's project: the project decides the account, never the event.
 */
export function createKmsFromConfig(config: Config, options: KmsFromConfigOptions = {}): KmsClient {
  // KMS calls go through the HTTP/1.1 transport written on net/tls sockets: measured per message
  // (10 concurrent keep-alive POSTs against a local server, in a child process like the bench's),
  // node:http costs 0.153 ms, undici's Pool.request 0.112 ms, an exchange on net.Socket 0.062 ms
  // (docs/performance.md); fetch costs about three times node:http. A fetch given in the options
  // (tests, the CLI) is used as is. One transport, so one pool of kept-alive sockets, whatever the account.
  const transport: HttpTransport = options.fetch ?? createHttp1Transport();
  const endpointFor = endpointResolver(config.kmsEndpoint, kmsEndpointFor);
  const clientFor = (auth: AuthProvider): KmsClient =>
    createKmsClient({
      endpointFor,
      auth,
      requestTimeoutMs: config.requestTimeoutMs,
      // KMS allows about 20 calls a second per user (docs/huawei-kms.md#rate-limits). A strict sliding window keeps
      // this instance under its share in any one-second span, so the gateway's windows never see
      // a burst above it; the fleet's share is bounded by the event source's maximumConcurrency.
      // The client waits for the limiter before it starts the request timeout.
      rateLimiter: createRateLimiter(options.rateLimit ?? config.kmsRateLimit, 1_000),
      fetch: transport,
      ...(options.userAgent === undefined ? {} : { userAgent: options.userAgent }),
    });
  const auths = createAccountAuths(config, options);
  const [only] = auths.values();
  if (auths.size === 1 && only !== undefined) return clientFor(only);
  const byProject = new Map<string, KmsClient>();
  for (const [account, auth] of auths) {
    const client = clientFor(auth);
    for (const projectId of account.projects.keys()) byProject.set(projectId, client);
  }
  return routeKmsByProject(byProject);
}
