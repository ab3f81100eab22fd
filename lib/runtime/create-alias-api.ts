import type { KmsClient } from '../huawei/types.ts';
import type { AliasApi } from '../core/ensure-alias.ts';

/** Page size of the project listing; Terraform lists aliases 50 at a time (docs/huawei-kms.md#listing-keys). */
export const PROJECT_ALIAS_PAGE_SIZE = 50;

/** Adapts the HTTP client to the operations the idempotent create needs. */
export function createAliasApi(kms: KmsClient): AliasApi {
  return {
    createAlias: async (t, signal) => {
      const result = await kms.createAlias(
        { region: t.region, projectId: t.projectId, keyId: t.keyId, alias: t.alias },
        signal,
      );
      return { requestId: result.requestId, unexpectedAnswer: result.unexpectedAnswer };
    },
    listKeyAliases: async (t, signal) => {
      const result = await kms.listAllAliases({ region: t.region, projectId: t.projectId, keyId: t.keyId }, signal);
      // The key id of each entry is kept: ensureAlias checks it rather than trust the filter.
      return result.aliases.map((a) => ({ alias: a.alias, keyId: a.key_id }));
    },
    listProjectAliases: async (t, marker, signal) => {
      const page = await kms.listAliases(
        { region: t.region, projectId: t.projectId, limit: PROJECT_ALIAS_PAGE_SIZE, marker },
        signal,
      );
      return { aliases: page.aliases.map((a) => ({ alias: a.alias, keyId: a.key_id })), nextMarker: page.nextMarker };
    },
  };
}
