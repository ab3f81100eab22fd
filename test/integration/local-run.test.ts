import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clipAtWord, formatAuditLine } from '../../local/format-summary.ts';
import { eventsDirProblem } from '../../local/local-scenario.ts';
import { fromStructuredResult, toPayloadV2Event } from '../../local/payload-v2-event.ts';
import { runLocal, type LocalRunResult } from '../../local/run-local.ts';
import { formatPathSummary } from '../../local/format-path-summary.ts';
import { DEFAULT_PATH_PHASES } from '../../local/path-scenario.ts';
import { runPath, type PathRunResult } from '../../local/run-path.ts';
// @ts-expect-error: a plain .mjs build script without type declarations
import { buildHandler, buildIngestHandler } from '../../scripts/build.mjs';
import { SAMPLE_EVENT_NAMES } from '../support/load-event.ts';
import { DATA_ACCOUNT, LOCAL_ACCOUNT, PAYMENTS_ACCOUNT } from '../support/local-account.ts';

// The same runners `npm start` uses: emulator + fauxqs + the built bundles in worker threads,
// drained the way Lambda's SQS event source does. `--direct` sends the sample events straight to
// the queue; the default runs the whole path through CTS, SMN and the built ingest bundle.

let result: LocalRunResult;
let path: PathRunResult;
const TEMPLATE = 'alias/{env}/{key_alias|slug}-{key_spec|lower}';

beforeAll(async () => {
  const built = await buildHandler({ outdir: 'dist/test-local/create-key-alias', quiet: true });
  const ingest = await buildIngestHandler({ outdir: 'dist/test-local/ingest', quiet: true });
  path = await runPath({
    handlerPath: built.handler,
    ingestHandlerPath: ingest.handler,
    env: { ALIAS_TEMPLATE: TEMPLATE, ALIAS_VAR_ENV: 'path' },
    batchSize: 10,
    maxConcurrency: 2,
    timeoutMs: 20_000,
    visibilityTimeoutS: 30,
  });
  await path.stop();
  result = await runLocal({
    eventsDir: join(import.meta.dirname, '..', '..', 'events'),
    extras: true,
    handlerPath: built.handler,
    env: { ALIAS_TEMPLATE: TEMPLATE, ALIAS_VAR_ENV: 'local' },
    batchSize: 4,
    maxConcurrency: 2,
    // Lambda requires visibility ≥ function timeout; nothing here fails transiently, so a
    // long visibility costs nothing and a slow cold start cannot cause a redelivery.
    timeoutMs: 20_000,
    visibilityTimeoutS: 30,
  });
}, 90_000);
afterAll(async () => result?.stop());

const FIRST = DEFAULT_PATH_PHASES[0]?.actions ?? [];
/** Keys created in the accounts the deployment serves (the relayed one of an outside account is not). */
const created = () => path.events.filter((k) => k.action.kind === 'createKey' && k.call.ok && !k.relayed);
const eventOf = (kind: string, keyAlias: string) =>
  path.events.find((e) => e.action.kind === kind && e.keyAlias === keyAlias);
const keyIdOf = (kind: string, keyAlias: string) => {
  const call = eventOf(kind, keyAlias)?.call;
  return call?.ok ? call.keyId : undefined;
};

