/**
 * Is this body a KMS key event worth a place on the queue? Only what is *clearly* something
 * else is dropped: a CTS trace (bare, `{"cts": …}`, a CloudEvent's `data`, or an SNS-style
 * `Message`) whose `service_type` is not KMS or whose `trace_name` the queue handler does not act
 * on (createKey, replicateKey, scheduleKeyDeletion, cancelKeyDeletion). What CTS puts in an SMN notification's `message` is UNVERIFIED
 * (likely the trace as a JSON string), so
 * anything unrecognised is enqueued: the queue handler has the authoritative validator and a DLQ
 * that says what was wrong. Names are compared case-insensitively, as the queue handler does.
 */
import { isKeyEventTrace } from '../events/key-trace-names.ts';

export type TriageResult =
  | { kind: 'enqueue' }
  | {
      kind: 'drop';
      reason: 'not_kms' | 'not_create_key';
      /** The trace's own short codes, truncated: what an operator needs to see why. */
      serviceType: string;
      traceName: string | undefined;
    };

const MAX_CODE = 40;
const MAX_DEPTH = 3;

export function triageKeyEvent(body: string): TriageResult {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { kind: 'enqueue' };
  }
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    if (!isObject(value)) return { kind: 'enqueue' };
    const inner = innerPayload(value);
    if (inner === undefined) return judgeTrace(value);
    value = inner;
  }
  return isObject(value) ? judgeTrace(value) : { kind: 'enqueue' };
}

/** The wrapped payload: `cts`, a CloudEvent's `data`, an SNS `Message`; undefined when none. */
function innerPayload(value: Record<string, unknown>): unknown {
  if (Object.hasOwn(value, 'cts')) return value.cts;
  if (Object.hasOwn(value, 'specversion')) return decode(value.data);
  if (value.Type === 'Notification' && typeof value.Message === 'string') return decode(value.Message);
  return undefined;
}

function judgeTrace(trace: Record<string, unknown>): TriageResult {
  const service = trace.service_type;
  const name = typeof trace.trace_name === 'string' ? trace.trace_name.slice(0, MAX_CODE) : undefined;
  if (typeof service === 'string' && service.toLowerCase() !== 'kms') {
    return { kind: 'drop', reason: 'not_kms', serviceType: service.slice(0, MAX_CODE), traceName: name };
  }
  if (typeof service === 'string' && name !== undefined && !isKeyEventTrace(name)) {
    return { kind: 'drop', reason: 'not_create_key', serviceType: service.slice(0, MAX_CODE), traceName: name };
  }
  return { kind: 'enqueue' };
}

function decode(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
