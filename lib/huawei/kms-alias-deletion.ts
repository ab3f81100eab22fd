/**
 * DeleteAlias (docs/huawei-kms.md#alias-api): `DELETE /v1.0/{project_id}/kms/aliases` with a JSON
 * body `{"key_id", "aliases": [...]}`, 204 and no body on success.
 * https://support.huaweicloud.com/eu/api-dew/DeleteAlias.html
 *
 * Production code since ON_KEY_DELETION=release gives a deleted key's convention aliases back
 * (docs/huawei-kms.md#key-deletion). Built on the same signed sender as every KMS operation:
 * one request per call, no retries, failures classified where they are born.
 */
import type { KmsOperationSender } from './kms-operation-sender.ts';
import type { DeleteAliasInput, KmsAliasDeletion } from './types.ts';

/** The DeleteAlias operation over `sender` (the client spreads it into itself). */
export function createKmsAliasDeletion(sender: KmsOperationSender): KmsAliasDeletion {
  const { send, checkKeyId, refuse } = sender;
  return {
    async deleteAlias(input: DeleteAliasInput, signal?: AbortSignal) {
      const operation = 'deleteAlias';
      checkKeyId(operation, input.keyId);
      if (input.aliases.length === 0) throw refuse(operation, 'no aliases given');
      const { requestId } = await send(
        {
          operation,
          target: input,
          method: 'DELETE',
          path: 'aliases',
          payload: { key_id: input.keyId, aliases: [...input.aliases] },
          // 204 with no body; any 2xx is success, its body (if any) informative only.
          parse: () => ({ ok: true, value: {} }),
        },
        signal,
      );
      return { requestId };
    },
  };
}
