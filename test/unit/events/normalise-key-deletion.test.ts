import { describe, expect, it } from 'vitest';
import { normaliseEvent } from '../../../lib/events/normalise-event.ts';
import {
  PROJECT_ID,
  cloudEvent,
  eventBridgeEvent,
  type Json,
  smnNotification,
  snsNotification,
} from './sample-events.ts';

const KEY_ID = '9d1e2f3a-4b5c-4d6e-8f70-1a2b3c4d5e6f';

/** A deletion trace as CTS records it: the request names the key (docs/huawei-kms.md#key-deletion). */
function deletionTrace(traceName: string, overrides: Json = {}): Json {
  return {
    trace_id: 'b7e1c2d3-0000-11f1-9c2e-fa163e4b7d21',
    code: '200',
    trace_name: traceName,
    resource_type: 'cmk',
    trace_type: 'ApiCall',
    service_type: 'KMS',
    project_id: PROJECT_ID,
    region_id: 'cn-north-4',
    request: JSON.stringify(
      traceName === 'scheduleKeyDeletion' ? { key_id: KEY_ID, pending_days: '7' } : { key_id: KEY_ID },
    ),
    response: JSON.stringify({ key_id: KEY_ID, key_state: traceName === 'scheduleKeyDeletion' ? '4' : '3' }),
    resource_id: KEY_ID,
    time: 1793693730000,
    ...overrides,
  };
}

const normalise = (body: unknown) => normaliseEvent(JSON.stringify(body));