describe('npm start (the whole path: createKey → CTS → SMN → ingest bundle → queue → handler)', () => {
  it('passes every check it prints, and prints each of them', () => {
    expect(path.checks.filter((c) => !c.pass)).toEqual([]);
    expect(path.checks.length).toBeGreaterThanOrEqual(11);
    const summary = formatPathSummary(path);
    for (const c of path.checks) expect(summary).toContain(`PASS  ${c.name}`);
  });

  it('wires the emulated account with the real wire command, and wire --check finds it healthy', () => {
    expect(path.wire.map((w) => [w.argv.join(' '), w.exitCode])).toEqual([
      ['wire', 0],
      ['wire --check', 0],
    ]);
    // Both accounts' projects: topic, subscription and notification in each.
    expect(path.wire[0]?.output).toContain('6 change(s) made.');
    expect(path.wire[1]?.output.match(/subscription\s+ok\s+\S+\s+confirmed/g)).toHaveLength(2);
    expect(Object.keys(path.topicUrns)).toEqual(['security', 'payments']);
    for (const urn of Object.values(path.topicUrns)) {
      const subs = path.emulator.smn.subscriptions(urn);
      expect(subs.map((s) => [s.endpoint, s.status])).toEqual([[path.ingestUrl, 1]]);
    }
    // wire reached payments through the agency: its SMN calls are signed with STS's temporary AK.
    const paymentsTopics = path.emulator.calls.filter(
      (c) => c.operation === 'smnCreateTopic' && c.path.includes(PAYMENTS_ACCOUNT.projectId),
    );
    expect(paymentsTopics.map((c) => c.principal)).toEqual([expect.stringMatching(/^EMUSTS/)]);
  });

  it('gives every created key the alias of its trace, one hop after the other, and nothing else', () => {
    // The four keys of the first phase, and the replacement of the third.
    expect(created().length).toBe(FIRST.length);
    for (const k of created()) {
      expect(k.traceCode).toBe('200');
      expect(k.smnMessageId).toBeDefined();
      expect(k.deliveryStatus).toBe(200);
      expect(k.ingestReason).toBe('enqueued');
      expect(k.outcome).toBe('created');
      expect(k.expectedAlias).toMatch(/^alias\/path\/[a-z0-9-]+-[a-z0-9_]+$/);
      expect(k.aliasesAfter).toEqual([k.expectedAlias]);
    }
    expect(path.dlq.map((d) => d.reason)).toEqual(['invalid:account_mismatch']);
  });

  it('tags every new key in the same message as its alias (the embedded TAG_TEMPLATE)', () => {
    for (const k of created()) {
      const keyId = k.call.ok ? k.call.keyId : '';
      expect(k.audit?.tags_status).toBe('applied');
      expect(path.emulator.tags.tagsOf(keyId)).toEqual(
        expect.arrayContaining([
          // The trace's user: each account's own team.
          { key: 'created_by', value: k.account === 'payments' ? PAYMENTS_ACCOUNT.user : LOCAL_ACCOUNT.user },
          { key: 'alias', value: k.expectedAlias },
        ]),
      );
    }
  });

  it('releases the names of keys scheduled for deletion, and only the names the convention made', () => {
    const payments = eventOf('scheduleKeyDeletion', 'payments-db');
    const orders = eventOf('scheduleKeyDeletion', 'orders-api');
    expect(payments).toMatchObject({
      ingestReason: 'enqueued',
      outcome: 'released',
      alias: 'alias/path/payments-db-aes_256',
    });
    expect(orders).toMatchObject({
      ingestReason: 'enqueued',
      outcome: 'released',
      alias: 'alias/path/orders-api-rsa_2048',
    });
    // The alias a person gave payments-db is not the convention's: it stays.
    expect(payments?.aliasesAfter).toEqual(['alias/team/payments-db']);
    const deleted = path.emulator.calls.filter((c) => c.operation === 'deleteAlias' && c.status === 204);
    // One batch, decided concurrently: in either order.
    expect(deleted).toHaveLength(2);
    expect(deleted.map((c) => [c.keyId, c.aliases])).toEqual(
      expect.arrayContaining([
        [keyIdOf('createKey', 'payments-db'), ['alias/path/payments-db-aes_256']],
        [keyIdOf('createKey', 'orders-api'), ['alias/path/orders-api-rsa_2048']],
      ]),
    );
  });

  it('gives a released name to the new key that the convention names the same', () => {
    const replacement = eventOf('createKey', 'Payments-DB');
    const newKey = keyIdOf('createKey', 'Payments-DB');
    expect(replacement).toMatchObject({ outcome: 'created', alias: 'alias/path/payments-db-aes_256' });
    expect(path.emulator.state.aliasesOf(newKey ?? '')).toEqual(['alias/path/payments-db-aes_256']);
    expect(path.emulator.state.aliasesOf(keyIdOf('createKey', 'payments-db') ?? '')).toEqual([
      'alias/team/payments-db',
    ]);
    const summary = formatPathSummary(path);
    expect(summary).toContain(
      `released alias/path/payments-db-aes_256 from key ${keyIdOf('createKey', 'payments-db')?.slice(0, 8)}`,
    );
    expect(summary).toContain(`alias/path/payments-db-aes_256 now on new key ${newKey?.slice(0, 8)} (Payments-DB)`);
  });

  it('re-creates the alias of a key whose deletion was cancelled, keeping the tags it has', () => {
    const cancelled = eventOf('cancelKeyDeletion', 'orders-api');
    expect(cancelled).toMatchObject({
      ingestReason: 'enqueued',
      outcome: 'created',
      alias: 'alias/path/orders-api-rsa_2048',
    });
    expect(cancelled?.aliasesAfter).toEqual(['alias/path/orders-api-rsa_2048']);
    // Its details name no creator: the rendered created_by=unknown is kept out (TAG_OVERWRITE off).
    expect(path.emulator.tags.tagsOf(keyIdOf('createKey', 'orders-api') ?? '')).toContainEqual({
      key: 'created_by',
      value: 'kms-alias-bot',
    });
    expect(formatPathSummary(path)).toContain(
      'deletion of orders-api cancelled: alias/path/orders-api-rsa_2048 re-created',
    );
  });

  it('does not notify a createKey that KMS refused (the notification filters code = 200)', () => {
    const refused = path.events.filter((k) => !k.call.ok);
    expect(refused).toHaveLength(1);
    expect(refused[0]?.traceCode).toBe('400');
    expect(refused[0]?.smnMessageId).toBeUndefined();
    // Every call but the forged copy is traced; the refused one and the outside account's are not published.
    expect(path.cts).toMatchObject({ traces: path.events.length - 1, published: path.events.length - 3 });
  });

  it('verified every SMN delivery in the ingest bundle: the confirmation and each notification', () => {
    const smn = path.ingestRequests.filter((q) => q.smnType !== undefined);
    expect(smn.map((q) => `${q.smnType} ${q.status} ${q.reason}`).sort()).toEqual([
      ...Array(path.events.length - 3).fill('Notification 200 enqueued'),
      'SubscriptionConfirmation 200 subscription_confirmed',
      'SubscriptionConfirmation 200 subscription_confirmed',
    ]);
    expect(path.smn).toMatchObject({ dropped: 0, delivered: path.events.length - 1 });
  });
});

