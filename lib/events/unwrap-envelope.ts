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
    }
  | { ok: false; result: InvalidResult };

/** SNS → SQS delivery without raw message delivery: the payload is the JSON string `Message`. */
function isSnsNotification(value: JsonObject): boolean {
  return value['Type'] === 'Notification';
}

/** EventBridge → SQS target: the payload is the object `detail`. */
function isEventBridgeEvent(value: JsonObject): boolean {
  return typeof value['detail-type'] === 'string' && hasOwn(value, 'detail');
}

/**
 * Peels SNS notifications and EventBridge events off a parsed body, iteratively and at most
 * `MAX_ENVELOPE_DEPTH` deep, so that forwarding chains (CTS → SNS → SQS, EventGrid →
 * EventBridge → SQS...) all reach the same payload parsers.
 */
export function unwrapEnvelopes(body: JsonObject): UnwrapResult {
  const envelopes: EventEnvelope[] = [];
  let current = body;
  let path = '';
  for (;;) {
    const sns = isSnsNotification(current);
    if (!sns && !isEventBridgeEvent(current)) return { ok: true, inner: current, envelopes, path };
    if (envelopes.length === MAX_ENVELOPE_DEPTH) {
      return {
        ok: false,
        result: invalid(
          'envelope_too_deep',
          `${path || 'body'} is another SNS/EventBridge wrapper; at most ${MAX_ENVELOPE_DEPTH} nested wrappers are unwrapped`,
        ),
      };
    }
    if (sns) {
      envelopes.push('sns');
      const message = current['Message'];
      if (typeof message !== 'string') {
        return fail('invalid_envelope', `${path}Message must be a JSON string, got ${describeType(message)}`);
      }
      const parsed = parseJson(message);
      if (!parsed.ok) return fail('not_json', `${path}Message is not valid JSON`);
      if (!isJsonObject(parsed.value)) {
        return fail('invalid_envelope', `${path}Message must hold a JSON object, got ${describeType(parsed.value)}`);
      }
      current = parsed.value;
      path = `${path}Message.`;
    } else {
      envelopes.push('eventbridge');
      const detail = current['detail'];
      if (!isJsonObject(detail)) {
        return fail('invalid_envelope', `${path}detail must be an object, got ${describeType(detail)}`);
      }
      current = detail;
      path = `${path}detail.`;
    }
  }
}

function fail(reason: 'invalid_envelope' | 'not_json', detail: string): UnwrapResult {
  return { ok: false, result: invalid(reason, detail) };
}
