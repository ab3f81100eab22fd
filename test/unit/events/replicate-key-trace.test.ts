import { describe, expect, it } from 'vitest';
import { isKeyCreatingTrace } from '../../../lib/events/key-trace-names.ts';
import type { KeyCreated } from '../../../lib/events/key-created.ts';
import { resolveProjectOfRegion } from '../../../lib/events/normalise-context.ts';
import { type NormaliseResult, normaliseEvent } from '../../../lib/events/normalise-event.ts';

// Plain values: the primary lives in cn-north-4 (project SOURCE), its replica in cn-east-3.
const SOURCE_PROJECT = '0f3a8c1e5b7d4e2a9c6b8d0e1f2a3b4c';
const REPLICA_PROJECT = '9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b';
const OTHER_EAST_PROJECT = '1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d';
const DOMAIN_ID = '3bab8e245e854f68af5967c00dd43127';
const PRIMARY_KEY_ID = '4f2b9c1d-7a3e-4c58-9b6d-2e8f0a1c3d5e';
const REPLICA_KEY_ID = '8a1c3e5f-2b4d-4f6a-8c0e-1d3f5a7b9c2e';

type Json = Record<string, unknown>;

/** A replicateKey trace as CTS would record it in the source project (request/response as strings). */
function replicateTrace(request: Json, response: Json, extra: Json = {}): Json {
  return {
    trace_id: 'b1d2f3a4-b84d-11f1-9c2e-fa163e4b7d21',
    code: '200',
    trace_name: 'replicateKey',
    resource_type: 'cmk',
    trace_type: 'ApiCall',
    service_type: 'KMS',
    project_id: SOURCE_PROJECT,
    request: JSON.stringify(request),
    response: JSON.stringify(response),
    resource_id: PRIMARY_KEY_ID,
    resource_account_id: DOMAIN_ID,
    time: 1793693730000,
    user: { domain: { name: 'acme-prod', id: DOMAIN_ID }, name: 'ops-admin', id: 'u1', type: 'User' },
    ...extra,
  };
}

const FULL_REQUEST = {
  key_id: PRIMARY_KEY_ID,
  replica_region: 'cn-east-3',
  replica_project_id: REPLICA_PROJECT,
  key_alias: 'payments-db-east',
  key_description: 'East copy',
  enterprise_project_id: '0',
};

function normalise(body: unknown, projects?: ReadonlyMap<string, string>): NormaliseResult {
  return normaliseEvent(JSON.stringify(body), projects === undefined ? {} : { projects });
}

function eventOf(result: NormaliseResult): KeyCreated {
  if (result.kind !== 'key_created') throw new Error(`expected key_created, got ${JSON.stringify(result)}`);
  return result.event;
}

