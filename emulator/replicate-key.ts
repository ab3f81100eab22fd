// ReplicateKey (`POST /v2/{project_id}/kms/keys/{key_id}/replicate`,
// docs/huawei-kms.md#replicas-and-imported-keys) and the CTS trace it leaves. The call is made in
// the source key's project; the replica is created in `replica_project_id` (a project of the same
// account whose region is `replica_region`). The answer is flat, `{key_id, domain_id, region}`
// (Python SDK ReplicateKeyResponse). The trace is recorded in the SOURCE project, as CTS records
// a call where it is made (unverified).
//
// Unverified: Whether a replica keeps its primary's key id is unverified. This emulator keys its store
// by key id, so it gives the replica its own id; the handler reads the answer's id either way.
// Unverified: The replica is enabled at once: it takes its primary's material when it is created (DEW user
// guide, dew_01_0325 and the page on importing key material), even for an external-origin primary.
import type { AccountDirectory, ProjectRef } from './accounts.ts';
import { type KmsCall, kmsTrace } from './cts-trace.ts';
import type { CtsTrace } from './cts-notifications.ts';
import { HuaweiError, kmsError } from './error-bodies.ts';
import { asString, parseJsonObject } from './json.ts';
import type { KmsState } from './kms-state.ts';

const KEY_ID_PATTERN = /^[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}$/;
const NAME_PATTERN = /^[a-zA-Z0-9:/_-]{1,255}$/;

export interface ReplicateKeyRequest {
  readonly project: ProjectRef;
  readonly body: Uint8Array;
}

export interface ReplicateKeyResult {
  readonly status: number;
  readonly body: { key_id: string; domain_id: string; region: string };
  /** The source key (what the trace's resource is). */
  readonly sourceKeyId: string;
}

function required(body: Record<string, unknown>, name: string): string {
  const value = asString(body[name]);
  if (value === undefined || value === '') throw kmsError.missingParam(name);
  return value;
}

/** Validates and performs a ReplicateKey call made in `req.project`; throws HuaweiError. */
export function replicateKey(
  req: ReplicateKeyRequest,
  state: KmsState,
  directory: AccountDirectory,
): ReplicateKeyResult {
  const body = parseJsonObject(req.body);
  if (!body) throw kmsError.invalidJson();
  const keyId = required(body, 'key_id');
  if (!KEY_ID_PATTERN.test(keyId)) throw kmsError.invalidKeyId();
  const replicaRegion = required(body, 'replica_region');
  const replicaProjectId = required(body, 'replica_project_id');
  const keyAlias = required(body, 'key_alias');
  if (!NAME_PATTERN.test(keyAlias)) throw kmsError.invalidKeyAlias();
  const description = asString(body['key_description']);
  const enterpriseProjectId = asString(body['enterprise_project_id']);

  const source = state.visibleKey(req.project.id, keyId);
  if (!source) throw kmsError.keyNotFound(404);
  const sourceAccount = directory.project(req.project.id)?.account;
  const target = directory.project(replicaProjectId);
  // Unverified: The codes of these refusals are undocumented; KMS.0308 (invalid parameter) is the closest.
  if (!target || target.account !== sourceAccount) throw kmsError.invalidParam('replica_project_id');
  if (target.project.name !== replicaRegion) throw kmsError.invalidParam('replica_region');
  if (replicaRegion === req.project.name) {
    throw new HuaweiError(400, 'KMS.0308', 'Invalid replica_region: it is the key’s own region.', 'nested');
  }
  if (state.allKeys(replicaProjectId).some((k) => k.key_alias === keyAlias)) throw kmsError.duplicateKeyAlias();

  const details = source.details;
  const replica = state.createKey(replicaProjectId, {
    key_alias: keyAlias,
    key_spec: details.key_spec,
    key_usage: details.key_usage,
    key_state: '2',
    ...(details.origin === 'external' ? { origin: 'external' as const } : {}),
    ...(description !== undefined ? { key_description: description } : {}),
    ...(enterpriseProjectId !== undefined ? { enterprise_project_id: enterpriseProjectId } : {}),
  });
  return {
    status: 200,
    body: { key_id: replica.key_id, domain_id: replica.domain_id, region: replica.realm },
    sourceKeyId: keyId,
  };
}

export interface ReplicateKeyCall extends KmsCall {
  /** The source key; the call is made in its project. */
  readonly sourceKeyId?: string;
}

/** The CTS trace of a replicateKey call, shaped like every KMS trace (cts-trace.ts). */
export function replicateKeyTrace(call: ReplicateKeyCall): CtsTrace {
  return kmsTrace(call, { traceName: 'replicateKey', apiVersion: 'v2', resourceId: call.sourceKeyId });
}
