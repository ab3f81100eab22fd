import type { KeyDeletionApi } from '../core/handle-key-deletion.ts';
import type { KmsClient } from '../huawei/types.ts';

/** Adapts the HTTP client to the calls a key deletion event needs (ON_KEY_DELETION=release). */
export function createKeyDeletionApi(
  kms: Pick<KmsClient, 'listAllAliases' | 'deleteAlias' | 'describeKey'>,
): KeyDeletionApi {
  return {
    listKeyAliases: async (k, signal) => {
      const result = await kms.listAllAliases({ region: k.region, projectId: k.projectId, keyId: k.keyId }, signal);
      // Each entry keeps the key id the server reported: planRelease never trusts the filter.
      return result.aliases.map((a) => ({ alias: a.alias, keyId: a.key_id }));
    },
    deleteAliases: async (k, aliases, signal) => {
      const result = await kms.deleteAlias(
        { region: k.region, projectId: k.projectId, keyId: k.keyId, aliases },
        signal,
      );
      return result.requestId === undefined ? {} : { requestId: result.requestId };
    },
    describeKey: async (k, signal) => {
      const result = await kms.describeKey({ region: k.region, projectId: k.projectId, keyId: k.keyId }, signal);
      return result.keyInfo;
    },
  };
}