describe('normaliseEvent() with a replicateKey trace', () => {
  it('places the replica in its own region and project, not the trace’s', () => {
    const event = eventOf(
      normalise(replicateTrace(FULL_REQUEST, { key_id: REPLICA_KEY_ID, domain_id: DOMAIN_ID, region: 'cn-east-3' })),
    );
    expect(event).toMatchObject({
      key_id: REPLICA_KEY_ID,
      project_id: REPLICA_PROJECT,
      region: 'cn-east-3',
      domain_id: DOMAIN_ID,
      key_alias: 'payments-db-east',
      key_description: 'East copy',
      enterprise_project_id: '0',
      created_at: new Date(1793693730000).toISOString(),
      created_by: { name: 'ops-admin', id: 'u1', type: 'User', domain_name: 'acme-prod' },
      source: 'cts',
    });
    expect(event.project_id).not.toBe(SOURCE_PROJECT);
    expect(event.notes).toEqual([
      `replica of key ${PRIMARY_KEY_ID}, made by replicateKey in project ${SOURCE_PROJECT}`,
    ]);
    // A replicateKey call carries no spec, usage or origin: they are not guessed from the primary.
    expect(event).not.toHaveProperty('key_spec');
    expect(event).not.toHaveProperty('origin');
  });

  // Whether a replica keeps its primary's key id is unverified: both readings alias the answer's id.
  it.each([
    ['the replica has its own id', REPLICA_KEY_ID],
    ['the replica keeps the primary’s id', PRIMARY_KEY_ID],
  ])('takes the key id from the answer when %s', (_reading, answeredId) => {
    const event = eventOf(normalise(replicateTrace(FULL_REQUEST, { key_id: answeredId, region: 'cn-east-3' })));
    expect(event.key_id).toBe(answeredId);
    expect(event.region).toBe('cn-east-3');
  });

  it('reads an answer nested like CreateKey’s (key_info), in case CTS or a relay nests it', () => {
    const response = { key_info: { key_id: REPLICA_KEY_ID, domain_id: DOMAIN_ID, region_id: 'cn-east-3' } };
    expect(eventOf(normalise(replicateTrace(FULL_REQUEST, response)))).toMatchObject({
      key_id: REPLICA_KEY_ID,
      region: 'cn-east-3',
    });
  });

  it('falls back to the request’s key id, with a note, when the answer names none (shared-id reading)', () => {
    const event = eventOf(normalise(replicateTrace(FULL_REQUEST, {})));
    expect(event.key_id).toBe(PRIMARY_KEY_ID);
    expect(event.project_id).toBe(REPLICA_PROJECT);
    expect(event.notes?.some((n) => n.includes('request.key_id') && n.includes('unverified'))).toBe(true);
  });

  it('accepts request and response as objects (FunctionGraph trigger) inside {"cts": …}', () => {
    const trace = replicateTrace(FULL_REQUEST, {});
    trace['request'] = FULL_REQUEST;
    trace['response'] = { key_id: REPLICA_KEY_ID, region: 'cn-east-3' };
    expect(eventOf(normalise({ cts: trace }))).toMatchObject({
      key_id: REPLICA_KEY_ID,
      project_id: REPLICA_PROJECT,
      source: 'functiongraph-cts',
    });
  });

  it('takes the region from the answer when the request lacks it', () => {
    const { replica_region: _omitted, ...request } = FULL_REQUEST;
    const event = eventOf(normalise(replicateTrace(request, { key_id: REPLICA_KEY_ID, region: 'cn-east-3' })));
    expect(event.region).toBe('cn-east-3');
  });

  describe('without replica_project_id', () => {
    const { replica_project_id: _omitted, ...request } = FULL_REQUEST;
    const trace = replicateTrace(request, { key_id: REPLICA_KEY_ID, region: 'cn-east-3' });

    it('uses the one configured project of the replica region, and says so', () => {
      const projects = new Map([
        [SOURCE_PROJECT, 'cn-north-4'],
        [REPLICA_PROJECT, 'cn-east-3'],
      ]);
      const event = eventOf(normalise(trace, projects));
      expect(event.project_id).toBe(REPLICA_PROJECT);
      expect(event.notes?.some((n) => n.includes('only configured project of cn-east-3'))).toBe(true);
    });

    it.each([
      [
        'no project is configured for the region',
        new Map([[SOURCE_PROJECT, 'cn-north-4']]),
        'no project is configured',
      ],
      [
        'several projects are configured for the region',
        new Map([
          [REPLICA_PROJECT, 'cn-east-3'],
          [OTHER_EAST_PROJECT, 'cn-east-3'],
        ]),
        '2 projects are configured',
      ],
      ['there is no project map', undefined, 'no project is configured'],
    ])('skips it when %s, never falling back to the trace’s project', (_case, projects, detail) => {
      const result = normalise(trace, projects);
      expect(result).toMatchObject({ kind: 'skipped', reason: 'replica_project_unresolved' });
      expect(result.kind === 'skipped' && result.detail).toContain(detail);
    });
  });

  it.each([
    [
      'no region anywhere',
      { key_id: PRIMARY_KEY_ID, replica_project_id: REPLICA_PROJECT },
      { key_id: REPLICA_KEY_ID },
      'invalid_region',
    ],
    [
      'request and answer disagree on the region',
      FULL_REQUEST,
      { key_id: REPLICA_KEY_ID, region: 'cn-south-1' },
      'invalid_region',
    ],
    ['a malformed replica project id', { ...FULL_REQUEST, replica_project_id: 'not-a-project' }, {}, 'invalid_field'],
    ['no key id anywhere', { replica_region: 'cn-east-3', replica_project_id: REPLICA_PROJECT }, {}, 'invalid_key_id'],
  ])('refuses a replicateKey trace with %s', (_case, request, response, reason) => {
    const trace = replicateTrace(request, response);
    if (reason === 'invalid_key_id') delete trace['resource_id'];
    expect(normalise(trace)).toMatchObject({ kind: 'invalid', reason });
  });

  it.each([
    [
      'two replica key ids in its answer',
      { key_id: REPLICA_KEY_ID, key_info: { key_id: PRIMARY_KEY_ID } },
      'invalid_key_id',
      'response.key_info.key_id',
    ],
    [
      'two owner accounts',
      { key_id: REPLICA_KEY_ID, domain_id: 'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee' },
      'invalid_field',
      'resource_account_id',
    ],
  ])('refuses a trace with %s', (_, response, reason, field) => {
    const result = normalise(replicateTrace(FULL_REQUEST, response));
    expect(result).toMatchObject({ kind: 'invalid', reason });
    expect(result.kind === 'invalid' && result.detail).toContain(field);
  });

  it('skips a failed replicateKey call', () => {
    const result = normalise(replicateTrace(FULL_REQUEST, {}, { code: 400 }));
    expect(result).toMatchObject({ kind: 'skipped', reason: 'failed_call' });
    expect(result.kind === 'skipped' && result.detail).toContain('replicateKey failed with HTTP 400');
  });

  it('matches the trace name in any case', () => {
    const trace = replicateTrace(FULL_REQUEST, { key_id: REPLICA_KEY_ID }, { trace_name: 'ReplicateKey' });
    expect(eventOf(normalise(trace)).key_id).toBe(REPLICA_KEY_ID);
  });
});