describe('npm start: one deployment, two accounts (HUAWEICLOUD_ACCOUNTS)', () => {
  it("aliases the second account's key with the agency's temporary AK/SK, assumed with the central AK/SK at STS", () => {
    const vault = eventOf('createKey', 'card-vault');
    expect(vault).toMatchObject({ account: 'payments', ingestReason: 'enqueued', outcome: 'created' });
    expect(vault?.audit?.account).toBe('payments');
    const keyId = keyIdOf('createKey', 'card-vault');
    expect(path.emulator.state.getKey(keyId ?? '')?.domain_id).toBe(PAYMENTS_ACCOUNT.domainId);
    expect(path.emulator.state.aliasesOf(keyId ?? '')).toEqual(['alias/path/card-vault-aes_256']);
    const write = path.emulator.calls.find((c) => c.operation === 'createAlias' && c.keyId === keyId);
    const assumed = path.emulator.calls.filter((c) => c.operation === 'stsAssumeAgency' && c.status === 201);
    // The writer is a temporary AK that STS issued to the central AK, neither the central AK nor payments' own.
    expect(assumed.map((c) => c.principal)).toEqual(assumed.map(() => LOCAL_ACCOUNT.ak));
    expect(assumed.map((c) => c.issuedAk)).toContain(write?.principal);
    expect(write?.principal).not.toBe(LOCAL_ACCOUNT.ak);
    expect(write?.principal).not.toBe(PAYMENTS_ACCOUNT.ak);
    // And every alias of the security account was written with the central AK.
    const security = path.emulator.calls.filter(
      (c) => c.operation === 'createAlias' && c.status === 201 && c.path.includes(LOCAL_ACCOUNT.projectId),
    );
    expect(new Set(security.map((c) => c.principal))).toEqual(new Set([LOCAL_ACCOUNT.ak]));
    expect(formatPathSummary(path)).toContain(
      `alias/path/card-vault-aes_256 created on key ${keyId?.slice(0, 8)} (card-vault) in account payments by the agency's temporary AK/SK from STS`,
    );
  });

  it('skips the event of an account outside the map, and sends a forged account to the DLQ, with no KMS call', () => {
    expect(eventOf('createKey', 'lake-etl')).toMatchObject({
      account: 'data',
      ingestReason: 'enqueued',
      outcome: 'skipped',
      aliasesAfter: [],
    });
    expect(eventOf('createKey', 'lake-etl')?.audit?.reason).toBe('account_not_configured');
    const forged = eventOf('forgeTrace', 'card-vault');
    expect(forged).toMatchObject({ ingestReason: 'enqueued', outcome: 'invalid' });
    expect(forged?.audit?.reason).toBe('account_mismatch');
    const [dead] = path.dlq;
    expect(dead?.body).toContain(forged?.relayed?.traceId);
    // The card-vault key got one CreateAlias: its own event's, none from the forged copy.
    const vault = keyIdOf('createKey', 'card-vault');
    expect(path.emulator.calls.filter((c) => c.operation === 'createAlias' && c.keyId === vault)).toHaveLength(1);
    // The lake-etl key saw only its own team's CreateKey.
    const lake = keyIdOf('createKey', 'lake-etl');
    const onLake = path.emulator.calls.filter((c) => c.keyId === lake || c.path.includes(DATA_ACCOUNT.projectId));
    expect(onLake.map((c) => [c.operation, c.principal])).toEqual([['createKey', DATA_ACCOUNT.ak]]);
  });
});

