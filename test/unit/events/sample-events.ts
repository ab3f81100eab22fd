/**
 * The sample bodies in `events/` and the exact `KeyCreated` each one must normalise to.
 * Tests mutate `structuredClone`s of these, never hand-written copies.
 */
import { readFileSync, readdirSync } from 'node:fs';
import type { KeyCreated } from '../../../lib/events/key-created.ts';

export const EVENTS_DIR = new URL('../../../events/', import.meta.url);

export const PROJECT_ID = '0f3a8c1e5b7d4e2a9c6b8d0e1f2a3b4c';
export const DOMAIN_ID = '3bab8e245e854f68af5967c00dd43127';
export const REGION = 'cn-north-4';

export type Json = Record<string, unknown>;

/** Every `*.json` file in `events/`. */
export function listSampleFiles(): string[] {
  return readdirSync(EVENTS_DIR)
    .filter((name) => name.endsWith('.json'))
    .sort();
}

export function readSampleBody(file: string): string {
  return readFileSync(new URL(file, EVENTS_DIR), 'utf8');
}

/** A fresh, mutable parse of a sample body. */
export function loadSample(file: string): Json {
  return JSON.parse(readSampleBody(file)) as Json;
}

/** Reads `object.a.b.c` from parsed JSON, failing loudly when the path does not exist. */
export function at(object: unknown, ...path: string[]): Json {
  let current: unknown = object;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) throw new Error(`no object at ${path.join('.')}`);
    current = (current as Json)[key];
  }
  if (typeof current !== 'object' || current === null) throw new Error(`no object at ${path.join('.')}`);
  return current as Json;
}

const acmeUser = (name: string, id: string, type = 'User') => ({ name, id, type, domain_name: 'acme-prod' });

const EXPECTED_EVENTS = {
  'canonical.json': {
    key_id: '2d4f6a8c-0e1b-4d3f-9a5c-7e9b1d3f5a7c',
    project_id: PROJECT_ID,
    region: REGION,
    domain_id: DOMAIN_ID,
    created_by: { name: 'platform-provisioner' },
    created_at: '2026-11-03T13:15:30.000Z',
    key_alias: 'reporting-etl',
    key_spec: 'EC_P384',
    key_usage: 'SIGN_VERIFY',
    origin: 'kms',
    enterprise_project_id: '0',
    key_description: 'Signs nightly reporting extracts',
    trace_id: 'f4b8c2e7-b860-11f1-8d1a-fa163e4b7d21',
    source: 'canonical',
    envelopes: [],
  },
  'cts-create-key.json': {
    key_id: '4f2b9c1d-7a3e-4c58-9b6d-2e8f0a1c3d5e',
    project_id: PROJECT_ID,
    region: REGION,
    domain_id: DOMAIN_ID,
    created_by: acmeUser('ops-admin', '7c5e2f1a9b3d4c6e8f0a2b4c6d8e0f1a'),
    created_at: '2026-11-03T08:15:30.000Z',
    key_alias: 'payments-db',
    key_spec: 'AES_256',
    key_usage: 'ENCRYPT_DECRYPT',
    origin: 'kms',
    enterprise_project_id: '0',
    key_description: 'Envelope key for the payments database',
    trace_id: 'a3c1f7e2-b84d-11f1-9c2e-fa163e4b7d21',
    source: 'cts',
    envelopes: [],
  },
  'eventbridge-wrapped-eventgrid.json': {
    key_id: '5c3e1a9f-8b7d-4e6c-a5f4-3b2d1c0e9f8a',
    project_id: PROJECT_ID,
    region: REGION,
    domain_id: DOMAIN_ID,
    created_by: acmeUser('ops-admin', '7c5e2f1a9b3d4c6e8f0a2b4c6d8e0f1a'),
    created_at: '2026-11-03T12:15:30.000Z',
    key_alias: 'customer-pii',
    key_spec: 'RSA_3072',
    key_usage: 'ENCRYPT_DECRYPT',
    origin: 'external',
    enterprise_project_id: '6b2f1e0d-9c8b-4a7f-8e6d-5c4b3a2f1e0d',
    key_description: 'Wraps customer PII data keys',
    trace_id: 'e1c7a4d9-b85c-11f1-a2f5-fa163e4b7d21',
    source: 'eventgrid',
    envelopes: ['eventbridge'],
  },
  'eventgrid-cloudevent.json': {
    key_id: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
    project_id: PROJECT_ID,
    region: REGION,
    domain_id: DOMAIN_ID,
    created_by: acmeUser('terraform-agency', '5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b', 'AssumedAgency'),
    created_at: '2026-11-03T10:15:30.000Z',
    key_alias: 'ledger-archive',
    key_spec: 'SM4',
    key_usage: 'ENCRYPT_DECRYPT',
    origin: 'kms',
    enterprise_project_id: '0',
    key_description: 'Archive encryption for the ledger',
    trace_id: 'c2a9e5f1-b854-11f1-b6e0-fa163e4b7d21',
    source: 'eventgrid',
    envelopes: [],
  },
  'functiongraph-cts-trigger.json': {
    key_id: '9d8c7b6a-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
    project_id: PROJECT_ID,
    region: REGION,
    domain_id: DOMAIN_ID,
    created_by: acmeUser('deploy-bot', '2e4f6a8c0b1d3e5f7a9c1e3b5d7f9a0c'),
    created_at: '2026-11-03T09:15:30.000Z',
    key_alias: 'orders-api',
    key_spec: 'RSA_2048',
    key_usage: 'SIGN_VERIFY',
    origin: 'kms',
    enterprise_project_id: '0',
    key_description: 'Signs order API tokens',
    trace_id: 'b7e4d2c9-b850-11f1-8a3d-fa163e4b7d21',
    source: 'functiongraph-cts',
    envelopes: [],
  },
  'sns-wrapped-cts.json': {
    key_id: '7e6d5c4b-3a29-4180-9f8e-7d6c5b4a3928',
    project_id: PROJECT_ID,
    region: REGION,
    domain_id: DOMAIN_ID,
    created_by: acmeUser('security-admin', '9b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a'),
    created_at: '2026-11-03T11:15:30.000Z',
    key_alias: 'audit-signing',
    key_spec: 'EC_P256',
    key_usage: 'SIGN_VERIFY',
    origin: 'kms',
    enterprise_project_id: '0',
    key_description: 'Signs audit log digests',
    trace_id: 'd8f3b1a6-b858-11f1-93c4-fa163e4b7d21',
    source: 'cts',
    envelopes: ['sns'],
  },
  'smn-wrapped-cts.json': {
    key_id: 'b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e',
    project_id: PROJECT_ID,
    region: REGION,
    domain_id: DOMAIN_ID,
    created_by: acmeUser('finance-admin', '4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a4c'),
    created_at: '2026-11-03T15:15:30.000Z',
    key_alias: 'billing-exports',
    key_spec: 'AES_256',
    key_usage: 'ENCRYPT_DECRYPT',
    origin: 'kms',
    enterprise_project_id: '0',
    key_description: 'Encrypts billing exports',
    trace_id: 'a9d2c4e6-b860-11f1-9d3e-fa163e4b7d21',
    source: 'cts',
    envelopes: ['smn'],
  },
  'functiongraph-cts-console-time.json': {
    key_id: 'c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f',
    project_id: PROJECT_ID,
    region: REGION,
    domain_id: DOMAIN_ID,
    created_by: acmeUser('people-ops', '6e8a0c2e4b6d8f0a2c4e6b8d0f2a4c6e'),
    // "2026/11/03 22:15:30 GMT+08:00", the console form.
    created_at: '2026-11-03T14:15:30.000Z',
    key_alias: 'hr-records',
    key_spec: 'SM4',
    key_usage: 'ENCRYPT_DECRYPT',
    origin: 'kms',
    enterprise_project_id: '0',
    key_description: 'Protects HR records',
    trace_id: 'b4e6a8c0-b864-11f1-8e4f-fa163e4b7d21',
    source: 'functiongraph-cts',
    envelopes: [],
  },
  'cts-iso-time.json': {
    key_id: 'd5e6f7a8-b9c0-4d1e-8f2a-3b4c5d6e7f80',
    project_id: PROJECT_ID,
    region: REGION,
    domain_id: DOMAIN_ID,
    created_by: acmeUser('backup-agency', '8a0c2e4b6d8f0a2c4e6b8d0f2a4c6e8a', 'AssumedAgency'),
    // "2026-11-03T15:15:30.250+01:00"
    created_at: '2026-11-03T14:15:30.250Z',
    key_alias: 'backup-vault',
    key_spec: 'RSA_4096',
    key_usage: 'ENCRYPT_DECRYPT',
    origin: 'kms',
    enterprise_project_id: '0',
    key_description: 'Wraps backup vault keys',
    trace_id: 'c6f8b0d2-b868-11f1-9f5a-fa163e4b7d21',
    source: 'cts',
    envelopes: [],
  },
} satisfies Record<string, KeyCreated>;

