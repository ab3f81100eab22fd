/**
 * Entry point of event normalisation: one SQS message body in, one `NormaliseResult` out.
 *
 * Supported bodies (docs/huawei-kms.md#aksk-signing), each possibly wrapped in AWS SNS or Huawei SMN notifications
 * and/or EventBridge events (see `unwrapEnvelopes`):
 * - a bare CTS trace (`source: 'cts'`);
 * - the FunctionGraph CTS trigger payload `{"cts": trace}` (`'functiongraph-cts'`);
 * - an EventGrid CloudEvent 1.0 whose `data` is the trace (`'eventgrid'`). Its `source`/`type`
 *   strings for KMS are unverified (docs/huawei-kms.md#eventgrid), so they are not checked: the trace inside decides;
 * - the canonical `{"type": "kms.key.created", ...}` of custom producers (`'canonical'`).
 */
import type { EventEnvelope, EventSource } from './key-created.ts';
import { CANONICAL_EVENT_TYPE } from './canonical-event-schema.ts';
import { MAX_BODY_BYTES } from './event-limits.ts';
import { type JsonObject, decodeEmbeddedObject, hasOwn, isJsonObject, parseJson } from './json-object.ts';
import type { NormaliseContext } from './normalise-context.ts';
import { type NormaliseResult, invalid } from './normalise-result.ts';
import { parseCanonicalEvent } from './parse-canonical-event.ts';
import { parseCreateKeyTrace } from './parse-create-key-trace.ts';
import { keyDeletionKindOf, parseKeyDeletionTrace } from './parse-key-deletion-trace.ts';
import { describeType, quoteInput } from './quote-input.ts';
import { unwrapEnvelopes } from './unwrap-envelope.ts';

export type { NormaliseResult, SkipReason, InvalidReason } from './normalise-result.ts';
export type { NormaliseContext } from './normalise-context.ts';

const CLOUDEVENTS_SPEC_VERSION = '1.0';
const SUPPORTED_SHAPES =
  'a CTS trace, {"cts": trace}, a CloudEvent with the trace as data, or {"type": "kms.key.created", ...}';
const LISTED_KEYS = 5;
const LISTED_KEY_LENGTH = 16;

/**
 * Normalises one SQS message body into a `KeyCreated` event.
 *
 * - `key_created`: a successful KMS createKey (any origin) or replicateKey (the new replica, in its
 *   own region and project), whatever its shape and wrappers. A trace time it
 *   cannot read is left out and described in `event.notes`, never a reason to refuse the event;
 * - `skipped`: a well-formed trace this function does not act on (`not_kms`, `not_create_key`,
 *   `failed_call`, `replica_project_unresolved`);
 * - `invalid`: anything else, with a reason code and a detail naming the field at fault.
 *
 * Never throws: an unexpected exception becomes `invalid`/`internal`. String fields of the
 * event never contain control characters (they are rejected as `invalid_field`), except
 * `key_description`, which may contain tab and line breaks and is not a naming placeholder.
 *
 * @example
 * normaliseEvent('{"cts":{"service_type":"KMS","trace_name":"createKey",...}}')
 * // { kind: 'key_created', event: { key_id: '…', source: 'functiongraph-cts', envelopes: [], ... } }
 *
 * @param context the configured projects: only consulted to place a replica whose trace does
 *   not name its project (see `parseReplicateKeyTrace`).
 */
export function normaliseEvent(body: string, context: NormaliseContext = {}): NormaliseResult {
  try {
    return normaliseBody(body, context);
  } catch (error) {
    const name = error instanceof Error ? error.name : describeType(error);
    const message = error instanceof Error ? error.message : '';
    return invalid('internal', `normalisation threw ${name}: ${quoteInput(message, 120)}`);
  }
}

