// The chaos workload's key deletion events: the CTS trace of a scheduleKeyDeletion or a
// cancelKeyDeletion (as the emulator records it, emulator/cts-trace.ts), in one of the envelopes
// a creation event comes in. The generator checks that the real normaliser reads each body back
// as that deletion of that key.
import { normaliseEvent } from '../lib/events/normalise-event.ts';

export type DeletionTraceName = 'scheduleKeyDeletion' | 'cancelKeyDeletion';

/** Envelopes of events/ (docs/huawei-kms.md#key-events): the trace as it reaches the queue. */
export const DELETION_ENVELOPES = [
  'cts-trace',
  'functiongraph-cts',
  'sns-wrapped',
  'smn-wrapped',
  'eventgrid-cloudevent',
  'eventbridge-wrapped',
] as const;
export type DeletionEnvelope = (typeof DELETION_ENVELOPES)[number];

export interface DeletionEventInput {
  traceName: DeletionTraceName;
  keyId: string;
  keyAlias: string;
  projectId: string;
  domainId: string;
  traceId: string;
  /** Epoch ms of the call. */
  atMs: number;
  envelope: DeletionEnvelope;
}

/**
 * The body of one deletion event. Throws when the normaliser does not read it back as that
 * deletion of that key (a generator bug must not pass as a function bug).
 */
export function buildDeletionBody(input: DeletionEventInput): string {
  const request = { key_id: input.keyId, ...(input.traceName === 'scheduleKeyDeletion' ? { pending_days: '7' } : {}) };
  const response = { key_id: input.keyId, key_state: input.traceName === 'scheduleKeyDeletion' ? '4' : '3' };
  const trace = {
    trace_id: input.traceId,
    code: '200',
    trace_name: input.traceName,
    resource_type: 'cmk',
    trace_rating: 'normal',
    api_version: 'v1.0',
    trace_type: 'ApiCall',
    service_type: 'KMS',
    event_type: 'system',
    project_id: input.projectId,
    request: JSON.stringify(request),
    response: JSON.stringify(response),
    resource_id: input.keyId,
    resource_name: input.keyAlias,
    resource_account_id: input.domainId,
    time: input.atMs,
    record_time: input.atMs + 1,
    user: { domain: { id: input.domainId }, name: 'chaos-operator', type: 'User' },
  };
  const withObjects = { ...trace, request, response };
  const cloudEvent = {
    id: input.traceId,
    specversion: '1.0',
    source: 'HC.KMS',
    type: 'KMS:CloudTrace:ApiCall',
    datacontenttype: 'application/json',
    subject: `KMS:cmk:${input.traceName}`,
    time: new Date(input.atMs).toISOString(),
    data: withObjects,
  };
  let body: unknown;
  switch (input.envelope) {
    case 'cts-trace':
      body = trace;
      break;
    case 'functiongraph-cts':
      body = { cts: withObjects };
      break;
    case 'sns-wrapped':
      body = {
        Type: 'Notification',
        MessageId: input.traceId,
        Subject: `CTS KMS ${input.traceName}`,
        Message: JSON.stringify(trace),
      };
      break;
    case 'smn-wrapped':
      body = {
        type: 'Notification',
        message_id: input.traceId.replaceAll('-', ''),
        subject: `CTS key event: KMS ${input.traceName}`,
        message: JSON.stringify(trace),
      };
      break;
    case 'eventgrid-cloudevent':
      body = cloudEvent;
      break;
    case 'eventbridge-wrapped':
      body = {
        version: '0',
        id: input.traceId,
        'detail-type': 'Huawei Cloud EventGrid event',
        source: 'com.example.huaweicloud.eventgrid',
        detail: cloudEvent,
      };
      break;
  }
  const text = JSON.stringify(body);
  const read = normaliseEvent(text);
  const kind = input.traceName === 'scheduleKeyDeletion' ? 'key_deletion_scheduled' : 'key_deletion_cancelled';
  if (read.kind !== kind || read.event.key_id !== input.keyId) {
    throw new Error(
      `generator bug: a ${input.envelope} ${input.traceName} body for key ${input.keyId} read as ${read.kind}`,
    );
  }
  return text;
}
