import { KEY_ID_PATTERN, PROJECT_ID_PATTERN, REGION_ID_PATTERN } from './field-schemas.ts';

/** What a CTS `resource_id` reveals about the new key. */
export interface KeyResourceId {
  key_id?: string;
  project_id?: string;
  region?: string;
}

/**
 * Reads a createKey trace's `resource_id`. Where the key id sits in the trace is unverified
 * (docs/huawei-kms.md#key-events), so this tolerates a bare key id and any URN-like string ending with one
 * (`…:<key_id>` or `…/<key_id>`). Only the FunctionGraph-style URN
 * `urn:<service>:<region>:<project_id>:<type>:<key_id>` (docs/huawei-kms.md#key-events example) also yields the region and
 * project; their segments are used only when they match the id patterns.
 *
 * @returns an empty object when the string does not end with a key id.
 * @example parseKeyResourceId('urn:kms:cn-north-4:0f3a…3b4c:cmk:4f2b9c1d-…')
 *   // { key_id: '4f2b9c1d-…', region: 'cn-north-4', project_id: '0f3a…3b4c' }
 */
export function parseKeyResourceId(resourceId: string): KeyResourceId {
  const cut = Math.max(resourceId.lastIndexOf(':'), resourceId.lastIndexOf('/'));
  const keyId = resourceId.slice(cut + 1);
  if (!KEY_ID_PATTERN.test(keyId)) return {};
  const result: KeyResourceId = { key_id: keyId };
  if (resourceId.startsWith('urn:')) {
    const segments = resourceId.split(':');
    const [, , region, projectId] = segments;
    if (segments.length === 6) {
      if (region !== undefined && REGION_ID_PATTERN.test(region)) result.region = region;
      if (projectId !== undefined && PROJECT_ID_PATTERN.test(projectId)) result.project_id = projectId;
    }
  }
  return result;
}
