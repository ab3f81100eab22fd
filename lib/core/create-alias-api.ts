import type { KmsClient } from '../huawei/types.ts';
import type { AliasApi } from './ensure-alias.ts';

/** Adapts the HTTP client to the three operations the idempotent create needs. */
export function createAliasApi(kms: KmsClient): AliasApi {
  return {
    createAlias: async (t, signal) => {
      const result = await kms.createAlias(
        { region: t.region, projectId: t.projectId, keyId: t.keyId, alias: t.alias },
        signal
      );
      return { requestId: result.requestId };
    },
    listKeyAliases: async (t, signal) => {
      const result = await kms.listAllAliases({ region: t.region, projectId: t.projectId, keyId: t.keyId }, signal);
      return result.aliases.map((a) => a.alias);
    },
    findAliasHolder: async (t, signal) => {
      // No "get alias by name" exists (reference §1): list the project's aliases.
      const result = await kms.listAllAliases({ region: t.region, projectId: t.projectId }, signal);
      return result.aliases.find((a) => a.alias === t.alias)?.key_id;
    },
  };
}
