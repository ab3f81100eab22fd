// KMS alias and key API over real HTTP: bodies, pagination, rules and error codes (docs/huawei-kms.md#alias-api, docs/huawei-kms.md#alias-rules, docs/huawei-kms.md#error-codes, docs/huawei-kms.md#key-events, docs/huawei-kms.md#listing-keys).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_EMULATOR_ACCOUNT as ACC,
  startKmsEmulator,
  type KmsEmulator,
  type KmsEmulatorOptions,
} from '../../emulator/kms-emulator.ts';
import { signedFetch, type ApiResponse, type SignedCall } from './huawei-client.ts';

const START = Date.UTC(2025, 0, 15, 12, 0, 0);
const PID = ACC.projectId;
const SECOND_PROJECT = ACC.projects[1]?.id ?? '';

let clock = START;
let emu: KmsEmulator;

beforeAll(async () => {
  emu = await startKmsEmulator({ now: () => clock });
});
afterAll(() => emu.stop());
beforeEach(() => {
  emu.reset();
  clock = START;
});

function send(
  target: KmsEmulator,
  input: Pick<SignedCall, 'method' | 'path'> & Partial<SignedCall>,
): Promise<ApiResponse> {
  return signedFetch(target.url, {
    ak: ACC.permanent.ak,
    sk: ACC.permanent.sk,
    projectId: PID,
    dateMs: clock,
    ...input,
  });
}
const kms = (op: string, pid: string = PID): string => `/v1.0/${pid}/kms/${op}`;
const post = (op: string, body: unknown, pid: string = PID, target: KmsEmulator = emu): Promise<ApiResponse> =>
  send(target, { method: 'POST', path: kms(op, pid), body, projectId: pid });
const createAlias = (keyId: string, alias: string, pid: string = PID): Promise<ApiResponse> =>
  post('aliases', { key_id: keyId, alias }, pid);
const listAliases = (query: Record<string, string>, target: KmsEmulator = emu): Promise<ApiResponse> =>
  send(target, { method: 'GET', path: kms('aliases'), query });

function expectKmsError(res: ApiResponse, status: number, code: string, message?: RegExp): void {
  expect(res.status).toBe(status);
  expect(res.json).toEqual({
    error: { error_code: code, error_msg: message ? expect.stringMatching(message) : expect.any(String) },
  });
}

interface AliasPage {
  aliases: Array<{ alias: string; key_id: string }>;
  page_info: { next_marker: string; current_count: number };
}

