import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../functions/create-key-alias/app.ts';
import { buildDeps } from '../../functions/create-key-alias/build-deps.ts';
import { aliasRuleViolations, receivedRequestViolations, requestViolations } from '../../fuzz/checks.ts';
import { startHttpRecorder, type HttpRecorder } from '../../fuzz/http-recorder.ts';
import { loadConfig } from '../../lib/config/load-config.ts';
import { DLQ_ATTRIBUTE } from '../../lib/dlq/build-dlq-record.ts';
import { LOCAL_ACCOUNT } from '../support/local-account.ts';
import { toSqsRecord } from '../support/sqs-records.ts';
import { createLambdaContext } from '../support/lambda-context.ts';
import { loadEventBody } from '../support/load-event.ts';
import { auditRecords, failedIds, startStack, type Stack } from '../support/stack.ts';

// What an event may and may not decide. The endpoint, the credentials and the project → region
// map come from configuration only; an event picks a key and (within the template) a name.
// Every request the function makes is recorded (node:diagnostics_channel, whatever the HTTP
// client) as sent and as the emulator received it, and checked: emulator origin and Host, exact
// /v1.0/<configured project>/kms/aliases path, configured AK, alias within Huawei's rules.

let stack: Stack;
let lines: string[];
let http: HttpRecorder;
const PROJECT = LOCAL_ACCOUNT.projectId;
/** In the emulator account, but not in the function's project map. */
const OTHER_PROJECT = LOCAL_ACCOUNT.secondProjectId;
const KEY = '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f';

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => stack.stop());
beforeEach(() => {
  stack.emulator.reset();
  stack.sqs.server.reset();
  lines = [];
  http = startHttpRecorder();
  stack.emulator.state.createKey(PROJECT, { key_id: KEY, key_alias: 'trusted' });
});
afterEach(() => http.stop());

/** KMS/IAM requests the function sent (DLQ sends to fauxqs left out). */
const kmsRequests = () => http.sent.filter((r) => !r.url.startsWith(`${stack.sqs.endpoint}/`));

function handlerWith(extra: Record<string, string> = {}) {
  const config = loadConfig(stack.env(extra));
  return createHandler(buildDeps(config, { write: (l) => lines.push(l), sqsClient: stack.sqs.client }));
}

async function run(bodies: readonly string[], extra: Record<string, string> = {}) {
  const records = bodies.map((body) => toSqsRecord({ body }));
  const response = await handlerWith(extra)({ Records: records }, createLambdaContext());
  expect(failedIds(response)).toEqual([]);
  const audits = auditRecords(lines);
  const byId = new Map(audits.map((a) => [a.message_id, a]));
  return { records, audits: records.map((r) => byId.get(r.messageId) ?? {}) };
}

function expectOnlyTrustedRequests(projectIds: ReadonlySet<string> = new Set([PROJECT])): void {
  const expected = { origin: stack.emulator.url, projectIds, ak: LOCAL_ACCOUNT.ak };
  for (const request of kmsRequests()) expect(requestViolations(request, expected)).toEqual([]);
  for (const request of http.received.filter((r) => r.serverPort === stack.emulator.port)) {
    expect(receivedRequestViolations(request, { host: new URL(stack.emulator.url).host, projectIds })).toEqual([]);
  }
  expect(
    http.received.every((r) => r.serverPort === stack.emulator.port || r.serverPort === stack.sqs.server.port),
  ).toBe(true);
  for (const call of stack.emulator.calls) {
    expect([...projectIds].map((p) => `/v1.0/${p}/kms/aliases`)).toContain(call.path);
    expect(call.principal).toBe(LOCAL_ACCOUNT.ak);
  }
}

const canonical = (fields: Record<string, unknown>) =>
  JSON.stringify({
    type: 'kms.key.created',
    key_id: KEY,
    project_id: PROJECT,
    key_alias: 'trusted',
    key_spec: 'AES_256',
    ...fields,
  });

const HOSTILE_LOCATIONS = [
  '../../../v3/auth/tokens',
  '..%2F..%2Fv3%2Fauth%2Ftokens',
  'https://evil.example/steal',
  '//evil.example/x',
  'evil.example:443',
  'alias/../../kms/aliases',
  `${PROJECT}/../${OTHER_PROJECT}`,
  '%2e%2e/%2e%2e/',
  'cn-north-4.evil.example',
  'user@evil.example',
  '\\\\evil.example\\share',
];