describe('npm start --direct (sample events straight to the queue)', () => {
  it('passes every check it prints', () => {
    expect(result.checks.filter((c) => !c.pass)).toEqual([]);
    expect(result.checks.length).toBeGreaterThanOrEqual(5);
  });

  it('aliases every sample key with the configured template, one create call each', () => {
    expect(result.scenario.expectedAliases.size).toBe(SAMPLE_EVENT_NAMES.length);
    for (const [keyId, alias] of result.scenario.expectedAliases) {
      expect(alias).toMatch(/^alias\/local\/[a-z0-9-]+-[a-z0-9_]+$/);
      expect(result.aliases.get(keyId)).toEqual([alias]);
    }
    expect(result.calls.get('createAlias 201')).toBe(SAMPLE_EVENT_NAMES.length);
  });

  it('puts the invalid and the conflicting message in the DLQ with their reasons, and nothing else', () => {
    expect(result.dlq.map((d) => d.reason).sort()).toEqual(['conflict', 'invalid:invalid_key_id']);
    const conflict = result.dlq.find((d) => d.reason === 'conflict');
    expect(conflict?.detail).toMatchObject({ existing_key_id: '0c0ff11c-7000-4000-8000-000000000002' });
  });

  it('writes one final audit record per message, in several invocations of batches of 4', () => {
    const outcomes = result.audits.map((a) => a.outcome).sort();
    const created = SAMPLE_EVENT_NAMES.map(() => 'created');
    expect(outcomes).toEqual(['already_present', 'conflict', ...created, 'invalid']);
    expect(result.runner.invocations).toBeGreaterThanOrEqual(3);
    // DLQ-bound messages are deleted from the source queue too: every message was settled.
    expect(result.runner.deleted).toBe(result.scenario.messages.length);
  });
});

describe('the local function URL (payload v2 from a node:http request)', () => {
  it('lower-cases headers, joins repeats, keeps cookies apart and passes a text body as is', () => {
    const event = toPayloadV2Event(
      {
        method: 'POST',
        url: '/hook?a=1&b=two',
        headers: { 'Content-Type': 'text/plain; charset=UTF-8', 'X-Many': ['1', '2'], cookie: 'c=1; d=2' },
        body: Buffer.from('{"type":"Notification"}'),
        sourceIp: '127.0.0.1',
      },
      0,
    );
    expect(event.headers).toEqual({ 'content-type': 'text/plain; charset=UTF-8', 'x-many': '1,2' });
    expect(event.cookies).toEqual(['c=1', 'd=2']);
    expect(event.rawQueryString).toBe('a=1&b=two');
    expect(event.queryStringParameters).toEqual({ a: '1', b: 'two' });
    expect(event.requestContext.http).toMatchObject({ method: 'POST', path: '/hook' });
    expect([event.body, event.isBase64Encoded]).toEqual(['{"type":"Notification"}', false]);
  });

  it('base64-encodes a body of any other content type, and turns a result back into a response', () => {
    const body = Buffer.from([0xff, 0x00, 0x41]);
    const event = toPayloadV2Event({
      method: 'POST',
      url: '/',
      headers: { 'content-type': 'application/octet-stream' },
      body,
      sourceIp: '::1',
    });
    expect([event.body, event.isBase64Encoded]).toEqual([body.toString('base64'), true]);
    const answer = fromStructuredResult({
      statusCode: 403,
      headers: { 'content-type': 'application/json' },
      body: '{"reason":"x"}',
    });
    expect([answer.status, answer.body.toString()]).toEqual([403, '{"reason":"x"}']);
  });
});