describe('aliases', () => {
  it('creates, lists with pagination, associates and deletes', async () => {
    const a = emu.state.createKey(PID).key_id;
    const b = emu.state.createKey(PID).key_id;
    const names = ['alias/g', 'alias/a', 'alias/e', 'alias/c', 'alias/b', 'alias/f', 'alias/d'];
    for (const n of names) expect((await createAlias(a, n)).status).toBe(201);

    const seen: string[] = [];
    const counts: number[] = [];
    let marker = '';
    do {
      const res = await listAliases({ key_id: a, limit: '3', ...(marker ? { marker } : {}) });
      expect(res.status).toBe(200);
      const page = res.json as AliasPage;
      seen.push(...page.aliases.map((x) => x.alias));
      counts.push(page.page_info.current_count);
      marker = page.page_info.next_marker;
    } while (marker);
    expect(seen).toEqual([...names].sort());
    expect(counts).toEqual([3, 3, 1]);

    const moved = await post('alias/associate', { alias: 'alias/c', target_key_id: b });
    expect(moved.status).toBe(200);
    expect(moved.json).toMatchObject({ alias: 'alias/c', key_id: b });
    expect(emu.state.aliasesOf(b)).toEqual(['alias/c']);

    const del = await send(emu, {
      method: 'DELETE',
      path: kms('aliases'),
      body: { key_id: a, aliases: ['alias/a', 'alias/b'] },
    });
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    expect(emu.state.aliasesOf(a)).toEqual(['alias/d', 'alias/e', 'alias/f', 'alias/g']);
    // Deleting an alias the key does not have is refused, and nothing is deleted.
    const wrong = await send(emu, {
      method: 'DELETE',
      path: kms('aliases'),
      body: { key_id: a, aliases: ['alias/d', 'alias/c'] },
    });
    expectKmsError(wrong, 400, 'KMS.0308');
    expect(emu.state.aliasesOf(a)).toHaveLength(4);
  });

  it('lists the whole project without key_id, and only that project', async () => {
    const a = emu.state.createKey(PID).key_id;
    const b = emu.state.createKey(PID).key_id;
    const c = emu.state.createKey(SECOND_PROJECT).key_id;
    emu.state.putAlias(PID, a, 'alias/one');
    emu.state.putAlias(PID, b, 'alias/two');
    emu.state.putAlias(SECOND_PROJECT, c, 'alias/three');
    const page = (await listAliases({})).json as AliasPage;
    expect(page.aliases.map((x) => x.alias)).toEqual(['alias/one', 'alias/two']);
    expect(page.page_info).toEqual({ next_marker: '', current_count: 2 });
  });

  it('keeps aliases unique per account and region, with a 400 that says "already exists"', async () => {
    const a = emu.state.createKey(PID).key_id;
    const b = emu.state.createKey(PID).key_id;
    expect((await createAlias(a, 'alias/shared')).status).toBe(201);
    expectKmsError(await createAlias(b, 'alias/shared'), 400, 'KMS.0308', /already exists/);
    expectKmsError(await createAlias(a, 'alias/shared'), 400, 'KMS.0308', /already exists/);
    // The same name in another region is a different alias.
    const c = emu.state.createKey(SECOND_PROJECT).key_id;
    expect((await createAlias(c, 'alias/shared', SECOND_PROJECT)).status).toBe(201);
  });

  it('allows at most 50 aliases per key', async () => {
    const full = emu.state.createKey(PID).key_id;
    const other = emu.state.createKey(PID).key_id;
    for (let i = 0; i < 50; i++) emu.state.putAlias(PID, full, `alias/n${i}`);
    const res = await createAlias(full, 'alias/fifty-one');
    expectKmsError(res, 400, 'KMS.0308', /upper limit/);
    expect((res.json as { error: { error_msg: string } }).error.error_msg).not.toMatch(/exist/);
    emu.state.putAlias(PID, other, 'alias/elsewhere');
    expectKmsError(
      await post('alias/associate', { alias: 'alias/elsewhere', target_key_id: full }),
      400,
      'KMS.0308',
      /upper limit/,
    );
  });

  it('answers each key-state and key-id error with its KMS code', async () => {
    const disabled = emu.state.createKey(PID, { key_state: '3' }).key_id;
    const pending = emu.state.createKey(PID).key_id;
    emu.state.setKeyState(pending, '4');
    const defaultKey = emu.state.createKey(PID, { key_alias: 'obs/default', default_key_flag: '1' }).key_id;
    expectKmsError(await createAlias(disabled, 'alias/x'), 400, 'KMS.0209');
    expectKmsError(await createAlias(pending, 'alias/x'), 400, 'KMS.0210');
    expectKmsError(await createAlias(defaultKey, 'alias/x'), 400, 'KMS.0211');
    expectKmsError(await createAlias('00000000-0000-4000-8000-000000000000', 'alias/x'), 404, 'KMS.0207');
    expectKmsError(await createAlias('NOT-A-KEY-ID', 'alias/x'), 400, 'KMS.0205');
    expectKmsError(await post('aliases', { key_id: pending }), 400, 'KMS.0204');
    // A key in another project is "not found" here.
    const foreign = emu.state.createKey(SECOND_PROJECT).key_id;
    expectKmsError(await createAlias(foreign, 'alias/x'), 404, 'KMS.0207');
  });

  it('answers KMS.0202 for a body that is not a JSON object', async () => {
    // Broken JSON, sent with a signed X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD (docs/huawei-kms.md#aksk-signing) so the signature holds.
    const broken = await send(emu, {
      method: 'POST',
      path: kms('aliases'),
      headers: { 'X-Sdk-Content-Sha256': 'UNSIGNED-PAYLOAD' },
      rawBody: '{"key_id": ',
    });
    expectKmsError(broken, 400, 'KMS.0202');
    // Valid JSON that is not an object (the signer hashes JSON.stringify of the string).
    expectKmsError(await send(emu, { method: 'POST', path: kms('aliases'), body: 'not an object' }), 400, 'KMS.0202');
  });

  it('validates alias names: prefix, charset, reserved /default', async () => {
    const k = emu.state.createKey(PID).key_id;
    expectKmsError(await createAlias(k, 'bare-name'), 400, 'KMS.0308', /alias\//);
    expectKmsError(await createAlias(k, 'alias/bad name!'), 400, 'KMS.0308');
    expectKmsError(await createAlias(k, 'alias/obs/default'), 400, 'KMS.0308', /default/);
    expectKmsError(await createAlias(k, `alias/${'x'.repeat(250)}`), 400, 'KMS.0308');
    expect((await createAlias(k, 'alias/team:app_1-x')).status).toBe(201);
  });

  it('hides a key created with visibleAfterMs until that time (eventual consistency)', async () => {
    const late = emu.state.createKey(PID, { visibleAfterMs: 5000 }).key_id;
    expectKmsError(await createAlias(late, 'alias/late'), 404, 'KMS.0207');
    expectKmsError(await post('describe-key', { key_id: late }), 404, 'KMS.0207');
    clock += 5000;
    expect((await createAlias(late, 'alias/late')).status).toBe(201);
  });
});

describe('options that change documented-but-unverified behaviour', () => {
  async function withEmulator(options: KmsEmulatorOptions, run: (e: KmsEmulator) => Promise<void>): Promise<void> {
    const e = await startKmsEmulator({ now: () => clock, ...options });
    try {
      await run(e);
    } finally {
      await e.stop();
    }
  }

  it('listAliasesShape "array" wraps the page in a one-element array', async () => {
    await withEmulator({ listAliasesShape: 'array' }, async (e) => {
      const k = e.state.createKey(PID).key_id;
      e.state.putAlias(PID, k, 'alias/a');
      const res = await listAliases({ key_id: k }, e);
      expect(res.json).toEqual([
        {
          aliases: [expect.objectContaining({ alias: 'alias/a', key_id: k })],
          page_info: { next_marker: '', current_count: 1 },
        },
      ]);
    });
  });

  it("requireAliasPrefix: false accepts bare names; keyNotFoundStatus changes KMS.0207's status", async () => {
    await withEmulator({ requireAliasPrefix: false, keyNotFoundStatus: 400 }, async (e) => {
      const k = e.state.createKey(PID).key_id;
      expect((await post('aliases', { key_id: k, alias: 'kms-1234' }, PID, e)).status).toBe(201);
      expectKmsError(
        await post('aliases', { key_id: '00000000-0000-4000-8000-000000000000', alias: 'a' }, PID, e),
        400,
        'KMS.0207',
      );
    });
  });
});

describe('keys', () => {
  it('creates a key through the API and rejects a duplicate key_alias with KMS.1104', async () => {
    const res = await post('create-key', {
      key_alias: 'orders-key',
      key_spec: 'AES_256',
      key_usage: 'ENCRYPT_DECRYPT',
      origin: 'kms',
    });
    expect(res.status).toBe(200);
    const info = (res.json as { key_info: { key_id: string } }).key_info;
    expect(info).toEqual({
      key_id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      domain_id: ACC.domainId,
      region_id: 'cn-north-4',
    });
    expect(emu.calls.at(-1)).toMatchObject({ operation: 'createKey', keyId: info.key_id, status: 200 });
    expect(emu.state.aliasesOf(info.key_id)).toEqual([]); // key_alias is not an alias resource (docs/huawei-kms.md#key-events)
    expectKmsError(await post('create-key', { key_alias: 'orders-key' }), 400, 'KMS.1104');
    expectKmsError(await post('create-key', { key_alias: 'x', key_spec: 'AES_128' }), 400, 'KMS.0308');
    expectKmsError(
      await post('create-key', { key_alias: 'x', key_spec: 'AES_256', key_usage: 'SIGN_VERIFY' }),
      400,
      'KMS.0308',
    );
    expectKmsError(await post('create-key', { key_alias: 'bad alias!' }), 400, 'KMS.1101');
    expectKmsError(await post('create-key', { key_spec: 'AES_256' }), 400, 'KMS.0204');
  });

  it('lists keys with key_spec default AES_256 / "ALL", key_state filter and string pagination fields', async () => {
    const aes1 = emu.state.createKey(PID).key_id;
    const rsa = emu.state.createKey(PID, { key_spec: 'RSA_2048' }).key_id;
    const aes2 = emu.state.createKey(PID, { key_state: '3' }).key_id;
    const aes3 = emu.state.createKey(PID).key_id;
    emu.state.createKey(SECOND_PROJECT);

    const all = (await post('list-keys', { key_spec: 'ALL' })).json as { keys: string[]; total: number };
    expect(all.keys).toEqual([aes1, rsa, aes2, aes3]);
    expect(all.total).toBe(4);

    const first = (await post('list-keys', { limit: '2' })).json as Record<string, unknown>;
    expect(first).toMatchObject({ keys: [aes1, aes2], truncated: 'true', total: 3 });
    const second = (await post('list-keys', { limit: '2', marker: first['next_marker'] })).json as Record<
      string,
      unknown
    >;
    expect(second).toMatchObject({ keys: [aes3], truncated: 'false', next_marker: '', total: 3 });

    const disabled = (await post('list-keys', { key_state: '3' })).json as {
      keys: string[];
      key_details: Array<{ key_state: string }>;
    };
    expect(disabled.keys).toEqual([aes2]);
    expect(disabled.key_details[0]?.key_state).toBe('3');
    expectKmsError(await post('list-keys', { key_state: '9' }), 400, 'KMS.0308');
  });

  it('describes a key with every KeyDetails field as a string', async () => {
    const k = emu.state.createKey(PID, { key_alias: 'described', keystore_id: 'ks-1' }).key_id;
    const res = await post('describe-key', { key_id: k });
    expect(res.status).toBe(200);
    const info = (res.json as { key_info: Record<string, unknown> }).key_info;
    expect(info).toMatchObject({
      key_id: k,
      domain_id: ACC.domainId,
      key_alias: 'described',
      realm: 'cn-north-4',
      key_spec: 'AES_256',
      key_usage: 'ENCRYPT_DECRYPT',
      creation_date: String(START),
      key_state: '2',
      default_key_flag: '0',
      origin: 'kms',
      key_rotation_enabled: 'false',
      sys_enterprise_project_id: '0',
      keystore_id: 'ks-1',
    });
    for (const field of ['key_description', 'scheduled_deletion_date', 'key_type', 'expiration_time']) {
      expect(typeof info[field]).toBe('string');
    }
    expectKmsError(await post('describe-key', { key_id: 'bad' }), 400, 'KMS.0205');
  });
});

describe('routing', () => {
  it('answers an unknown path or method with the flat 404 APIGW.0101', async () => {
    for (const res of [
      await send(emu, { method: 'GET', path: kms('no-such-api') }),
      await send(emu, { method: 'POST', path: '/v2/whatever' }),
      await send(emu, { method: 'DELETE', path: kms('create-key') }),
    ]) {
      expect(res.status).toBe(404);
      expect(res.json).toEqual({
        error_msg: expect.any(String),
        error_code: 'APIGW.0101',
        request_id: res.headers.get('x-request-id'),
      });
    }
    expect(emu.calls.map((c) => c.operation)).toEqual(['unknown', 'unknown', 'unknown']);
  });
});
