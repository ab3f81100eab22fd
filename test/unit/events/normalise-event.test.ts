import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { MAX_BODY_BYTES, MAX_ENVELOPE_DEPTH } from '../../../lib/events/event-limits.ts';
import type { KeyCreated } from '../../../lib/events/key-created.ts';
import { INVALID_REASONS, SKIP_REASONS } from '../../../lib/events/normalise-result.ts';
import { type NormaliseResult, normaliseEvent } from '../../../lib/events/normalise-event.ts';
import { parseKeyResourceId } from '../../../lib/events/parse-key-resource-id.ts';
import {
  DOMAIN_ID,
  EXPECTED,
  type Json,
  PROJECT_ID,
  at,
  cloudEvent,
  ctsTrace,
  ctsTraceWithObjects,
  eventBridgeEvent,
  expectedCtsEvent,
  isSampleFile,
  listSampleFiles,
  loadSample,
  readSampleBody,
  smnNotification,
  snsNotification,
} from './sample-events.ts';

const KEY_ID = EXPECTED['cts-create-key.json'].key_id;

function normalise(body: unknown): NormaliseResult {
  return normaliseEvent(typeof body === 'string' ? body : JSON.stringify(body));
}

function expectEvent(result: NormaliseResult): KeyCreated {
  if (result.kind !== 'key_created') throw new Error(`expected key_created, got ${JSON.stringify(result)}`);
  return result.event;
}

/** Applies a mutation to a fresh copy of the bare CTS trace sample. */
function mutatedTrace(mutate: (trace: Json) => void, withObjects = false): Json {
  const trace = withObjects ? ctsTraceWithObjects() : ctsTrace();
  mutate(trace);
  return trace;
}

