/**
 * The two tag calls of a KMS key (docs/huawei-kms.md#key-tags), built on the same signed sender
 * as every other KMS operation: one request per call, no retries, failures typed and classified
 * where they are born (parse-huawei-error.ts).
 *
 * - `createTags`: `POST /v1.0/{project_id}/kms/{key_id}/tags/action`, body `{action, tags}`
 *   (`sequence` left out); success is 204 with no body (any 2xx is accepted, with or without one).
 *   https://support.huaweicloud.com/intl/en-us/api-dew/BatchCreateKmsTags.html
 * - `listTags`: `GET /v1.0/{project_id}/kms/{key_id}/tags`, 200 `{tags, existTagsNum}`.
 *   https://support.huaweicloud.com/intl/en-us/api-dew/ShowKmsTags.html
 */
import type { KmsOperationSender } from './kms-operation-sender.ts';
import type { ParseResult } from './kms-responses.ts';
import type { KeyTag, KmsTagOperations, ListTagsResult } from './types.ts';

/** The tag operations over `sender` (the client spreads them into itself). */
export function createKmsTagOperations(sender: KmsOperationSender): KmsTagOperations {
  const { send, checkKeyId, refuse } = sender;
  return {
    async createTags(input, signal) {
      const operation = 'createTags';
      checkKeyId(operation, input.keyId);
      if (input.action !== 'create' && input.action !== 'delete')
        throw refuse(operation, 'action must be create or delete');
      if (input.tags.length === 0) throw refuse(operation, 'no tags to send');
      const { requestId } = await send(
        {
          operation,
          target: input,
          method: 'POST',
          path: `${input.keyId}/tags/action`,
          // `value` is optional in Huawei's SDK model; it is always sent, so "" means empty, not absent.
          payload: { action: input.action, tags: input.tags.map((t) => ({ key: t.key, value: t.value })) },
          parse: () => ({ ok: true, value: {} }),
        },
        signal,
      );
      return { requestId };
    },

    async listTags(input, signal) {
      const operation = 'listTags';
      checkKeyId(operation, input.keyId);
      return send(
        { operation, target: input, method: 'GET', path: `${input.keyId}/tags`, parse: parseListTagsBody },
        signal,
      );
    },
  };
}

/**
 * Reads a ShowKmsTags body tolerantly: the count is documented both as `existTagsNum` and
 * `existTagNum` (UNVERIFIED which one the live API sends), a missing `value` is `""`, a missing
 * `tags` is `[]`, and items that are not `{key: string}` are dropped and counted (`dropped`), so
 * the caller can make the surprise visible. No paging is documented.
 */
export function parseListTagsBody(json: unknown): ParseResult<Omit<ListTagsResult, 'requestId'>> {
  if (json === undefined || json === null || typeof json !== 'object' || Array.isArray(json)) {
    return { ok: false, reason: 'tag listing is not a JSON object' };
  }
  const body = json as Record<string, unknown>;
  const rawTags = body.tags ?? [];
  if (!Array.isArray(rawTags)) return { ok: false, reason: 'tags is not an array' };
  const tags: KeyTag[] = [];
  let dropped = 0;
  for (const item of rawTags) {
    if (item === null || typeof item !== 'object' || typeof (item as { key?: unknown }).key !== 'string') {
      dropped += 1;
      continue;
    }
    const { key, value } = item as { key: string; value?: unknown };
    tags.push({ key, value: typeof value === 'string' ? value : value == null ? '' : String(value) });
  }
  const declared = body.existTagsNum ?? body.existTagNum;
  const count = typeof declared === 'number' && Number.isInteger(declared) ? declared : Number(declared);
  return { ok: true, value: { tags, count: Number.isInteger(count) && count >= 0 ? count : tags.length, dropped } };
}
