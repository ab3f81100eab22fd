/**
 * One deployment, several accounts (HUAWEICLOUD_ACCOUNTS): every KMS call names its project, and
 * the project alone picks the account's client or auth. The map comes from configuration, so no
 * field of an event can choose the credentials a call is signed with.
 */
import { ConfigError } from '../errors/app-error.ts';
import type { AuthProvider, KmsClient, KmsTarget } from '../huawei/types.ts';

/** A call for a project of no configured account: a wiring mistake, never retried. */
function notServed(projectId: string): ConfigError {
  return new ConfigError(`project ${projectId} belongs to no configured account`);
}

/** A {@link KmsClient} that sends each call through the client of its project's account. */
export function routeKmsByProject(clients: ReadonlyMap<string, KmsClient>): KmsClient {
  const of = (target: KmsTarget): KmsClient => {
    const client = clients.get(target.projectId);
    if (client === undefined) throw notServed(target.projectId);
    return client;
  };
  // Each method rejects (never throws) like the clients it routes to.
  return {
    createAlias: async (input, signal) => of(input).createAlias(input, signal),
    listAliases: async (input, signal) => of(input).listAliases(input, signal),
    listAllAliases: async (input, signal) => of(input).listAllAliases(input, signal),
    listKeys: async (input, signal) => of(input).listKeys(input, signal),
    describeKey: async (input, signal) => of(input).describeKey(input, signal),
    deleteAlias: async (input, signal) => of(input).deleteAlias(input, signal),
    createTags: async (input, signal) => of(input).createTags(input, signal),
    listTags: async (input, signal) => of(input).listTags(input, signal),
  };
}

/** An {@link AuthProvider} that authorizes each request with the auth of its project's account. */
export function routeAuthByProject(auths: ReadonlyMap<string, AuthProvider>): AuthProvider {
  return {
    authorize: async (request, projectId, signal) => {
      const auth = auths.get(projectId);
      if (auth === undefined) throw notServed(projectId);
      return auth.authorize(request, projectId, signal);
    },
    onUnauthorized: (projectId, refused) => auths.get(projectId)?.onUnauthorized?.(projectId, refused) ?? false,
  };
}
