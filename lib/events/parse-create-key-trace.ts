import type { EventEnvelope, EventSource } from './key-created.ts';
import { buildKeyCreated, creatorOfTraceUser } from './build-key-created.ts';
import { agreedValue } from './agreed-value.ts';
import { ctsTraceSchemas } from './cts-trace-schema.ts';
import { describeCallFailure } from './describe-call-failure.ts';
import { invalidFromZodError } from './format-zod-issues.ts';
import { decodeEmbeddedObject, isJsonObject } from './json-object.ts';
import { type NormaliseResult, invalid, skipped } from './normalise-result.ts';
import { parseKeyResourceId } from './parse-key-resource-id.ts';
import { readCreationTime } from './read-creation-time.ts';
import type { NormaliseContext } from './normalise-context.ts';
import { parseReplicateKeyTrace } from './parse-replicate-key-trace.ts';
import { readTraceBodies } from './read-trace-bodies.ts';
import { describeType, quoteInput } from './quote-input.ts';
import { IMPORT_KEY_MATERIAL_TRACE, REPLICATE_KEY_TRACE, isKeyCreatingTrace } from './key-trace-names.ts';

/**
 * Names are compared case-insensitively: the DEW table gives `cmk`/`createKey`, but the
 * `service_type` value `KMS` is only inferred (docs/huawei-kms.md#key-events), so spelling is not trusted.
 */
const KMS_SERVICE = 'kms';
const CMK_RESOURCE = 'cmk';

/**
 * Turns a CTS trace (bare, `cts` of a FunctionGraph trigger, or `data` of a CloudEvent) into a
 * `KeyCreated`, or explains why not. Traces of other services/operations and failed calls are
 * `skipped`; a createKey trace with bad fields is `invalid`. A replicateKey trace is read by
 * `parseReplicateKeyTrace` (the new key lives in the replica's region and project); a createKey
 * with `origin: external` (imported material) is a createKey like any other
 * (docs/huawei-kms.md#replicas-and-imported-keys).
 *
 * Where things come from (docs/huawei-kms.md#key-events; the key id location is unverified there, hence the
 * fallbacks):
 * - key id: `response.key_info.key_id`, else the key id that ends `resource_id`;
 * - project: `project_id`, else the `resource_id` URN;
 * - region: `response.key_info.region_id`, else the trace's `region_id`, else the URN;
 * - the project, the region and the owner's account must agree wherever the trace names them:
 *   two values are `invalid`, never a choice (`agreedValue`); two key ids are only noted;
 * - domain: `response.key_info.domain_id`, else `resource_account_id` (both the key's owner),
 *   else `user.domain.id` (the caller's; under an agency, which account CTS reports is not
 *   documented, so owner fields come first: HUAWEICLOUD_ACCOUNTS checks this against the project).
 *
 * @param path where the trace sits in the body (`cts.`, `Message.data.`...), for details.
 * @param context the configured projects, which place a replica whose trace lacks its project.
 */
