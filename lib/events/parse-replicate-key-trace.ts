import type { EventEnvelope, EventSource } from './key-created.ts';
import { buildKeyCreated, creatorOfTraceUser } from './build-key-created.ts';
import { agreedValue } from './agreed-value.ts';
import { ctsTraceSchemas } from './cts-trace-schema.ts';
import type { JsonObject } from './json-object.ts';
import { type NormaliseContext, resolveProjectOfRegion } from './normalise-context.ts';
import { type NormaliseResult, invalid, skipped } from './normalise-result.ts';
import { parseKeyResourceId } from './parse-key-resource-id.ts';
import { readCreationTime } from './read-creation-time.ts';
import { readTraceBodies } from './read-trace-bodies.ts';

/**
 * Turns a successful replicateKey trace into a `KeyCreated` for the NEW key, placed where that
 * key lives: the replica's region and project, not the trace's own (the call is made to, and
 * recorded in, the source key's region). The caller has already checked service, name and status.
 *
 * Where things come from (docs/huawei-kms.md#replicas-and-imported-keys; what CTS keeps of
 * the call is unverified, hence the fallbacks, each one noted in `event.notes`):
 * - key id: the answer's `key_id` (the copied key's id, Python SDK `ReplicateKeyResponse`), or
 *   `key_info.key_id`; without either, the request's `key_id`, since a multi-region key is
 *   expected to keep its id across regions (unverified: the key is then looked up under that id);
 * - region: `request.replica_region`, else the answer's `region`;
 * - project: `request.replica_project_id` (required by the API), else the one configured project
 *   of that region. Never the trace's `project_id`, which is the source key's project; when the
 *   map has no single project for the region the trace is skipped (`replica_project_unresolved`);
 * - `key_alias`, `key_description`, `enterprise_project_id`: the request's (the new key's own).
 *   `key_spec`, `key_usage` and `origin` are not in a replicateKey call, so they stay absent.
 */
export function parseReplicateKeyTrace(
  trace: JsonObject,
  source: EventSource,
  envelopes: EventEnvelope[],
  path: string,
  context: NormaliseContext,
): NormaliseResult {
  const { ReplicateKeyRequestSchema, ReplicateKeyResponseSchema } = ctsTraceSchemas();
  const read = readTraceBodies(trace, path, ReplicateKeyRequestSchema, ReplicateKeyResponseSchema);
  if (!read.ok) return read.result;
  const { fields: t, request, response: answer } = read;
  const notes: string[] = [];
  const sourceKeyId =
    request.key_id ?? (t.resource_id === undefined ? undefined : parseKeyResourceId(t.resource_id).key_id);
  // Both are the answer's (flat, or nested in case a relay nests it): two ids there is a garbled trace.
  const answeredKeyId = agreedValue('key id', [
    [`${path}response.key_id`, answer.key_id],
    [`${path}response.key_info.key_id`, answer.key_info?.key_id],
  ]);
  if (!answeredKeyId.ok) return invalid('invalid_key_id', answeredKeyId.detail);
  // A replica stays in its source key's account, so every owner field names one account.
  const ownerOf = agreedValue('account', [
    [`${path}response.domain_id`, answer.domain_id],
    [`${path}response.key_info.domain_id`, answer.key_info?.domain_id],
    [`${path}resource_account_id`, t.resource_account_id],
  ]);
  if (!ownerOf.ok) return invalid('invalid_field', ownerOf.detail);
  let keyId = answeredKeyId.value;
  if (keyId === undefined) {
    if (sourceKeyId === undefined) {
      return invalid(
        'invalid_key_id',
        `no key id: ${path}response.key_id, ${path}request.key_id and ${path}resource_id name no key`,
      );
    }
    keyId = sourceKeyId;
    notes.push(
      `replica key id taken from ${path}request.key_id: the answer names none, and a multi-region key is expected to keep its id (unverified)`,
    );
  }

  const answeredRegion = answer.region ?? answer.region_id ?? answer.key_info?.region ?? answer.key_info?.region_id;
  const requestedRegion = request.replica_region;
  if (requestedRegion !== undefined && answeredRegion !== undefined && requestedRegion !== answeredRegion) {
    return invalid(
      'invalid_region',
      `${path}request.replica_region is ${requestedRegion} but ${path}response.region is ${answeredRegion}`,
    );
  }
  const region = requestedRegion ?? answeredRegion;
  if (region === undefined) {
    return invalid(
      'invalid_region',
      `no replica region: ${path}request.replica_region and ${path}response.region are both absent`,
    );
  }

  let projectId = request.replica_project_id;
  if (projectId === undefined) {
    const resolved = resolveProjectOfRegion(region, context.projects);
    if (!resolved.ok) {
      return skipped(
        'replica_project_unresolved',
        resolved.reason === 'unknown'
          ? `replica of key ${keyId} in ${region}: ${path}request.replica_project_id is absent and no project is configured for ${region}`
          : `replica of key ${keyId} in ${region}: ${path}request.replica_project_id is absent and ${resolved.candidates} projects are configured for ${region}`,
      );
    }
    projectId = resolved.projectId;
    notes.push(
      `replica project ${projectId} is the only configured project of ${region} (${path}request.replica_project_id is absent)`,
    );
  }

  const from = t.project_id === undefined ? '' : ` in project ${t.project_id}`;
  notes.unshift(`replica of key ${sourceKeyId ?? '(unnamed)'}, made by replicateKey${from}`);
  const user = t.user;
  const created = readCreationTime(trace, path);
  return {
    kind: 'key_created',
    event: buildKeyCreated(
      {
        key_id: keyId,
        project_id: projectId,
        region,
        domain_id: ownerOf.value ?? user?.domain?.id,
        created_by: creatorOfTraceUser(user),
        created_at: created.iso,
        key_alias: request.key_alias,
        key_spec: undefined,
        key_usage: undefined,
        origin: undefined,
        enterprise_project_id: request.enterprise_project_id,
        key_description: request.key_description,
        trace_id: t.trace_id,
        notes: [...notes, ...created.notes],
      },
      source,
      envelopes,
    ),
  };
}
