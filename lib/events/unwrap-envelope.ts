import type { EventEnvelope } from './key-created.ts';
import { MAX_ENVELOPE_DEPTH } from './event-limits.ts';
import { type JsonObject, hasOwn, isJsonObject, parseJson } from './json-object.ts';
import { type InvalidResult, invalid } from './normalise-result.ts';
import { describeType } from './quote-input.ts';

/** The innermost payload and the wrappers around it, or why unwrapping failed. */
export type UnwrapResult =
  | {
      ok: true;
      /** The payload inside the innermost wrapper (the body itself when there is none). */
      inner: JsonObject;
      /** Wrappers peeled off, outermost first. */
      envelopes: EventEnvelope[];
      /** Where `inner` sits in the body, for details: `""`, `"Message."`, `"Message.detail."`. */
      path: string;
      /** What was tolerated on the way (an SMN `message` that was already an object). */
      notes: string[];
    }
  | { ok: false; result: InvalidResult };

/** SNS → SQS delivery without raw message delivery: the payload is the JSON string `Message`. */
function isSnsNotification(value: JsonObject): boolean {
  return value['Type'] === 'Notification';
}

/**
 * Huawei SMN's HTTP(S) notification, put on the queue whole by a relay: snake_case `type`,
 * `message`, `topic_urn`, `message_id`, `signature`, `signing_cert_url`, `timestamp`, `subject?`
 * (https://support.huaweicloud.com/usermanual-smn/smn_ug_a9002.html,
 * docs/huawei-kms.md#smn-delivery). AWS SNS spells it `Type`. The signature is checked where the
 * delivery enters the system (the ingest endpoint); the queue is trusted, as for SNS.
 */
function isSmnNotification(value: JsonObject): boolean {
  return value['type'] === 'Notification';
}

/** EventBridge → SQS target: the payload is the object `detail`. */
function isEventBridgeEvent(value: JsonObject): boolean {
  return typeof value['detail-type'] === 'string' && hasOwn(value, 'detail');
}

/**
 * Peels SNS and SMN notifications and EventBridge events off a parsed body, iteratively and at most
 * `MAX_ENVELOPE_DEPTH` deep, so that forwarding chains (CTS → SNS → SQS, CTS → SMN → relay →
 * SQS, EventGrid → EventBridge → SQS...) all reach the same payload parsers.
 */
export function unwrapEnvelopes(body: JsonObject): UnwrapResult {
  const envelopes: EventEnvelope[] = [];
  let current = body;
  let path = '';
  const notes: string[] = [];
  for (;;) {
    const kind = envelopeKind(current);
    if (kind === undefined) return { ok: true, inner: current, envelopes, path, notes };
    if (envelopes.length === MAX_ENVELOPE_DEPTH) {
      return {
        ok: false,
        result: invalid(
          'envelope_too_deep',
          `${path || 'body'} is another SNS/SMN/EventBridge wrapper; at most ${MAX_ENVELOPE_DEPTH} nested wrappers are unwrapped`,
        ),
      };
    }
    envelopes.push(kind);
    const field = PAYLOAD_FIELD[kind];
    const payload = readPayload(current[field], kind);
    if (!payload.ok) return fail(payload.reason, `${path}${field} ${payload.detail}`);
    // Unverified shape, tolerated but not silently: the audit record shows it.
    if (kind === 'smn' && typeof current[field] !== 'string')
      notes.push(`${path}${field} was an object, not a JSON string`);
    current = payload.value;
    path = `${path}${field}.`;
  }
}

/** Where each wrapper keeps its payload. */
const PAYLOAD_FIELD = { sns: 'Message', smn: 'message', eventbridge: 'detail' } as const;

function envelopeKind(value: JsonObject): EventEnvelope | undefined {
  if (isSnsNotification(value)) return 'sns';
  if (isSmnNotification(value)) return 'smn';
  if (isEventBridgeEvent(value)) return 'eventbridge';
  return undefined;
}

type PayloadResult =
  | { ok: true; value: JsonObject }
  | { ok: false; reason: 'invalid_envelope' | 'not_json'; detail: string };

/**
 * SNS's `Message` is always a JSON string; EventBridge's `detail` an object. SMN's `message` is a
 * JSON string in Huawei's samples, but what CTS publishes there is unverified, so an object
 * (a relay that decoded it already) is accepted too.
 */
function readPayload(value: unknown, kind: EventEnvelope): PayloadResult {
  if (kind === 'eventbridge' || (kind === 'smn' && typeof value !== 'string')) {
    return isJsonObject(value)
      ? { ok: true, value }
      : {
          ok: false,
          reason: 'invalid_envelope',
          detail: `must be ${kind === 'smn' ? 'a JSON string or an object' : 'an object'}, got ${describeType(value)}`,
        };
  }
  if (typeof value !== 'string') {
    return { ok: false, reason: 'invalid_envelope', detail: `must be a JSON string, got ${describeType(value)}` };
  }
  const parsed = parseJson(value);
  if (!parsed.ok) return { ok: false, reason: 'not_json', detail: 'is not valid JSON' };
  if (!isJsonObject(parsed.value)) {
    return {
      ok: false,
      reason: 'invalid_envelope',
      detail: `must hold a JSON object, got ${describeType(parsed.value)}`,
    };
  }
  return { ok: true, value: parsed.value };
}

function fail(reason: 'invalid_envelope' | 'not_json', detail: string): UnwrapResult {
  return { ok: false, result: invalid(reason, detail) };
}