describe('normaliseEvent()', () => {
  describe('sample events', () => {
    it('has an expected value for every events/*.json file', () => {
      const files = listSampleFiles();
      expect(files).toEqual(Object.keys(EXPECTED).sort());
    });

    it.each(listSampleFiles())('normalises %s to its exact KeyCreated', (file) => {
      if (!isSampleFile(file)) throw new Error(`no expected value for ${file}`);
      expect(normaliseEvent(readSampleBody(file))).toEqual({ kind: 'key_created', event: EXPECTED[file] });
    });

    it('gives every sample a distinct key id, in the same project, region and account', () => {
      const events = Object.values(EXPECTED);
      expect(new Set(events.map((e) => e.key_id)).size).toBe(events.length);
      for (const event of events) {
        expect(event).toMatchObject({ project_id: PROJECT_ID, region: 'cn-north-4', domain_id: DOMAIN_ID });
      }
    });
  });

  describe('shapes, with request/response as JSON strings or objects', () => {
    const shapes = [
      { shape: 'bare CTS trace', wrap: (t: Json) => t, source: 'cts' },
      { shape: 'FunctionGraph {cts}', wrap: (t: Json) => ({ cts: t }), source: 'functiongraph-cts' },
      { shape: 'EventGrid CloudEvent', wrap: (t: Json) => cloudEvent(t), source: 'eventgrid' },
      {
        shape: 'EventGrid CloudEvent, data as a JSON string',
        wrap: (t: Json) => cloudEvent(JSON.stringify(t)),
        source: 'eventgrid',
      },
    ] as const;
    const bodies = [
      { bodies: 'strings', trace: ctsTrace },
      { bodies: 'objects', trace: ctsTraceWithObjects },
    ] as const;
    const rows = shapes.flatMap((s) => bodies.map((b) => ({ ...s, ...b })));

    it.each(rows)('$shape with request/response as $bodies', ({ wrap, trace, source }) => {
      expect(expectEvent(normalise(wrap(trace())))).toEqual(expectedCtsEvent({ source }));
    });
  });

  describe('wrappers', () => {
    const canonical = () => loadSample('canonical.json');
    const rows: Array<{ name: string; body: () => unknown; envelopes: string[]; source: string }> = [
      { name: 'SNS(CTS trace)', body: () => snsNotification(ctsTrace()), envelopes: ['sns'], source: 'cts' },
      {
        name: 'EventBridge(CTS trace)',
        body: () => eventBridgeEvent(ctsTrace()),
        envelopes: ['eventbridge'],
        source: 'cts',
      },
      {
        name: 'SNS({cts})',
        body: () => snsNotification({ cts: ctsTraceWithObjects() }),
        envelopes: ['sns'],
        source: 'functiongraph-cts',
      },
      {
        name: 'SNS(EventBridge(CloudEvent))',
        body: () => snsNotification(eventBridgeEvent(cloudEvent(ctsTrace()))),
        envelopes: ['sns', 'eventbridge'],
        source: 'eventgrid',
      },
      {
        name: 'EventBridge(SNS(canonical))',
        body: () => eventBridgeEvent(snsNotification(canonical())),
        envelopes: ['eventbridge', 'sns'],
        source: 'canonical',
      },
      { name: 'SMN(CTS trace)', body: () => smnNotification(ctsTrace()), envelopes: ['smn'], source: 'cts' },
      {
        name: 'SMN({cts})',
        body: () => smnNotification({ cts: ctsTraceWithObjects() }),
        envelopes: ['smn'],
        source: 'functiongraph-cts',
      },
      {
        name: 'SMN(CloudEvent)',
        body: () => smnNotification(cloudEvent(ctsTrace())),
        envelopes: ['smn'],
        source: 'eventgrid',
      },
      {
        name: 'SMN with message already an object',
        body: () => ({ ...smnNotification({}), message: ctsTrace() }),
        envelopes: ['smn'],
        source: 'cts',
      },
      {
        name: 'EventBridge(SMN(CTS trace))',
        body: () => eventBridgeEvent(smnNotification(ctsTrace())),
        envelopes: ['eventbridge', 'smn'],
        source: 'cts',
      },
      {
        name: 'SNS(SMN({cts}))',
        body: () => snsNotification(smnNotification({ cts: ctsTraceWithObjects() })),
        envelopes: ['sns', 'smn'],
        source: 'functiongraph-cts',
      },
      {
        name: 'SNS(SNS(SNS(CTS trace))) at the depth limit',
        body: () => snsNotification(snsNotification(snsNotification(ctsTrace()))),
        envelopes: ['sns', 'sns', 'sns'],
        source: 'cts',
      },
    ];

    it.each(rows)('unwraps $name, recording envelopes outermost first', ({ body, envelopes, source }) => {
      const event = expectEvent(normalise(body()));
      expect(event.envelopes).toEqual(envelopes);
      expect(event.source).toBe(source);
    });

    it('returns the same event through wrappers as without them', () => {
      const wrapped = expectEvent(normalise(eventBridgeEvent(snsNotification(ctsTrace()))));
      expect(wrapped).toEqual(expectedCtsEvent({ envelopes: ['eventbridge', 'sns'] }));
    });

    it('notes an SMN message that arrived as an object (a shape Huawei does not document)', () => {
      const event = expectEvent(normalise({ ...smnNotification({}), message: ctsTrace() }));
      expect(event.notes).toEqual(['message was an object, not a JSON string']);
      expect(expectEvent(normalise(smnNotification(ctsTrace()))).notes).toBeUndefined();
    });

    it('returns the same event through SMN as without it', () => {
      expect(expectEvent(normalise(smnNotification(ctsTrace())))).toEqual(expectedCtsEvent({ envelopes: ['smn'] }));
    });

    it.each([
      {
        name: 'a number',
        message: 42,
        reason: 'invalid_envelope',
        detail: 'message must be a JSON string or an object',
      },
      { name: 'absent', message: undefined, reason: 'invalid_envelope', detail: 'got undefined' },
      { name: 'not JSON', message: '{"cts":', reason: 'not_json', detail: 'message is not valid JSON' },
      {
        name: 'a JSON array',
        message: '[1]',
        reason: 'invalid_envelope',
        detail: 'must hold a JSON object, got array',
      },
    ])('refuses an SMN notification whose message is $name', ({ message, reason, detail }) => {
      const smn = smnNotification({});
      smn['message'] = message;
      const result = normalise(smn);
      expect(result).toMatchObject({ kind: 'invalid', reason });
      expect(result.kind === 'invalid' && result.detail).toContain(detail);
    });

    it('names an SMN subscription confirmation as the wrong type, not an event', () => {
      const confirmation = { ...smnNotification(ctsTrace()), type: 'SubscriptionConfirmation' };
      const result = normalise(confirmation);
      expect(result).toMatchObject({ kind: 'invalid', reason: 'unknown_shape' });
      expect(result.kind === 'invalid' && result.detail).toContain('"SubscriptionConfirmation"');
    });

    it(`refuses more than ${MAX_ENVELOPE_DEPTH} nested wrappers`, () => {
      let body: unknown = ctsTrace();
      for (let i = 0; i <= MAX_ENVELOPE_DEPTH; i++) body = i % 2 === 0 ? snsNotification(body) : eventBridgeEvent(body);
      const result = normalise(body);
      expect(result).toMatchObject({ kind: 'invalid', reason: 'envelope_too_deep' });
    });
  });

  describe('skipped traces', () => {
    const rows: Array<{ name: string; reason: string; mutate: (t: Json) => void; detail: string }> = [
      {
        name: 'another service',
        reason: 'not_kms',
        mutate: (t) => {
          t['service_type'] = 'OBS';
        },
        detail: '"OBS"',
      },
      {
        name: 'another KMS operation',
        reason: 'not_create_key',
        mutate: (t) => {
          t['trace_name'] = 'disableKey';
        },
        detail: '"disableKey"',
      },
      {
        name: 'another KMS resource type',
        reason: 'not_create_key',
        mutate: (t) => {
          t['resource_type'] = 'grant';
        },
        detail: '"grant"',
      },
      {
        name: 'a failed call (numeric 400)',
        reason: 'failed_call',
        mutate: (t) => {
          t['code'] = 400;
        },
        detail: 'HTTP 400',
      },
      {
        name: 'a failed call (string "403")',
        reason: 'failed_call',
        mutate: (t) => {
          t['code'] = '403';
        },
        detail: 'HTTP 403',
      },
      {
        name: 'a failed call (500)',
        reason: 'failed_call',
        mutate: (t) => {
          t['code'] = 500;
        },
        detail: 'HTTP 500',
      },
      {
        name: 'a redirected call (302): only a 2xx created a key',
        reason: 'failed_call',
        mutate: (t) => {
          t['code'] = 302;
        },
        detail: 'HTTP 302',
      },
      {
        name: 'an interim status (100)',
        reason: 'failed_call',
        mutate: (t) => {
          t['code'] = '100';
        },
        detail: 'HTTP 100',
      },
      {
        name: 'code 200 whose response is a KMS error body',
        reason: 'failed_call',
        mutate: (t) => {
          t['response'] = '{"error":{"error_code":"KMS.1105","error_msg":"quota"}}';
        },
        detail: 'response.error.error_code "KMS.1105"',
      },
      {
        name: 'code 200 whose response is an API Gateway error body',
        reason: 'failed_call',
        mutate: (t) => {
          t['response'] = { error_code: 'APIGW.0308', error_msg: 'throttled', request_id: 'r' };
        },
        detail: 'response.error_code "APIGW.0308"',
      },
      {
        name: 'code 200 with an error code on the trace itself',
        reason: 'failed_call',
        mutate: (t) => {
          t['error_code'] = 'KMS.0308';
        },
        detail: 'error_code "KMS.0308"',
      },
      {
        name: 'code 200 rated "warning" (CTS: the operation failed)',
        reason: 'failed_call',
        mutate: (t) => {
          t['trace_rating'] = 'warning';
        },
        detail: 'trace_rating "warning"',
      },
      {
        name: 'code 200 with trace_status "incident"',
        reason: 'failed_call',
        mutate: (t) => {
          t['trace_status'] = 'Incident';
        },
        detail: 'trace_status "Incident"',
      },
      {
        name: 'another service, even with broken createKey fields',
        reason: 'not_kms',
        mutate: (t) => {
          t['service_type'] = 'ECS';
          t['response'] = 'not json';
          t['project_id'] = 7;
          t['code'] = 'abc';
        },
        detail: '"ECS"',
      },
      {
        name: 'a failed call without a key id',
        reason: 'failed_call',
        mutate: (t) => {
          t['code'] = 409;
          t['response'] = '{"error":{"error_code":"KMS.1104","error_msg":"Existing CMK alias"}}';
          delete t['resource_id'];
        },
        detail: 'HTTP 409',
      },
      {
        name: 'a replicateKey whose replica project is neither in the trace nor configured',
        reason: 'replica_project_unresolved',
        mutate: (t) => {
          t['trace_name'] = 'replicateKey';
          t['request'] = JSON.stringify({ key_id: KEY_ID, replica_region: 'cn-east-3', key_alias: 'copy' });
          t['response'] = JSON.stringify({ key_id: KEY_ID, region: 'cn-east-3' });
        },
        detail: 'replica_project_id is absent',
      },
      {
        name: 'importKeyMaterial (the key was announced by its createKey)',
        reason: 'not_create_key',
        mutate: (t) => {
          t['trace_name'] = 'importKeyMaterial';
        },
        detail: 'importKeyMaterial',
      },
    ];

    it.each(rows)('skips $name as $reason', ({ mutate, reason, detail }) => {
      const result = normalise(mutatedTrace(mutate));
      expect(result).toMatchObject({ kind: 'skipped', reason });
      expect(result.kind === 'skipped' && result.detail).toContain(detail);
    });

    it('skips through wrappers and CloudEvents too', () => {
      const body = snsNotification(
        cloudEvent(
          mutatedTrace((t) => {
            t['trace_name'] = 'disableKey';
          }),
        ),
      );
      expect(normalise(body)).toMatchObject({ kind: 'skipped', reason: 'not_create_key' });
    });

    it('covers every skip reason', () => {
      expect(new Set(rows.map((r) => r.reason))).toEqual(new Set(SKIP_REASONS));
    });
  });

  describe('fields that disagree inside one trace (a garbled or forged trace is never guessed at)', () => {
    const OTHER_PROJECT = 'ffffffffffffffffffffffffffffffff';
    const OTHER_DOMAIN = 'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee';
    const withResponse = (t: Json, keyInfo: Json) => {
      const response = JSON.parse(t['response'] as string) as Json;
      t['response'] = JSON.stringify({ key_info: { ...(response['key_info'] as Json), ...keyInfo } });
    };
    const rows: Array<{ name: string; reason: string; mutate: (t: Json) => void; detail: string[] }> = [
      {
        name: 'project_id and the resource_id URN name two projects',
        reason: 'invalid_project_id',
        mutate: (t) => {
          t['resource_id'] = `urn:kms:cn-north-4:${OTHER_PROJECT}:cmk:${KEY_ID}`;
        },
        detail: ['project_id', 'resource_id'],
      },
      {
        name: 'the answer and region_id name two regions',
        reason: 'invalid_region',
        mutate: (t) => {
          t['region_id'] = 'cn-east-3';
        },
        detail: ['response.key_info.region_id', 'region_id'],
      },
      {
        name: 'the answer and the resource_id URN name two regions',
        reason: 'invalid_region',
        mutate: (t) => {
          t['resource_id'] = `urn:kms:cn-east-3:${PROJECT_ID}:cmk:${KEY_ID}`;
        },
        detail: ['response.key_info.region_id', 'resource_id'],
      },
      {
        name: 'the answer and resource_account_id name two accounts',
        reason: 'invalid_field',
        mutate: (t) => {
          withResponse(t, { domain_id: OTHER_DOMAIN });
        },
        detail: ['response.key_info.domain_id', 'resource_account_id'],
      },
    ];

    it.each(rows)('refuses a trace where $name', ({ mutate, reason, detail }) => {
      for (const body of [
        mutatedTrace(mutate),
        { cts: mutatedTrace(mutate) },
        snsNotification(cloudEvent(mutatedTrace(mutate))),
      ]) {
        const result = normalise(body);
        expect(result).toMatchObject({ kind: 'invalid', reason });
        for (const field of detail) expect(result.kind === 'invalid' && result.detail).toContain(field);
      }
    });

    it('still accepts a caller from another account (an agency): user.domain.id is not the owner', () => {
      const event = expectEvent(
        normalise(
          mutatedTrace((t) => {
            at(t, 'user', 'domain')['id'] = OTHER_DOMAIN;
          }),
        ),
      );
      expect(event.domain_id).toBe(DOMAIN_ID);
    });
  });

  describe('invalid bodies', () => {
    const longAlias = 'a'.repeat(256);
    const rows: Array<{ name: string; reason: string; body: () => unknown; detail: string }> = [
      {
        name: 'a body over 256 KiB',
        reason: 'body_too_large',
        body: () => ' '.repeat(MAX_BODY_BYTES + 1),
        detail: `${MAX_BODY_BYTES}`,
      },
      {
        name: 'a body under 256 Ki characters but over 256 KiB of UTF-8',
        reason: 'body_too_large',
        body: () => JSON.stringify({ cts: { service_type: '€'.repeat(MAX_BODY_BYTES / 2) } }),
        detail: 'bytes',
      },
      { name: 'text that is not JSON', reason: 'not_json', body: () => 'hello', detail: 'body is not valid JSON' },
      { name: 'an empty body', reason: 'not_json', body: () => '', detail: 'body is not valid JSON' },
      { name: 'truncated JSON', reason: 'not_json', body: () => '{"cts":{', detail: 'body is not valid JSON' },
      {
        name: 'a request string that is not JSON',
        reason: 'not_json',
        body: () =>
          mutatedTrace((t) => {
            t['request'] = '{key_alias: payments-db}';
          }),
        detail: 'request is a string but not valid JSON',
      },
      {
        name: 'a response string that is not JSON',
        reason: 'not_json',
        body: () => ({
          cts: mutatedTrace((t) => {
            t['response'] = 'OK';
          }),
        }),
        detail: 'cts.response is a string but not valid JSON',
      },
      {
        name: 'an SNS Message that is not JSON',
        reason: 'not_json',
        body: () => ({ ...snsNotification(null), Message: 'hi' }),
        detail: 'Message is not valid JSON',
      },
      {
        name: 'CloudEvent data that is not JSON',
        reason: 'not_json',
        body: () => cloudEvent('{'),
        detail: 'data is a string but not valid JSON',
      },
      { name: 'a JSON array', reason: 'unknown_shape', body: () => '[1,2]', detail: 'JSON array' },
      { name: 'a JSON number', reason: 'unknown_shape', body: () => '42', detail: 'JSON number' },
      { name: 'JSON null', reason: 'unknown_shape', body: () => 'null', detail: 'JSON null' },
      { name: 'an empty object', reason: 'unknown_shape', body: () => ({}), detail: 'empty object' },
      {
        name: 'an unrelated object',
        reason: 'unknown_shape',
        body: () => ({ hello: 'world', n: 1 }),
        detail: '"hello", "n"',
      },
      {
        name: 'a canonical event of another type',
        reason: 'unknown_shape',
        body: () => ({ ...loadSample('canonical.json'), type: 'kms.key.deleted' }),
        detail: '"kms.key.deleted"',
      },
      {
        name: 'too many wrappers',
        reason: 'envelope_too_deep',
        body: () => snsNotification(snsNotification(snsNotification(snsNotification(ctsTrace())))),
        detail: 'Message.Message.Message',
      },
      {
        name: 'an SNS Message that is not a string',
        reason: 'invalid_envelope',
        body: () => ({ ...snsNotification(null), Message: { cts: {} } }),
        detail: 'Message must be a JSON string, got object',
      },
      {
        name: 'an SNS Message holding an array',
        reason: 'invalid_envelope',
        body: () => snsNotification([ctsTrace()]),
        detail: 'got array',
      },
      {
        name: 'an EventBridge detail that is a string',
        reason: 'invalid_envelope',
        body: () => eventBridgeEvent(JSON.stringify(ctsTrace())),
        detail: 'detail must be an object, got string',
      },
      {
        name: 'a CloudEvent of another spec version',
        reason: 'invalid_cloudevent',
        body: () => ({ ...cloudEvent(ctsTrace()), specversion: '0.3' }),
        detail: 'specversion must be "1.0", got "0.3"',
      },
      {
        name: 'a CloudEvent without data',
        reason: 'invalid_cloudevent',
        body: () => cloudEvent(undefined),
        detail: 'data is absent',
      },
      {
        name: 'a CloudEvent whose data is an array',
        reason: 'invalid_cloudevent',
        body: () => cloudEvent([]),
        detail: 'got array',
      },
      {
        name: 'a response key id that is not a key id',
        reason: 'invalid_key_id',
        body: () =>
          mutatedTrace((t) => {
            at(t, 'response', 'key_info')['key_id'] = 'BB6A3D22-DC93-47AC-B5BD-88DF7AD35F1E';
          }, true),
        detail: 'response.key_info.key_id: must be a KMS key id',
      },
      {
        name: 'a key id of the wrong type',
        reason: 'invalid_key_id',
        body: () =>
          mutatedTrace((t) => {
            at(t, 'response', 'key_info')['key_id'] = 42;
          }, true),
        detail: 'response.key_info.key_id: must be a KMS key id, got number',
      },
      {
        name: 'no key id anywhere',
        reason: 'invalid_key_id',
        body: () =>
          mutatedTrace((t) => {
            t['response'] = '{}';
            delete t['resource_id'];
          }),
        detail: 'both absent',
      },
      {
        name: 'a resource_id not ending with a key id, and no response',
        reason: 'invalid_key_id',
        body: () =>
          mutatedTrace((t) => {
            delete t['response'];
            t['resource_id'] = 'payments-db';
          }),
        detail: 'does not end with a key id',
      },
      {
        name: 'a canonical event without key_id',
        reason: 'invalid_key_id',
        body: () => {
          const c = loadSample('canonical.json');
          delete c['key_id'];
          return c;
        },
        detail: 'key_id: is required',
      },
      {
        name: 'a project id of 31 characters',
        reason: 'invalid_project_id',
        body: () =>
          mutatedTrace((t) => {
            t['project_id'] = PROJECT_ID.slice(1);
          }),
        detail: 'project_id: must be 32 characters',
      },
      {
        name: 'no project id',
        reason: 'invalid_project_id',
        body: () =>
          mutatedTrace((t) => {
            delete t['project_id'];
          }),
        detail: 'no project id',
      },
      {
        name: 'a canonical project id with a dash',
        reason: 'invalid_project_id',
        body: () => ({ ...loadSample('canonical.json'), project_id: `${PROJECT_ID.slice(1)}-` }),
        detail: 'project_id',
      },
      {
        name: 'a response region that is not a region id',
        reason: 'invalid_region',
        body: () =>
          mutatedTrace((t) => {
            at(t, 'response', 'key_info')['region_id'] = 'CN_NORTH_4';
          }, true),
        detail: 'response.key_info.region_id: must be a region id',
      },
      {
        name: 'a canonical region without a dash',
        reason: 'invalid_region',
        body: () => ({ ...loadSample('canonical.json'), region: 'north' }),
        detail: 'region: must be a region id',
      },
      {
        name: 'a code that is not a status',
        reason: 'invalid_field',
        body: () =>
          mutatedTrace((t) => {
            t['code'] = 'OK';
          }),
        detail: 'code: must be an HTTP status',
      },
      {
        name: 'no code',
        reason: 'invalid_field',
        body: () =>
          mutatedTrace((t) => {
            delete t['code'];
          }),
        detail: 'code: is required',
      },
      {
        name: 'a service_type of the wrong type',
        reason: 'invalid_field',
        body: () =>
          mutatedTrace((t) => {
            t['service_type'] = ['KMS'];
          }),
        detail: 'service_type: must be a string, got array',
      },
      {
        name: 'a control character in the user name',
        reason: 'invalid_field',
        body: () =>
          mutatedTrace((t) => {
            at(t, 'user')['name'] = 'ops\nadmin';
          }),
        detail: 'user.name: must not contain control characters',
      },
      {
        name: 'a key_alias over 255 characters',
        reason: 'invalid_field',
        body: () =>
          mutatedTrace((t) => {
            at(t, 'request')['key_alias'] = longAlias;
          }, true),
        detail: 'request.key_alias: must be at most 255 characters',
      },
      {
        name: 'a key_spec of the wrong type',
        reason: 'invalid_field',
        body: () =>
          mutatedTrace((t) => {
            at(t, 'request')['key_spec'] = 256;
          }, true),
        detail: 'request.key_spec: must be a string, got number',
      },
      {
        name: 'a request that is an array',
        reason: 'invalid_field',
        body: () =>
          mutatedTrace((t) => {
            t['request'] = '[]';
          }),
        detail: 'request must be a JSON object',
      },
      {
        name: 'a cts that is a string',
        reason: 'invalid_field',
        body: () => ({ cts: JSON.stringify(ctsTrace()) }),
        detail: 'cts must be a CTS trace object, got string',
      },
      {
        name: 'a user that is a string',
        reason: 'invalid_field',
        body: () =>
          mutatedTrace((t) => {
            t['user'] = 'ops-admin';
          }),
        detail: 'user: must be an object, got string',
      },
      {
        name: 'a description with a bell character',
        reason: 'invalid_field',
        body: () =>
          mutatedTrace((t) => {
            at(t, 'request')['key_description'] = 'ding\u0007';
          }, true),
        detail: 'request.key_description',
      },
      {
        name: 'a canonical created_at on February 30',
        reason: 'invalid_field',
        body: () => ({ ...loadSample('canonical.json'), created_at: '2026-02-30T10:00:00Z' }),
        detail: 'created_at: must be an ISO-8601',
      },
      {
        name: 'a canonical created_by number',
        reason: 'invalid_field',
        body: () => ({ ...loadSample('canonical.json'), created_by: 7 }),
        detail: 'created_by: must be an object, got number',
      },
      {
        name: 'a canonical domain_id with a space',
        reason: 'invalid_field',
        body: () => ({ ...loadSample('canonical.json'), domain_id: 'acme prod' }),
        detail: 'domain_id: must be an id',
      },
    ];

    it.each(rows)('refuses $name as $reason', ({ body, reason, detail }) => {
      const result = normalise(body());
      expect(result).toMatchObject({ kind: 'invalid', reason });
      expect(result.kind === 'invalid' && result.detail).toContain(detail);
    });

    it('names the full path through wrappers in details', () => {
      const trace = mutatedTrace((t) => {
        at(t, 'request')['key_alias'] = 3;
      }, true);
      const result = normalise(snsNotification(eventBridgeEvent(cloudEvent(trace))));
      expect(result).toMatchObject({ kind: 'invalid', reason: 'invalid_field' });
      expect(result.kind === 'invalid' && result.detail).toContain(
        'Message.detail.data.request.key_alias: must be a string',
      );
    });

    it('lists at most three issues, one per field', () => {
      const result = normalise({
        ...loadSample('canonical.json'),
        key_spec: 1,
        key_usage: 2,
        origin: 3,
        trace_id: 4,
        domain_id: 5,
      });
      expect(result.kind === 'invalid' && result.detail).toMatch(
        /^domain_id: .*; key_spec: .*; key_usage: .* \(and 2 more\)$/,
      );
    });

    it('turns an unexpected exception into internal, without throwing', () => {
      const body = readSampleBody('canonical.json');
      const spy = vi.spyOn(Object, 'hasOwn').mockImplementation(() => {
        throw new TypeError('boom');
      });
      const result = normaliseEvent(body);
      spy.mockRestore(); // before asserting: the matchers use Object.hasOwn too
      expect(result).toEqual({
        kind: 'invalid',
        reason: 'internal',
        detail: 'normalisation threw TypeError: "boom"',
      });
    });

    it('refuses a body that is not a string (untyped callers)', () => {
      expect(normaliseEvent(undefined as unknown as string)).toEqual({
        kind: 'invalid',
        reason: 'not_json',
        detail: 'body must be a string, got undefined',
      });
    });

    it('covers every invalid reason', () => {
      const covered = new Set([...rows.map((r) => r.reason), 'internal']);
      expect(covered).toEqual(new Set(INVALID_REASONS));
    });
  });

  describe('tolerated variations (docs/huawei-kms.md#key-events, unverified points)', () => {
    it('falls back to the key id at the end of a URN resource_id, with its project and region', () => {
      const trace = mutatedTrace((t) => {
        t['response'] = '';
        delete t['project_id'];
        t['resource_id'] = `urn:kms:cn-north-4:${PROJECT_ID}:cmk:${KEY_ID}`;
      });
      const event = expectEvent(normalise(trace));
      expect(event).toMatchObject({ key_id: KEY_ID, project_id: PROJECT_ID, region: 'cn-north-4' });
      // Without the response, the account comes from user.domain.id.
      expect(event.domain_id).toBe(DOMAIN_ID);
    });

    it.each([
      [KEY_ID, { key_id: KEY_ID }],
      [`kms:cn-north-4:${DOMAIN_ID}:key:${KEY_ID}`, { key_id: KEY_ID }],
      [`keys/${KEY_ID}`, { key_id: KEY_ID }],
      [
        `urn:kms:cn-north-4:${PROJECT_ID}:cmk:${KEY_ID}`,
        { key_id: KEY_ID, project_id: PROJECT_ID, region: 'cn-north-4' },
      ],
      [`urn:kms:Bad Region:short:cmk:${KEY_ID}`, { key_id: KEY_ID }],
      [`${KEY_ID}-extra`, {}],
      ['payments-db', {}],
      ['', {}],
    ])('parseKeyResourceId(%j)', (resourceId, expected) => {
      expect(parseKeyResourceId(resourceId)).toEqual(expected);
    });

    it('prefers response.key_info.key_id over resource_id', () => {
      const other = '0a0b0c0d-1e1f-4a2b-8c3d-4e5f6a7b8c9d';
      const event = expectEvent(
        normalise(
          mutatedTrace((t) => {
            t['resource_id'] = other;
          }),
        ),
      );
      expect(event.key_id).toBe(KEY_ID);
      // Not silently: the audit record says that the trace named two keys.
      expect(event.notes).toEqual([expect.stringContaining(`resource_id is "${other}"`)]);
    });

    it('accepts a trace without resource_type, in any case of KMS/createKey, with a 2xx string code', () => {
      const trace = mutatedTrace((t) => {
        delete t['resource_type'];
        t['service_type'] = 'kms';
        t['trace_name'] = 'CreateKey';
        t['code'] = '201';
      });
      expect(expectEvent(normalise(trace))).toEqual(expectedCtsEvent());
    });

    it('treats null, "" and absent request/response/fields as missing', () => {
      const trace = mutatedTrace((t) => {
        t['request'] = null;
        t['response'] = '';
        t['time'] = null;
        t['record_time'] = '';
        t['trace_id'] = '';
        t['user'] = null;
        delete t['resource_account_id'];
      });
      expect(expectEvent(normalise(trace))).toEqual({
        key_id: KEY_ID,
        project_id: PROJECT_ID,
        source: 'cts',
        envelopes: [],
      });
    });

    it('takes region from the trace when the response lacks it, and domain from resource_account_id last', () => {
      const trace = mutatedTrace((t) => {
        t['response'] = { key_info: { key_id: KEY_ID } };
        t['region_id'] = 'eu-west-101';
        t['user'] = { name: 'ops-admin' };
      });
      expect(expectEvent(normalise(trace))).toMatchObject({
        region: 'eu-west-101',
        domain_id: DOMAIN_ID,
        created_by: { name: 'ops-admin' },
      });
    });

    it('accepts created_by as an object and created_at as epoch ms or an offset ISO date', () => {
      const base = loadSample('canonical.json');
      const object = {
        ...base,
        created_by: { name: 'ci', id: 'u1', type: 'AssumedAgency', domain_name: 'acme' },
        created_at: 1793697330000,
      };
      expect(expectEvent(normalise(object))).toMatchObject({
        created_by: { name: 'ci', id: 'u1', type: 'AssumedAgency', domain_name: 'acme' },
        created_at: '2026-11-03T09:15:30.000Z',
      });
      expect(expectEvent(normalise({ ...base, created_at: '1793697330000' })).created_at).toBe(
        '2026-11-03T09:15:30.000Z',
      );
      expect(expectEvent(normalise({ ...base, created_at: '2026-11-03T17:15:30+08:00' })).created_at).toBe(
        '2026-11-03T09:15:30.000Z',
      );
    });

    it('accepts a minimal canonical event', () => {
      const minimal = { type: 'kms.key.created', key_id: KEY_ID, project_id: PROJECT_ID };
      expect(expectEvent(normalise(minimal))).toEqual({
        key_id: KEY_ID,
        project_id: PROJECT_ID,
        source: 'canonical',
        envelopes: [],
      });
    });

    it('keeps tab and line breaks in key_description only', () => {
      const trace = mutatedTrace((t) => {
        at(t, 'request')['key_description'] = 'line 1\n\tline 2';
      }, true);
      expect(expectEvent(normalise(trace)).key_description).toBe('line 1\n\tline 2');
    });
  });

  describe('trace times (time, record_time)', () => {
    const created = (time: unknown, recordTime: unknown = undefined) =>
      expectEvent(
        normalise(
          mutatedTrace((t) => {
            t['time'] = time;
            t['record_time'] = recordTime;
          }),
        ),
      );

    it.each([
      { form: 'epoch ms number', time: 1793693730000, iso: '2026-11-03T08:15:30.000Z' },
      { form: 'epoch ms digit string', time: '1793693730000', iso: '2026-11-03T08:15:30.000Z' },
      { form: 'ISO 8601 UTC', time: '2026-11-03T08:15:30Z', iso: '2026-11-03T08:15:30.000Z' },
      { form: 'RFC 3339 with offset and ms', time: '2026-11-03T16:15:30.125+08:00', iso: '2026-11-03T08:15:30.125Z' },
      { form: 'RFC 3339 with a space', time: '2026-11-03 03:15:30-05:00', iso: '2026-11-03T08:15:30.000Z' },
      { form: 'console form', time: '2026/11/03 16:15:30 GMT+08:00', iso: '2026-11-03T08:15:30.000Z' },
      { form: 'console form, west of UTC', time: '2026/11/03 03:15:30 GMT-05:00', iso: '2026-11-03T08:15:30.000Z' },
      { form: 'console form, bare GMT', time: '2026/11/03 08:15:30 GMT', iso: '2026-11-03T08:15:30.000Z' },
      { form: 'console form, doc sample', time: '2018/06/26 08:54:07 GMT+08:00', iso: '2018-06-26T00:54:07.000Z' },
    ])('reads time as $form', ({ time, iso }) => {
      const event = created(time);
      expect(event.created_at).toBe(iso);
      expect(event.notes).toBeUndefined();
    });

    it('falls back to record_time when time is absent or empty, without a note', () => {
      for (const time of [undefined, null, '']) {
        const event = created(time, '2018/06/26 08:54:07 GMT+08:00');
        expect(event.created_at).toBe('2018-06-26T00:54:07.000Z');
        expect(event.notes).toBeUndefined();
      }
    });

    it('leaves created_at out when neither time is given, without a note', () => {
      const event = created('', '');
      expect(event.created_at).toBeUndefined();
      expect(event.notes).toBeUndefined();
    });

    it.each([
      { name: 'epoch seconds', time: 1793693730 },
      { name: 'a local time without offset', time: '2026-11-03T08:15:30' },
      { name: 'a day that does not exist', time: '2026/02/30 08:15:30 GMT+08:00' },
      { name: 'hour 24', time: '2026-11-03T24:00:00Z' },
      { name: 'an offset beyond 14 h', time: '2026/11/03 08:15:30 GMT+15:00' },
      { name: 'a year before 2000', time: '1999/12/31 23:59:59 GMT+00:00' },
      { name: 'free text', time: 'yesterday' },
      { name: 'a boolean', time: true },
      { name: 'an object', time: { seconds: 1 } },
      { name: 'NaN-like text', time: 'NaN' },
    ])('keeps the event when time is $name, notes it and falls back to record_time', ({ time }) => {
      const event = created(time, 1793693730412);
      expect(event.key_id).toBe(KEY_ID);
      expect(event.created_at).toBe('2026-11-03T08:15:30.412Z');
      expect(event.notes).toHaveLength(2);
      expect(event.notes?.[0]).toMatch(/^time .* is not a readable time \(epoch milliseconds/);
      expect(event.notes?.[1]).toBe('created_at taken from record_time');
    });

    it('leaves created_at out and says so when no time can be read', () => {
      const event = created('2018-06-26 08:54:07', 'soon');
      expect(event.created_at).toBeUndefined();
      expect(event.notes).toEqual([
        'time "2018-06-26 08:54:07" is not a readable time (epoch milliseconds, ISO 8601 with an offset, or yyyy/MM/dd HH:mm:ss GMT+hh:mm)',
        'record_time "soon" is not a readable time (epoch milliseconds, ISO 8601 with an offset, or yyyy/MM/dd HH:mm:ss GMT+hh:mm)',
        'created_at left out',
      ]);
    });

    it('names the path of the time through wrappers, and quotes at most 40 characters', () => {
      const body = smnNotification({ cts: { ...ctsTraceWithObjects(), time: `x${'9'.repeat(200)}`, record_time: '' } });
      const event = expectEvent(normalise(body));
      expect(event.created_at).toBeUndefined();
      expect(event.notes?.[0]).toMatch(/^message\.cts\.time "x9{39}…" is not a readable time/);
    });
  });

  describe('hostile input', () => {
    it('ignores __proto__ and constructor keys everywhere', () => {
      const trace = mutatedTrace((t) => {
        at(t, 'request')['constructor'] = { prototype: { polluted: true } };
        at(t, 'user')['toString'] = 'x';
      }, true);
      const body = JSON.stringify({ cts: trace })
        .replace('{"cts":', '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"cts":')
        .replace('"key_info":{', '"key_info":{"__proto__":{"key_id":"x"},');
      const event = expectEvent(normaliseEvent(body));
      expect(event).toEqual(expectedCtsEvent({ source: 'functiongraph-cts' }));
      expect(Object.getPrototypeOf(event)).toBe(Object.prototype);
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    });

    it('quotes at most 40 characters of a hostile value', () => {
      const hostile = `${'A'.repeat(5000)}\u0000\u001b[31m`;
      const result = normalise(
        mutatedTrace((t) => {
          at(t, 'response', 'key_info')['key_id'] = hostile.slice(0, 60);
          at(t, 'request')['key_alias'] = hostile;
        }, true),
      );
      expect(result.kind).toBe('invalid');
      const detail = result.kind === 'invalid' ? result.detail : '';
      expect(detail).not.toContain('A'.repeat(41));
      expect(detail).not.toMatch(/[\u0000-\u001f]/);
      expect(detail.length).toBeLessThanOrEqual(400);
    });

    it('survives deeply nested JSON', () => {
      const depth = 100_000;
      expect(normaliseEvent(`${'['.repeat(depth)}${']'.repeat(depth)}`).kind).toBe('invalid');
      expect(normaliseEvent(`{"cts":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`).kind).toBe('invalid');
    });

    it('never throws, and always returns a known reason, for arbitrary strings', () => {
      fc.assert(
        fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.json()), (body) => {
          assertWellFormed(normaliseEvent(body));
        }),
        { numRuns: 300 },
      );
    });

    it('never throws for a sample trace with any field replaced by any JSON value', () => {
      const keys = [...Object.keys(ctsTrace()), 'cts'];
      fc.assert(
        fc.property(fc.constantFrom(...keys), fc.jsonValue(), fc.boolean(), (key, value, objects) => {
          const trace = mutatedTrace((t) => {
            t[key] = value;
          }, objects);
          assertWellFormed(normalise({ cts: trace }));
          assertWellFormed(normalise(snsNotification(trace)));
        }),
        { numRuns: 300 },
      );
    });
  });

  it('normalises a typical body in well under 0.1 ms', () => {
    const body = readSampleBody('eventbridge-wrapped-eventgrid.json');
    for (let i = 0; i < 200; i++) normaliseEvent(body);
    const runs = 2000;
    const start = performance.now();
    for (let i = 0; i < runs; i++) normaliseEvent(body);
    // Generous bound (10× the target) so a busy CI machine does not flake.
    expect((performance.now() - start) / runs).toBeLessThan(1);
  });
});

function assertWellFormed(result: NormaliseResult): void {
  if (!('reason' in result)) return;
  const reasons: readonly string[] = result.kind === 'skipped' ? SKIP_REASONS : INVALID_REASONS;
  expect(reasons).toContain(result.reason);
  expect(result.reason).not.toBe('internal');
  expect(result.detail.length).toBeGreaterThan(0);
  expect(result.detail.length).toBeLessThanOrEqual(400);
}