describe('npm start: the progress line of each decision', () => {
  it('never prints an empty reason, and prints the details of this run whole', () => {
    const notCreated = path.audits.filter((a) => a.outcome !== 'created' && a.outcome !== 'already_present');
    // The run's released, skipped and invalid decisions (phases 2 and 4).
    expect(new Set(notCreated.map((a) => a.outcome))).toEqual(new Set(['released', 'skipped', 'invalid']));
    for (const a of notCreated) {
      const line = formatAuditLine(a);
      expect(line).not.toMatch(/\(\s*:/);
      expect(line).not.toContain('()');
      expect(line).toContain(String(a.detail));
    }
    const released = notCreated.find((a) => a.outcome === 'released');
    expect(formatAuditLine(released ?? {})).toContain(`${String(released?.alias)} (released `);
  });

  it('says a skip or refusal reason once, in place of the alias', () => {
    const skipped = path.audits.find((a) => a.outcome === 'skipped');
    const line = formatAuditLine(skipped ?? {});
    expect(line.split(String(skipped?.reason))).toHaveLength(2);
    expect(line).toContain(`${String(skipped?.reason)} (${String(skipped?.detail)})`);
  });
});

describe('clipAtWord()', () => {
  it.each([
    ['short enough', 20, 'short enough'],
    [
      'released alias/demo/payments-db of key 3f7fda11, scheduled for deletion',
      50,
      'released alias/demo/payments-db of key 3f7fda11…',
    ],
    ['one two three four five six', 14, 'one two three…'],
    // No space in the second half: a single long token is not cut into a fragment.
    ['3f7fda11-0000-4000-8000-000000000001 x', 20, '3f7fda11-0000-4000-8000-000000000001 x'],
  ])('%j at %i → %j', (value, max, expected) => {
    expect(clipAtWord(value, max)).toBe(expected);
  });

  it('ends on a whole word of the original, ellipsis included at most max characters', () => {
    const value =
      'event says account 3bab8e245e854f68af5967c00dd43127 but project 1a2b3c4d belongs to account payments';
    // From 60 on, the second half of every cut holds a space.
    for (let max = 60; max < value.length; max += 7) {
      const clipped = clipAtWord(value, max);
      expect(clipped.endsWith('…')).toBe(true);
      expect(clipped.length).toBeLessThanOrEqual(max);
      const kept = clipped.slice(0, -1);
      expect(value.startsWith(kept)).toBe(true);
      expect(value[kept.length]).toMatch(/[\s,;:(]/);
    }
  });
});

describe('npm start --events DIR', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kms-auto-alias-events-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names the flag and the path of a directory it cannot use', () => {
    const missing = join(dir, 'my-events');
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    writeFileSync(join(empty, 'notes.txt'), 'not a body');
    const file = join(dir, 'body.json');
    writeFileSync(file, '{}');
    expect(eventsDirProblem(missing)).toBe(`--events ${missing}: no such directory`);
    expect(eventsDirProblem(file)).toBe(`--events ${file}: not a directory`);
    expect(eventsDirProblem(empty)).toBe(`--events ${empty}: no *.json files in it`);
    expect(eventsDirProblem(join(import.meta.dirname, '..', '..', 'events'))).toBeUndefined();
  });

  it('ends with one line on stderr and exit code 2 for a missing directory, before building anything', async () => {
    const missing = join(dir, 'my-events');
    const run = await promisify(execFile)(process.execPath, ['local/start.ts', '--direct', '--events', missing], {
      cwd: join(import.meta.dirname, '..', '..'),
    }).then(
      () => ({ code: 0, stdout: '', stderr: '' }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`--events ${missing}: no such directory\n`);
    expect(run.stdout).toBe('');
  });
});
