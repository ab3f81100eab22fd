import { describe, expect, it } from 'vitest';
import { triageKeyEvent } from '../../../lib/ingest/triage-key-event.ts';
import { loadEventBody, SAMPLE_EVENT_NAMES } from '../../support/load-event.ts';
import { TRACE_MESSAGE } from './smn-fixtures.ts';

const trace = (fields: Record<string, unknown>) => ({
  service_type: 'KMS',
  trace_name: 'createKey',
  code: 200,
  ...fields,
});

describe('triageKeyEvent()', () => {
  it('enqueues every sample event shape the queue handler reads', () => {
    for (const name of SAMPLE_EVENT_NAMES)
      expect(triageKeyEvent(loadEventBody(name)), name).toEqual({ kind: 'enqueue' });
    expect(triageKeyEvent(TRACE_MESSAGE)).toEqual({ kind: 'enqueue' });
  });

  it('drops traces of other services, in every wrapper', () => {
    const obs = trace({ service_type: 'OBS', trace_name: 'createBucket' });
    const bodies = [
      obs,
      { cts: obs },
      { specversion: '1.0', source: 'HC.OBS', data: obs },
      { specversion: '1.0', data: JSON.stringify(obs) },
      { Type: 'Notification', Message: JSON.stringify({ cts: obs }) },
    ];
    for (const body of bodies) {
      expect(triageKeyEvent(JSON.stringify(body))).toEqual({
        kind: 'drop',
        reason: 'not_kms',
        serviceType: 'OBS',
        traceName: 'createBucket',
      });
    }
  });

  it('drops other KMS operations, comparing names case-insensitively', () => {
    expect(triageKeyEvent(JSON.stringify(trace({ trace_name: 'disableKey' })))).toMatchObject({
      kind: 'drop',
      reason: 'not_create_key',
    });
    expect(triageKeyEvent(JSON.stringify(trace({ service_type: 'kms', trace_name: 'CREATEKEY' })))).toEqual({
      kind: 'enqueue',
    });
  });

  it('enqueues replicateKey (a replica is a new key) and drops importKeyMaterial', () => {
    expect(triageKeyEvent(JSON.stringify(trace({ trace_name: 'replicateKey' })))).toEqual({ kind: 'enqueue' });
    expect(triageKeyEvent(JSON.stringify(trace({ trace_name: 'importKeyMaterial' })))).toMatchObject({
      kind: 'drop',
      reason: 'not_create_key',
    });
  });

  it('enqueues the traces of a deletion scheduled or cancelled (ON_KEY_DELETION decides what they do)', () => {
    for (const name of ['scheduleKeyDeletion', 'cancelKeyDeletion', 'SCHEDULEKEYDELETION']) {
      expect(triageKeyEvent(JSON.stringify(trace({ trace_name: name }))), name).toEqual({ kind: 'enqueue' });
    }
  });

  it('enqueues whatever it is unsure of: not JSON, unknown shapes, a trace without service_type', () => {
    for (const body of ['plain text from CTS?', '[1,2]', '{"foo":1}', '{"trace_name":"deleteKey"}', '{"cts":"x"}']) {
      expect(triageKeyEvent(body), body).toEqual({ kind: 'enqueue' });
    }
  });

  it('truncates the codes it reports', () => {
    const result = triageKeyEvent(JSON.stringify(trace({ service_type: 'X'.repeat(500) })));
    expect(result.kind === 'drop' && result.serviceType.length).toBe(40);
  });
});
