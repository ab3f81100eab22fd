/**
 * The KMS operations only tests need (CreateKey, DeleteAlias), kept out of the production client
 * so that they are not in a Lambda bundle. Built on the production client's own request sender:
 * the same validation, signing, transport and error parsing, so a test of these operations
 * exercises the real path.
 */
import * as z from 'zod';
import { createKmsClient, createKmsRequestSender, type KmsClientOptions } from '../../lib/huawei/kms-client.ts';
import { opaqueString, type ParseResult, parseWithSchema } from '../../lib/huawei/kms-responses.ts';
import type { KmsClient, KmsTarget, WithRequestId } from '../../lib/huawei/types.ts';

/** CreateKey's `key_info` (docs/huawei-kms.md#key-ids). */
export interface CreatedKeyInfo {
  key_id: string;
  domain_id?: string | undefined;
  region_id?: string | undefined;
}

export interface CreateKeyInput extends KmsTarget {
  /** The key's display name, `^[a-zA-Z0-9:/_-]{1,255}$`. */
  keyAlias: string;
  keySpec?: string | undefined;
  keyUsage?: string | undefined;
  keyDescription?: string | undefined;
  origin?: string | undefined;
  enterpriseProjectId?: string | undefined;
}

export interface CreateKeyResult extends WithRequestId {
  keyInfo: CreatedKeyInfo;
}

/** DeleteAlias is a production operation now (lib/huawei/kms-alias-deletion.ts). */
export type { DeleteAliasInput } from '../../lib/huawei/types.ts';

/** The production client plus the operations tests use to set up and clean up. */
export interface KmsTestClient extends KmsClient {
  createKey(input: CreateKeyInput, signal?: AbortSignal): Promise<CreateKeyResult>;
  /** `POST …/kms/schedule-key-deletion` `{key_id, pending_days}` (docs/huawei-kms.md#key-deletion). */
  scheduleKeyDeletion(input: KeyDeletionInput, signal?: AbortSignal): Promise<WithRequestId>;
  /** `POST …/kms/cancel-key-deletion` `{key_id}`. */
  cancelKeyDeletion(input: KeyDeletionInput, signal?: AbortSignal): Promise<WithRequestId>;
}

export interface KeyDeletionInput extends KmsTarget {
  keyId: string;
  /** Days until deletion, 7–1096 (a string in Huawei's model); schedule only. */
  pendingDays?: number;
}

const CreateKeyResponseSchema = z.object({
  key_info: z.object({ key_id: z.string().min(1), domain_id: opaqueString(), region_id: opaqueString() }),
});

/** Parses a CreateKey body `{key_info:{key_id, domain_id, region_id}}`. */
export function parseCreateKeyBody(json: unknown): ParseResult<CreatedKeyInfo> {
  const parsed = parseWithSchema(CreateKeyResponseSchema, json);
  return parsed.ok ? { ok: true, value: parsed.value.key_info } : parsed;
}

export function createKmsTestClient(options: KmsClientOptions): KmsTestClient {
  const { send } = createKmsRequestSender(options);
  const deletionCall =
    (operation: 'scheduleKeyDeletion' | 'cancelKeyDeletion', path: string) =>
    (input: KeyDeletionInput, signal?: AbortSignal) =>
      send(
        {
          operation,
          target: input,
          method: 'POST',
          path,
          payload: {
            key_id: input.keyId,
            ...(input.pendingDays === undefined ? {} : { pending_days: String(input.pendingDays) }),
          },
          parse: () => ({ ok: true, value: {} }),
        },
        signal,
      );
  return {
    ...createKmsClient(options),
    scheduleKeyDeletion: deletionCall('scheduleKeyDeletion', 'schedule-key-deletion'),
    cancelKeyDeletion: deletionCall('cancelKeyDeletion', 'cancel-key-deletion'),

    async createKey(input, signal) {
      const operation = 'createKey';
      return send(
        {
          operation,
          target: input,
          method: 'POST',
          path: 'create-key',
          payload: {
            key_alias: input.keyAlias,
            key_spec: input.keySpec,
            key_usage: input.keyUsage,
            key_description: input.keyDescription,
            origin: input.origin,
            enterprise_project_id: input.enterpriseProjectId,
          },
          parse: (json) => {
            const info = parseCreateKeyBody(json);
            return info.ok ? { ok: true, value: { keyInfo: info.value } } : info;
          },
        },
        signal,
      );
    },
  };
}