describe('normaliseEvent() on key deletion traces', () => {
  const envelopes: [string, (trace: Json) => unknown, string][] = [
    ['a bare trace', (t) => t, 'cts'],
    ['a FunctionGraph trigger', (t) => ({ cts: t }), 'functiongraph-cts'],
    ['a CloudEvent in an SNS notification', (t) => snsNotification(cloudEvent(t)), 'eventgrid'],
    ['an SMN notification', (t) => smnNotification(t), 'cts'],
    ['an EventBridge event', (t) => eventBridgeEvent(cloudEvent(t)), 'eventgrid'],
  ];

  it.each(envelopes)('reads scheduleKeyDeletion in %s', (_name, wrap, source) => {
    const result = normalise(wrap(deletionTrace('scheduleKeyDeletion')));
    expect(result).toMatchObject({
      kind: 'key_deletion_scheduled',
      event: { key_id: KEY_ID, project_id: PROJECT_ID, region: 'cn-north-4', source },
    });
    if (result.kind !== 'key_deletion_scheduled') throw new Error('unreachable');
    expect(result.event.time).toBe(new Date(1793693730000).toISOString());
    expect(result.event.trace_id).toBe('b7e1c2d3-0000-11f1-9c2e-fa163e4b7d21');
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])(
    'takes a trace named %s for no deletion (found by the fuzz run: an object lookup found its prototype)',
    (name) => {
      const result = normalise(deletionTrace(name));
      expect(result.kind).toBe('skipped');
    },
  );

  it("reads the account that owns the key, else the caller's", () => {
    const owned = normalise(
      deletionTrace('scheduleKeyDeletion', {
        resource_account_id: '6c1f0e2d3b4a49588776a5b4c3d2e1f0',
        user: { domain: { id: '3bab8e245e854f68af5967c00dd43127', name: 'org' }, name: 'bot' },
      }),
    );
    expect(owned).toMatchObject({ event: { domain_id: '6c1f0e2d3b4a49588776a5b4c3d2e1f0' } });
    const caller = normalise(
      deletionTrace('scheduleKeyDeletion', {
        user: { domain: { id: '3bab8e245e854f68af5967c00dd43127' }, name: 'bot' },
      }),
    );
    expect(caller).toMatchObject({ event: { domain_id: '3bab8e245e854f68af5967c00dd43127' } });
  });

  it.each(envelopes)('reads cancelKeyDeletion in %s', (_name, wrap) => {
    expect(normalise(wrap(deletionTrace('cancelKeyDeletion')))).toMatchObject({
      kind: 'key_deletion_cancelled',
      event: { key_id: KEY_ID, project_id: PROJECT_ID },
    });
  });

  it('compares the trace name case-insensitively (its spelling is unverified)', () => {
    expect(normalise(deletionTrace('SCHEDULEKEYDELETION')).kind).toBe('key_deletion_scheduled');
  });

  it('finds the key id in the response, then in resource_id, when the request lacks it', () => {
    const fromResponse = normalise(deletionTrace('cancelKeyDeletion', { request: '{}' }));
    expect(fromResponse).toMatchObject({ event: { key_id: KEY_ID } });
    const fromUrn = normalise(
      deletionTrace('cancelKeyDeletion', {
        request: {},
        response: {},
        project_id: '',
        resource_id: `urn:kms:cn-north-4:${PROJECT_ID}:cmk:${KEY_ID}`,
      }),
    );
    expect(fromUrn).toMatchObject({ event: { key_id: KEY_ID, project_id: PROJECT_ID } });
  });

  it('skips a failed call: nothing was scheduled', () => {
    expect(normalise(deletionTrace('scheduleKeyDeletion', { code: 400 }))).toMatchObject({
      kind: 'skipped',
      reason: 'failed_call',
    });
  });

  it.each([
    ['a 3xx', { code: 302 }, 'with HTTP 302'],
    [
      'an error body under code 200',
      { response: '{"error":{"error_code":"KMS.0210"}}' },
      '"KMS.0210" despite HTTP 200',
    ],
    ['a trace rated "warning"', { trace_rating: 'warning' }, 'trace_rating "warning"'],
  ])('skips %s: nothing was scheduled', (_, overrides, detail) => {
    const result = normalise(deletionTrace('scheduleKeyDeletion', overrides));
    expect(result).toMatchObject({ kind: 'skipped', reason: 'failed_call' });
    expect(result.kind === 'skipped' && result.detail).toContain(detail);
  });

  it.each([
    [
      'request and response name two keys',
      { response: JSON.stringify({ key_id: '0a0b0c0d-1e1f-4a2b-8c3d-4e5f6a7b8c9d' }) },
      'invalid_key_id',
      'response.key_id',
    ],
    [
      'project_id and the resource_id URN name two projects',
      { resource_id: `urn:kms:cn-north-4:${'f'.repeat(32)}:cmk:${KEY_ID}` },
      'invalid_project_id',
      'resource_id',
    ],
    [
      'region_id and the resource_id URN name two regions',
      { resource_id: `urn:kms:cn-east-3:${PROJECT_ID}:cmk:${KEY_ID}` },
      'invalid_region',
      'region_id',
    ],
  ])('refuses a trace where %s', (_, overrides, reason, field) => {
    const result = normalise(deletionTrace('scheduleKeyDeletion', overrides));
    expect(result).toMatchObject({ kind: 'invalid', reason });
    expect(result.kind === 'invalid' && result.detail).toContain(field);
  });

  it('refuses a trace without any key id, naming the fields', () => {
    const result = normalise(deletionTrace('scheduleKeyDeletion', { request: '{}', response: '{}', resource_id: '' }));
    expect(result).toMatchObject({ kind: 'invalid', reason: 'invalid_key_id' });
    expect(result.kind === 'invalid' && result.detail).toContain('request.key_id');
  });

  it('refuses a malformed key id in the request', () => {
    const result = normalise(deletionTrace('scheduleKeyDeletion', { request: '{"key_id":"../etc"}' }));
    expect(result.kind).toBe('invalid');
  });

  it('skips another resource type and another service', () => {
    expect(normalise(deletionTrace('scheduleKeyDeletion', { resource_type: 'secret' })).kind).toBe('skipped');
    expect(normalise(deletionTrace('scheduleKeyDeletion', { service_type: 'CSMS' }))).toMatchObject({
      kind: 'skipped',
      reason: 'not_kms',
    });
  });
});