describe('an event cannot choose the endpoint, the path or the project', () => {
  it('slugs URLs, hosts and ../ in key_alias into a plain alias in the configured project', async () => {
    const { audits } = await run(HOSTILE_LOCATIONS.map((key_alias) => canonical({ key_alias })));
    for (const audit of audits) {
      expect(['created', 'already_present', 'conflict']).toContain(audit.outcome);
      expect(aliasRuleViolations(audit.alias)).toEqual([]);
      expect(String(audit.alias)).toMatch(/^alias\/test\/[a-z0-9_-]+-aes_256$/);
    }
    expect(kmsRequests().length).toBeGreaterThan(0);
    expectOnlyTrustedRequests();
  });

  it('refuses them in key_alias when the template does not slug, without sending anything', async () => {
    const { audits } = await run(
      HOSTILE_LOCATIONS.map((key_alias) => canonical({ key_alias })),
      { ALIAS_TEMPLATE: 'alias/{key_alias}' },
    );
    for (const audit of audits) {
      expect(audit).toMatchObject({ outcome: 'failed', error_code: 'INVALID_ALIAS', disposition: 'dlq' });
    }
    expect(kmsRequests()).toEqual([]);
    expect(stack.emulator.calls).toEqual([]);
    expect(await stack.sqs.drainDlq()).toHaveLength(HOSTILE_LOCATIONS.length);
  });

  it.each([
    ['region', 'invalid_region'],
    ['project_id', 'invalid_project_id'],
    ['domain_id', 'invalid_field'],
    ['key_id', 'invalid_key_id'],
  ])('refuses URLs, hosts and ../ in %s (%s) before any request', async (field, reason) => {
    const { audits } = await run(HOSTILE_LOCATIONS.map((value) => canonical({ [field]: value })));
    for (const audit of audits) expect(audit).toMatchObject({ outcome: 'invalid', reason, disposition: 'dlq' });
    expect(kmsRequests()).toEqual([]);
    const dlq = await stack.sqs.drainDlq();
    expect(dlq.map((m) => m.MessageAttributes?.[DLQ_ATTRIBUTE.reason]?.StringValue)).toEqual(
      HOSTILE_LOCATIONS.map(() => `invalid:${reason}`),
    );
  });

  it('skips a project outside the configured map, even one the credentials can reach', async () => {
    stack.emulator.state.createKey(OTHER_PROJECT, { key_id: KEY.replace('3c4d', '4d5e'), key_alias: 'elsewhere' });
    const { audits } = await run([
      canonical({ project_id: OTHER_PROJECT, key_id: KEY.replace('3c4d', '4d5e') }),
      canonical({ project_id: 'ffffffffffffffffffffffffffffffff' }),
    ]);
    expect(audits.map((a) => [a.outcome, a.reason, a.disposition])).toEqual([
      ['skipped', 'project_not_configured', 'ack'],
      ['skipped', 'project_not_configured', 'ack'],
    ]);
    expect(kmsRequests()).toEqual([]);
    expect(stack.emulator.state.allAliases(OTHER_PROJECT)).toEqual([]);
  });

  it('refuses an event whose region differs from the configured one, wherever the region comes from', async () => {
    const cts = JSON.parse(loadEventBody('cts-create-key')) as Record<string, unknown>;
    const response = JSON.parse(String(cts.response)) as { key_info: Record<string, string> };
    response.key_info.region_id = 'ap-southeast-1';
    const viaResponse = JSON.stringify({ ...cts, response: JSON.stringify(response) });
    // No key_info region, no project_id: both come from a resource_id URN naming another region.
    const keyId = '4f2b9c1d-7a3e-4c58-9b6d-2e8f0a1c3d5e';
    const viaUrn = JSON.stringify({
      ...cts,
      response: '',
      resource_id: `urn:kms:ap-southeast-1:${PROJECT}:cmk:${keyId}`,
    });
    const { audits } = await run([canonical({ region: 'ap-southeast-1' }), viaResponse, viaUrn]);
    for (const audit of audits) {
      expect(audit).toMatchObject({ outcome: 'invalid', reason: 'region_mismatch', disposition: 'dlq' });
      expect(String(audit.detail)).toContain('cn-north-4');
    }
    expect(kmsRequests()).toEqual([]);
  });

  it('follows the project map: each project only in its own region and path', async () => {
    const otherKey = '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b';
    stack.emulator.state.createKey(OTHER_PROJECT, { key_id: otherKey, key_alias: 'elsewhere' });
    const projects = {
      HUAWEICLOUD_PROJECT_ID: '',
      HUAWEICLOUD_PROJECTS: `${PROJECT}=cn-north-4,${OTHER_PROJECT}=ap-southeast-1`,
    };
    const { audits } = await run(
      [
        canonical({ project_id: OTHER_PROJECT, key_id: otherKey, region: 'cn-north-4' }),
        canonical({ project_id: OTHER_PROJECT, key_id: otherKey }),
        canonical({ region: 'ap-southeast-1' }),
      ],
      projects,
    );
    expect(audits.map((a) => [a.outcome, a.reason ?? null, a.region])).toEqual([
      ['invalid', 'region_mismatch', 'cn-north-4'],
      ['created', null, 'ap-southeast-1'],
      ['invalid', 'region_mismatch', 'ap-southeast-1'],
    ]);
    expectOnlyTrustedRequests(new Set([PROJECT, OTHER_PROJECT]));
    expect(stack.emulator.calls.map((c) => c.path)).toEqual([`/v1.0/${OTHER_PROJECT}/kms/aliases`]);
  });
});