export type SampleFile = keyof typeof EXPECTED_EVENTS;
export const EXPECTED: Readonly<Record<SampleFile, KeyCreated>> = EXPECTED_EVENTS;

export function isSampleFile(file: string): file is SampleFile {
  return Object.hasOwn(EXPECTED_EVENTS, file);
}

/** The bare CTS trace sample, with `request`/`response` as JSON strings (as CTS stores them). */
export function ctsTrace(): Json {
  return loadSample('cts-create-key.json');
}

/** The same trace with `request`/`response` decoded into objects (as the FunctionGraph trigger shows them). */
export function ctsTraceWithObjects(): Json {
  const trace = ctsTrace();
  trace['request'] = JSON.parse(trace['request'] as string) as unknown;
  trace['response'] = JSON.parse(trace['response'] as string) as unknown;
  return trace;
}

export function snsNotification(message: unknown): Json {
  const sns = loadSample('sns-wrapped-cts.json');
  sns['Message'] = JSON.stringify(message);
  return sns;
}

export function smnNotification(message: unknown): Json {
  const smn = loadSample('smn-wrapped-cts.json');
  smn['message'] = typeof message === 'string' ? message : JSON.stringify(message);
  return smn;
}

export function eventBridgeEvent(detail: unknown): Json {
  const event = loadSample('eventbridge-wrapped-eventgrid.json');
  event['detail'] = detail;
  return event;
}

export function cloudEvent(data: unknown): Json {
  const event = loadSample('eventgrid-cloudevent.json');
  event['data'] = data;
  return event;
}

/** `EXPECTED['cts-create-key.json']` with another source and envelopes. */
export function expectedCtsEvent(overrides: Partial<KeyCreated> = {}): KeyCreated {
  return { ...structuredClone(EXPECTED['cts-create-key.json']), ...overrides };
}
