import type { TagApi } from '../core/ensure-tags.ts';
import type { KmsTagOperations } from '../huawei/types.ts';

/** Adapts the HTTP client's tag calls to the port of the tag step (lib/core/ensure-tags.ts). */
export function createTagApi(kms: KmsTagOperations): TagApi {
  return {
    createTags: async (t, call, signal) => {
      const result = await kms.createTags(
        { region: t.region, projectId: t.projectId, keyId: t.keyId, action: call.action, tags: call.tags },
        signal,
      );
      return { requestId: result.requestId };
    },
    listTags: async (t, signal) => {
      const result = await kms.listTags({ region: t.region, projectId: t.projectId, keyId: t.keyId }, signal);
      return { tags: result.tags, requestId: result.requestId, dropped: result.dropped };
    },
  };
}