describe('an event cannot choose the credentials', () => {
  const FAKE_AK = 'EVILAKEVILAKEVILAK01';
  const FAKE_SK = 'evilSecretKeyThatMustNeverBeUsed00000001';
  const FAKE_TOKEN = 'MIIevilTokenThatMustNeverBeSent000000000';
  const credentialLike = {
    ak: FAKE_AK,
    sk: FAKE_SK,
    access_key: FAKE_AK,
    secret_key: FAKE_SK,
    security_token: FAKE_TOKEN,
    'X-Auth-Token': FAKE_TOKEN,
    'X-Security-Token': FAKE_TOKEN,
    Authorization: `SDK-HMAC-SHA256 Access=${FAKE_AK}, SignedHeaders=host, Signature=00`,
    headers: { 'X-Auth-Token': FAKE_TOKEN, Host: 'evil.example' },
    credentials: { ak: FAKE_AK, sk: FAKE_SK },
    endpoint: 'https://evil.example',
    kms_endpoint: 'https://evil.example',
    KMS_ENDPOINT: 'https://evil.example',
    iam_endpoint: 'https://evil.example',
    HUAWEICLOUD_SDK_AK: FAKE_AK,
    password: FAKE_SK,
  };

  it('ignores credential- and endpoint-like fields in a canonical event and in a CTS trace', async () => {
    const cts = JSON.parse(loadEventBody('cts-create-key')) as Record<string, unknown>;
    const request = JSON.parse(String(cts.request)) as Record<string, unknown>;
    const keyId = '4f2b9c1d-7a3e-4c58-9b6d-2e8f0a1c3d5e';
    stack.emulator.state.createKey(PROJECT, { key_id: keyId, key_alias: 'payments-db' });
    const trace = JSON.stringify({
      ...cts,
      ...credentialLike,
      request: JSON.stringify({ ...request, ...credentialLike }),
    });
    const { audits } = await run([canonical(credentialLike), trace]);
    expect(audits.map((a) => a.outcome)).toEqual(['created', 'created']);
    expect(kmsRequests().length).toBe(2);
    expectOnlyTrustedRequests();
    const sent = JSON.stringify(kmsRequests());
    for (const fake of [FAKE_AK, FAKE_SK, FAKE_TOKEN, 'evil.example']) expect(sent).not.toContain(fake);
    for (const audit of audits) expect(JSON.stringify(audit)).not.toContain(FAKE_SK);
  });
});

describe('cold start refuses endpoints that would carry credentials in clear or elsewhere', () => {
  it.each([
    ['KMS_ENDPOINT', 'http://kms.cn-north-4.myhuaweicloud.com'],
    ['KMS_ENDPOINT', 'http://kms.{region}.myhuaweicloud.com'],
    ['KMS_ENDPOINT', 'http://127.0.0.1.nip.io:8080'],
    ['KMS_ENDPOINT', 'http://localhost.evil.example'],
    ['KMS_ENDPOINT', 'http://[::ffff:7f00:1]:8080'],
    ['KMS_ENDPOINT', 'http://192.168.1.10'],
    ['KMS_ENDPOINT', 'https://user:secret@kms.example.com'],
    ['KMS_ENDPOINT', 'https://kms.example.com/?redirect=https://evil.example'],
    ['KMS_ENDPOINT', 'ws://127.0.0.1:8080'],
    ['IAM_ENDPOINT', 'http://iam.myhuaweicloud.com'],
    ['IAM_ENDPOINT', 'http://169.254.169.254'],
    ['IAM_ENDPOINT', 'file:///etc/passwd'],
  ])('%s=%s', (name, value) => {
    const env = { ...stack.env(), [name]: value };
    expect(() => buildDeps(loadConfig(env))).toThrow(new RegExp(name));
  });

  it('accepts loopback http (the emulator) and https', () => {
    for (const endpoint of [
      stack.emulator.url,
      'http://localhost:1',
      'http://[::1]:1',
      'https://kms.{region}.myhuaweicloud.com',
    ]) {
      expect(() => buildDeps(loadConfig({ ...stack.env(), KMS_ENDPOINT: endpoint }))).not.toThrow();
    }
  });
});