describe('keys made with imported material', () => {
  const externalCreate = (keyState?: string): Json => ({
    trace_id: 'c1d2f3a4-b84d-11f1-9c2e-fa163e4b7d21',
    code: 200,
    trace_name: 'createKey',
    resource_type: 'cmk',
    service_type: 'KMS',
    project_id: SOURCE_PROJECT,
    request: { key_alias: 'byok-payments', key_spec: 'AES_256', origin: 'external' },
    response: {
      key_info: {
        key_id: PRIMARY_KEY_ID,
        domain_id: DOMAIN_ID,
        region_id: 'cn-north-4',
        ...(keyState ? { key_state: keyState } : {}),
      },
    },
  });

  it('announces the key at its createKey (origin external), where its id and name are', () => {
    expect(eventOf(normalise(externalCreate()))).toMatchObject({
      key_id: PRIMARY_KEY_ID,
      project_id: SOURCE_PROJECT,
      key_alias: 'byok-payments',
      origin: 'external',
    });
  });

  it('skips importKeyMaterial, which fills that key and names no new one (no second alias)', () => {
    const trace = {
      ...externalCreate(),
      trace_name: 'importKeyMaterial',
      request: { key_id: PRIMARY_KEY_ID, import_token: 'opaque', encrypted_key_material: 'opaque' },
      response: {},
    };
    const result = normalise(trace);
    expect(result).toMatchObject({ kind: 'skipped', reason: 'not_create_key' });
    expect(result.kind === 'skipped' && result.detail).not.toContain('opaque');
  });
});

describe('isKeyCreatingTrace()', () => {
  it.each([
    ['createKey', true],
    ['REPLICATEKEY', true],
    ['replicateKey', true],
    ['importKeyMaterial', false],
    ['updatePrimaryRegion', false],
  ])('%s → %s', (name, expected) => {
    expect(isKeyCreatingTrace(name)).toBe(expected);
  });
});

describe('resolveProjectOfRegion()', () => {
  it('finds the only project of a region, refuses to choose among several', () => {
    const projects = new Map([
      [REPLICA_PROJECT, 'cn-east-3'],
      [SOURCE_PROJECT, 'cn-north-4'],
      [OTHER_EAST_PROJECT, 'cn-south-1'],
    ]);
    expect(resolveProjectOfRegion('cn-east-3', projects)).toEqual({ ok: true, projectId: REPLICA_PROJECT });
    projects.set(OTHER_EAST_PROJECT, 'cn-east-3');
    expect(resolveProjectOfRegion('cn-east-3', projects)).toEqual({ ok: false, reason: 'ambiguous', candidates: 2 });
    expect(resolveProjectOfRegion('ap-southeast-1', projects)).toEqual({ ok: false, reason: 'unknown', candidates: 0 });
  });
});