export function parseCreateKeyTrace(
  trace: unknown,
  source: EventSource,
  envelopes: EventEnvelope[],
  path: string,
  context: NormaliseContext = {},
): NormaliseResult {
  if (!isJsonObject(trace)) {
    return invalid(
      'invalid_field',
      `${path.slice(0, -1) || 'body'} must be a CTS trace object, got ${describeType(trace)}`,
    );
  }
  const { CtsTraceHeaderSchema, CtsCallStatusSchema, CreateKeyRequestSchema, CreateKeyResponseSchema } =
    ctsTraceSchemas();
  const header = CtsTraceHeaderSchema.safeParse(trace);
  if (!header.success) return invalidFromZodError(header.error, path);
  const { service_type, trace_name, resource_type } = header.data;
  if (service_type.toLowerCase() !== KMS_SERVICE) {
    return skipped('not_kms', `trace ${quoteInput(trace_name)} is from service ${quoteInput(service_type)}, not KMS`);
  }
  const name = trace_name.toLowerCase();
  if (name === IMPORT_KEY_MATERIAL_TRACE) {
    // The key and its id came with its createKey (origin external), which is where it is named.
    return skipped(
      'not_create_key',
      'KMS trace is "importKeyMaterial": it fills a key that createKey made (and announced) before, so it names no new key',
    );
  }
  if (!isKeyCreatingTrace(name)) {
    return skipped('not_create_key', `KMS trace is ${quoteInput(trace_name)}, not createKey or replicateKey`);
  }
  const operation = name === REPLICATE_KEY_TRACE ? 'replicateKey' : 'createKey';
  if (resource_type !== undefined && resource_type.toLowerCase() !== CMK_RESOURCE) {
    return skipped(
      'not_create_key',
      `KMS ${operation} trace is for resource type ${quoteInput(resource_type)}, not cmk`,
    );
  }
  const status = CtsCallStatusSchema.safeParse(trace);
  if (!status.success) return invalidFromZodError(status.error, path);
  // CTS keeps `response` as a JSON string: decoded here once, for the failure check and the read.
  const responseBody = decodeEmbeddedObject(trace['response'], `${path}response`);
  const failure = describeCallFailure(trace, status.data.code, path, responseBody);
  if (failure !== undefined) {
    return skipped('failed_call', `${operation} failed ${failure}, so no key was created`);
  }
  if (name === REPLICATE_KEY_TRACE) return parseReplicateKeyTrace(trace, source, envelopes, path, context);

  const read = readTraceBodies(trace, path, CreateKeyRequestSchema, CreateKeyResponseSchema, responseBody);
  if (!read.ok) return read.result;
  const { fields: t, request, response } = read;
  const keyInfo = response.key_info;
  const fromResourceId = t.resource_id === undefined ? {} : parseKeyResourceId(t.resource_id);
  const resourceIdPath = `${path}resource_id`;
  // KMS's own answer wins over resource_id, whose content is unverified (it may hold another id,
  // such as a request serial): a disagreement is tolerated but shown in the audit record.
  const keyIdOf = agreedValue('key id', [
    [`${path}response.key_info.key_id`, keyInfo?.key_id],
    [resourceIdPath, fromResourceId.key_id],
  ]);
  const keyId = keyInfo?.key_id ?? fromResourceId.key_id;
  if (keyId === undefined) {
    return invalid(
      'invalid_key_id',
      t.resource_id === undefined
        ? `no key id: ${path}response.key_info.key_id and ${path}resource_id are both absent`
        : `no key id: ${path}response.key_info.key_id is absent and ${path}resource_id ${quoteInput(t.resource_id)} does not end with a key id`,
    );
  }
  const projectIdOf = agreedValue('project', [
    [`${path}project_id`, t.project_id],
    [resourceIdPath, fromResourceId.project_id],
  ]);
  if (!projectIdOf.ok) return invalid('invalid_project_id', projectIdOf.detail);
  const projectId = projectIdOf.value;
  if (projectId === undefined) {
    return invalid(
      'invalid_project_id',
      `no project id: ${path}project_id is absent and resource_id is not a URN naming one`,
    );
  }
  const regionOf = agreedValue('region', [
    [`${path}response.key_info.region_id`, keyInfo?.region_id],
    [`${path}region_id`, t.region_id],
    [resourceIdPath, fromResourceId.region],
  ]);
  if (!regionOf.ok) return invalid('invalid_region', regionOf.detail);
  // The owner's account, from the answer and the trace; `user.domain.id` is the caller's, which
  // may differ under an agency, so it is only a fallback and never a contradiction.
  const ownerOf = agreedValue('account', [
    [`${path}response.key_info.domain_id`, keyInfo?.domain_id],
    [`${path}resource_account_id`, t.resource_account_id],
  ]);
  if (!ownerOf.ok) return invalid('invalid_field', ownerOf.detail);
  const user = t.user;
  const created = readCreationTime(trace, path);
  return {
    kind: 'key_created',
    event: buildKeyCreated(
      {
        key_id: keyId,
        project_id: projectId,
        region: regionOf.value,
        domain_id: ownerOf.value ?? user?.domain?.id,
        created_by: creatorOfTraceUser(user),
        created_at: created.iso,
        key_alias: request.key_alias,
        key_spec: request.key_spec,
        key_usage: request.key_usage,
        origin: request.origin,
        enterprise_project_id: request.enterprise_project_id,
        key_description: request.key_description,
        trace_id: t.trace_id,
        notes: keyIdOf.ok ? created.notes : [`${keyIdOf.detail}; the answer's is used`, ...created.notes],
      },
      source,
      envelopes,
    ),
  };
}
