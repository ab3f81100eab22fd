import type { EventEnvelope, EventSource } from './key-created.ts';
import type { KeyDeletion, KeyDeletionKind } from './key-deletion.ts';
import { agreedValue } from './agreed-value.ts';
import { ctsTraceSchemas } from './cts-trace-schema.ts';
import { describeCallFailure } from './describe-call-failure.ts';
import { fieldSchemas, objectSchema, optionalField } from './field-schemas.ts';
import { invalidFromZodError } from './format-zod-issues.ts';
import { type JsonObject, decodeEmbeddedObject, isJsonObject } from './json-object.ts';
import { lazySchema } from '../validation/lazy-schema.ts';
import { type NormaliseResult, invalid, skipped } from './normalise-result.ts';
import { parseKeyResourceId } from './parse-key-resource-id.ts';
import { parseTraceTime } from './parse-trace-time.ts';
import { quoteInput } from './quote-input.ts';

/**
 * Trace names of the two deletion operations, lower-cased: the DEW audit table
 * (https://support.huaweicloud.com/intl/en-us/usermanual-dew/dew_01_0020.html) lists
 * "Scheduling CMK deletion" / "Canceling the scheduled deletion of a CMK" on resource type `cmk`.
 * The exact spelling is compared case-insensitively (docs/huawei-kms.md#key-deletion).
 */
const DELETION_TRACES: ReadonlyMap<string, KeyDeletionKind> = new Map([
  ['schedulekeydeletion', 'key_deletion_scheduled'],
  ['cancelkeydeletion', 'key_deletion_cancelled'],
]);

/** Which deletion event a trace is, or undefined when it is not one (or not a KMS trace). */
export function keyDeletionKindOf(trace: unknown): KeyDeletionKind | undefined {
  if (!isJsonObject(trace)) return undefined;
  const service = trace['service_type'];
  const name = trace['trace_name'];
  if (typeof service !== 'string' || typeof name !== 'string' || service.toLowerCase() !== 'kms') return undefined;
  // A Map, not an object: a trace named `__proto__` or `constructor` must not find Object's members.
  return DELETION_TRACES.get(name.toLowerCase());
}

/**
 * The request of both operations is `{"key_id", "pending_days"?}` and the schedule answer
 * `{"key_id", "key_state"}` (ScheduleKeyDeletion / CancelKeyDeletion API pages). Unverified in a
 * trace: the key id is read from `request`, else `response`, else the end of `resource_id`.
 */
const deletionBodySchema = lazySchema(() => objectSchema({ key_id: optionalField(fieldSchemas().KeyIdSchema) }));

/**
 * Turns a `scheduleKeyDeletion` / `cancelKeyDeletion` trace into a `KeyDeletion` (in any
 * envelope: the caller has unwrapped it). A failed call (`code` not 2xx, or an error code: `describeCallFailure`) changed nothing, so it is
 * skipped; a trace without a usable key or project id is invalid, naming the field.
 */
export function parseKeyDeletionTrace(
  trace: JsonObject,
  kind: KeyDeletionKind,
  source: EventSource,
  envelopes: EventEnvelope[],
  path: string,
): NormaliseResult {
  const { CtsCallStatusSchema, CtsCreateKeyTraceSchema } = ctsTraceSchemas();
  const resourceType = trace['resource_type'];
  if (typeof resourceType === 'string' && resourceType !== '' && resourceType.toLowerCase() !== 'cmk') {
    return skipped('not_create_key', `KMS ${kind} trace is for resource type ${quoteInput(resourceType)}, not cmk`);
  }
  const status = CtsCallStatusSchema.safeParse(trace);
  if (!status.success) return invalidFromZodError(status.error, path);
  const failure = describeCallFailure(trace, status.data.code, path);
  if (failure !== undefined) {
    return skipped('failed_call', `${quoteInput(trace['trace_name'])} failed ${failure}, so it changed nothing`);
  }
  const fields = CtsCreateKeyTraceSchema.safeParse(trace);
  if (!fields.success) return invalidFromZodError(fields.error, path);
  const keyIdIn = (field: 'request' | 'response'): NormaliseResult | string | undefined => {
    const body = decodeEmbeddedObject(trace[field], `${path}${field}`);
    if (!body.ok) return invalid(body.reason, body.detail);
    const parsed = deletionBodySchema().safeParse(body.value ?? {});
    if (!parsed.success) return invalidFromZodError(parsed.error, `${path}${field}.`);
    return parsed.data.key_id;
  };
  const fromRequest = keyIdIn('request');
  if (typeof fromRequest === 'object') return fromRequest;
  const fromResponse = keyIdIn('response');
  if (typeof fromResponse === 'object') return fromResponse;
  const t = fields.data;
  const fromResourceId = t.resource_id === undefined ? {} : parseKeyResourceId(t.resource_id);
  // The request and the answer are KMS's own bodies: two key ids there is a garbled trace. The
  // content of resource_id is unverified, so it is only the last fallback (docs/huawei-kms.md#key-deletion).
  const keyIdOf = agreedValue('key id', [
    [`${path}request.key_id`, fromRequest],
    [`${path}response.key_id`, fromResponse],
  ]);
  if (!keyIdOf.ok) return invalid('invalid_key_id', keyIdOf.detail);
  const keyId = keyIdOf.value ?? fromResourceId.key_id;
  if (keyId === undefined) {
    return invalid(
      'invalid_key_id',
      `no key id: ${path}request.key_id, ${path}response.key_id and a key id ending ${path}resource_id are all absent`,
    );
  }
  const projectIdOf = agreedValue('project', [
    [`${path}project_id`, t.project_id],
    [`${path}resource_id`, fromResourceId.project_id],
  ]);
  if (!projectIdOf.ok) return invalid('invalid_project_id', projectIdOf.detail);
  const projectId = projectIdOf.value;
  if (projectId === undefined) {
    return invalid('invalid_project_id', `no project id: ${path}project_id is absent and resource_id names none`);
  }
  const event: KeyDeletion = { key_id: keyId, project_id: projectId, source, envelopes };
  const regionOf = agreedValue('region', [
    [`${path}region_id`, t.region_id],
    [`${path}resource_id`, fromResourceId.region],
  ]);
  if (!regionOf.ok) return invalid('invalid_region', regionOf.detail);
  const region = regionOf.value;
  if (region !== undefined) event.region = region;
  const time = readTime(trace, path);
  if (time !== undefined) event.time = time;
  if (t.trace_id !== undefined) event.trace_id = t.trace_id;
  // The account that owns the key, else the caller's (whose account an agency caller reports is
  // not documented): only checked against the project's account (HUAWEICLOUD_ACCOUNTS).
  const domainId = t.resource_account_id ?? t.user?.domain?.id;
  if (domainId !== undefined) event.domain_id = domainId;
  // Spelled out so that the result narrows to one member of the union.
  return kind === 'key_deletion_scheduled'
    ? { kind: 'key_deletion_scheduled', event }
    : { kind: 'key_deletion_cancelled', event };
}

/** `time`, else `record_time`; unreadable times are simply left out (the event needs none). */
function readTime(trace: JsonObject, path: string): string | undefined {
  for (const field of ['time', 'record_time'] as const) {
    const parsed = parseTraceTime(trace[field], `${path}${field}`);
    if (parsed.ok && parsed.iso !== undefined) return parsed.iso;
  }
  return undefined;
}