function normaliseBody(body: string, context: NormaliseContext): NormaliseResult {
  if (typeof body !== 'string') return invalid('not_json', `body must be a string, got ${describeType(body)}`);
  // UTF-8 needs at least one byte per UTF-16 unit and at most three, so the exact count is
  // computed only for bodies near the limit.
  if (body.length > MAX_BODY_BYTES || (body.length * 3 > MAX_BODY_BYTES && Buffer.byteLength(body) > MAX_BODY_BYTES)) {
    return invalid('body_too_large', `body exceeds ${MAX_BODY_BYTES} bytes`);
  }
  const parsed = parseJson(body);
  if (!parsed.ok) {
    return invalid('not_json', `body is not valid JSON (it starts with ${quoteInput(body.trimStart())})`);
  }
  if (!isJsonObject(parsed.value)) {
    return invalid(
      'unknown_shape',
      `body is a JSON ${describeType(parsed.value)}; expected an object: ${SUPPORTED_SHAPES}`,
    );
  }
  const unwrapped = unwrapEnvelopes(parsed.value);
  if (!unwrapped.ok) return unwrapped.result;
  const result = parsePayload(unwrapped.inner, unwrapped.envelopes, unwrapped.path, context);
  if (result.kind === 'key_created' && unwrapped.notes.length > 0) {
    result.event.notes = [...unwrapped.notes, ...(result.event.notes ?? [])];
  }
  return result;
}

function parsePayload(
  payload: JsonObject,
  envelopes: EventEnvelope[],
  path: string,
  context: NormaliseContext,
): NormaliseResult {
  if (hasOwn(payload, 'cts')) {
    return parseTrace(payload['cts'], 'functiongraph-cts', envelopes, `${path}cts.`, context);
  }
  if (hasOwn(payload, 'specversion')) return parseCloudEvent(payload, envelopes, path, context);
  if (hasOwn(payload, 'service_type') || hasOwn(payload, 'trace_name')) {
    return parseTrace(payload, 'cts', envelopes, path, context);
  }
  if (payload['type'] === CANONICAL_EVENT_TYPE) return parseCanonicalEvent(payload, envelopes, path);
  return invalid('unknown_shape', describeUnknownShape(payload, path));
}

/** A CTS trace in any envelope: a key deletion trace (schedule/cancel), else the createKey parser decides. */
function parseTrace(
  trace: unknown,
  source: EventSource,
  envelopes: EventEnvelope[],
  path: string,
  context: NormaliseContext,
): NormaliseResult {
  const deletion = keyDeletionKindOf(trace);
  if (deletion !== undefined && isJsonObject(trace)) {
    return parseKeyDeletionTrace(trace, deletion, source, envelopes, path);
  }
  return parseCreateKeyTrace(trace, source, envelopes, path, context);
}

/** EventGrid delivery (docs/huawei-kms.md#eventgrid): CloudEvents 1.0, `data` an object or (tolerated) a JSON string. */
function parseCloudEvent(
  event: JsonObject,
  envelopes: EventEnvelope[],
  path: string,
  context: NormaliseContext,
): NormaliseResult {
  const specversion = event['specversion'];
  if (specversion !== CLOUDEVENTS_SPEC_VERSION) {
    return invalid(
      'invalid_cloudevent',
      `${path}specversion must be "${CLOUDEVENTS_SPEC_VERSION}", got ${quoteInput(specversion)}`,
    );
  }
  const data = decodeEmbeddedObject(event['data'], `${path}data`);
  if (!data.ok) return invalid(data.reason === 'not_json' ? 'not_json' : 'invalid_cloudevent', data.detail);
  if (data.value === undefined) {
    return invalid('invalid_cloudevent', `${path}data is absent; it must hold the CTS trace`);
  }
  return parseTrace(data.value, 'eventgrid', envelopes, `${path}data.`, context);
}

function describeUnknownShape(payload: JsonObject, path: string): string {
  const where = path.slice(0, -1) || 'body';
  const type = payload['type'];
  if (typeof type === 'string') {
    return `${where} has type ${quoteInput(type)}; expected ${SUPPORTED_SHAPES}`;
  }
  const keys = Object.keys(payload);
  const listed = keys.slice(0, LISTED_KEYS).map((key) => quoteInput(key, LISTED_KEY_LENGTH));
  const more = keys.length > LISTED_KEYS ? `, … (${keys.length} keys)` : '';
  const has = keys.length === 0 ? 'is an empty object' : `has keys ${listed.join(', ')}${more}`;
  return `${where} ${has}; expected ${SUPPORTED_SHAPES}`;
}
