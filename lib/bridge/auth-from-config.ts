/**
 * The Huawei auth provider for the bridge clients, from the same configuration as the Lambda:
 * AK/SK, AK/SK from an AWS secret, or an IAM user (optionally assuming an agency). Mirrors
 * `lib/core/create-kms-from-config.ts`, which does not export its provider; the CLI only.
 */
import { fetchAwsSecret } from '../config/fetch-aws-secret.ts';
import type { Config } from '../config/load-config.ts';
import { createAkSkAuth } from '../huawei/aksk-auth.ts';
import { assertSafeEndpoint, iamEndpointFor } from '../huawei/endpoints.ts';
import { createIamTokenAuth } from '../huawei/iam-token-auth.ts';
import type { AuthProvider } from '../huawei/types.ts';

export function createBridgeAuth(config: Config): AuthProvider {
  const c = config.credentials;
  if (c.kind === 'aksk') return createAkSkAuth(c);
  if (c.kind === 'aws-secret') {
    let ready: Promise<AuthProvider> | undefined;
    const load = () =>
      (ready ??= fetchAwsSecret({ source: c.source, id: c.id })
        .then((secret) => createAkSkAuth(secret))
        .catch((err: unknown) => {
          ready = undefined;
          throw err;
        }));
    return { authorize: async (request, projectId, signal) => (await load()).authorize(request, projectId, signal) };
  }
  const firstRegion = config.projects.values().next().value ?? 'cn-north-4';
  const iamUrl =
    config.iamEndpoint === undefined
      ? iamEndpointFor(firstRegion)
      : config.iamEndpoint.replaceAll('{region}', firstRegion);
  const iamEndpoint = assertSafeEndpoint(iamUrl).href.replace(/\/+$/, '');
  const user = createIamTokenAuth({
    iamEndpoint,
    mode: { kind: 'password', user: c.user, password: c.password, domain: c.domain },
  });
  if (c.agency === undefined) return user;
  const agency = c.agency;
  const agencyAuth = createIamTokenAuth({
    iamEndpoint,
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
    onUnauthorized: (projectId) => {
      user.onUnauthorized?.(projectId);
      return agencyAuth.onUnauthorized?.(projectId) ?? false;
    },
  };
}
