import { describe, expect, it } from 'vitest';
import { IamError, RequestRefusedError } from '../../../lib/errors/huawei-errors.ts';
import { kmsEndpointFor } from '../../../lib/huawei/endpoints.ts';
import { createKmsClient, type KmsClientOptions } from '../../../lib/huawei/kms-client.ts';
import type { AuthProvider, AuthRequest } from '../../../lib/huawei/types.ts';
import { classifyError } from '../../../lib/retry/classify-error.ts';
import { rejectionOf } from '../../support/rejection-of.ts';
import { createKmsTestClient } from '../../support/kms-test-client.ts';

const PROJECT = '0123456789abcdef0123456789abcdef';
const KEY = 'bb6a3d22-dc93-47ac-b5bd-88df7ad35f1e';
const target = { region: 'cn-north-4', projectId: PROJECT };
const BASE = `https://kms.cn-north-4.myhuaweicloud.com/v1.0/${PROJECT}/kms`;

interface Sent {
  url: string;
  method: string;
  headers: Headers;
  body: string | undefined;
  redirect: RequestInit['redirect'];
}

type Responder = (sent: Sent, signal: AbortSignal | undefined) => Response | Promise<Response>;

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

function setup(responders: Responder[], overrides: Partial<KmsClientOptions> = {}, onUnauthorized?: () => boolean) {
  const sent: Sent[] = [];
  const authorized: AuthRequest[] = [];
  const auth: AuthProvider = {
    authorize: async (request) => {
      authorized.push(request);
      return { ...request.headers, 'x-test-auth': `signed:${request.body ?? ''}` };
    },
    ...(onUnauthorized === undefined ? {} : { onUnauthorized }),
  };
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const entry: Sent = {
      url: String(input),
      method: init?.method ?? 'GET',
      headers: new Headers(init?.headers),
      body: typeof init?.body === 'string' ? init.body : undefined,
      redirect: init?.redirect,
    };
    sent.push(entry);
    const responder = responders.shift();
    if (responder === undefined) throw new Error('unexpected request');
    return responder(entry, init?.signal ?? undefined);
  };
  // The production client plus createKey/deleteAlias, on the same request sender.
  const client = createKmsTestClient({ endpointFor: kmsEndpointFor, auth, fetch, requestTimeoutMs: 200, ...overrides });
  return { client, sent, authorized };
}

const aliasEntity = (alias: string, keyId = KEY) => ({
  domain_id: '3bab8e245e854f68af5967c00dd43127',
  key_id: keyId,
  alias,
  alias_urn: `kms:cn-north-4:3bab8e245e854f68af5967c00dd43127:alias:${alias}`,
  create_time: '2024-04-01T00:00:00Z',
  update_time: 1711929600000,
});

const waitForAbort: Responder = (_sent, signal) =>
  new Promise((_resolve, reject) => {
    if (signal?.aborted === true) reject(signal.reason);
    signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
  });

describe('createKmsClient() — requests', () => {
  it('createAlias POSTs the signed body string unchanged and returns the alias and request id', async () => {
    const { client, sent, authorized } = setup([
      () => json(201, aliasEntity('alias/kms-1234'), { 'X-Request-Id': 'req-1' }),
    ]);
    const result = await client.createAlias({ ...target, keyId: KEY, alias: 'alias/kms-1234' });
    expect(result.requestId).toBe('req-1');
    expect(result.alias).toMatchObject({ alias: 'alias/kms-1234', key_id: KEY, update_time: '1711929600000' });
    const [request] = sent;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe(`${BASE}/aliases`);
    expect(request?.body).toBe(`{"key_id":"${KEY}","alias":"alias/kms-1234"}`);
    expect(authorized[0]?.body).toBe(request?.body);
    expect(authorized[0]?.headers).toEqual({ 'content-type': 'application/json' });
    expect(request?.headers.get('x-test-auth')).toBe(`signed:${request?.body}`);
    expect(request?.headers.get('user-agent')).toBe('kms-auto-alias');
    expect(request?.redirect).toBe('manual');
  });

  it('createAlias trusts the 201 even when the body is not an alias object (docs/huawei-kms.md#alias-api)', async () => {
    const { client } = setup([() => new Response('', { status: 201 })]);
    const result = await client.createAlias({ ...target, keyId: KEY, alias: 'alias/a' });
    expect(result.alias).toEqual({ alias: 'alias/a', key_id: KEY });
  });

  it('listAliases encodes the query with RFC 3986 and reads the object shape', async () => {
    const { client, sent } = setup([
      () => json(200, { aliases: [aliasEntity('alias/a')], page_info: { next_marker: 'alias/a', current_count: 1 } }),
    ]);
    const page = await client.listAliases({ ...target, keyId: KEY, limit: 1, marker: 'alias/x y+z' });
    expect(sent[0]?.url).toBe(`${BASE}/aliases?key_id=${KEY}&limit=1&marker=alias%2Fx%20y%2Bz`);
    expect(sent[0]?.method).toBe('GET');
    expect(sent[0]?.body).toBeUndefined();
    expect(page).toMatchObject({ nextMarker: 'alias/a', aliases: [{ alias: 'alias/a' }] });
  });

  it('listAliases reads the array-wrapped shape too (docs/huawei-kms.md#alias-api)', async () => {
    const { client } = setup([
      () => json(200, [{ aliases: [aliasEntity('alias/b')], page_info: { next_marker: '' } }]),
    ]);
    const page = await client.listAliases(target);
    expect(page.aliases.map((a) => a.alias)).toEqual(['alias/b']);
    expect(page.nextMarker).toBeUndefined();
  });

  it('listAllAliases follows next_marker and stops on an empty marker', async () => {
    const { client, sent } = setup([
      () =>
        json(
          200,
          { aliases: [aliasEntity('alias/1')], page_info: { next_marker: 'alias/1' } },
          { 'X-Request-Id': 'p1' },
        ),
      () =>
        json(
          200,
          { aliases: [aliasEntity('alias/2')], page_info: { next_marker: 'alias/2' } },
          { 'X-Request-Id': 'p2' },
        ),
      () =>
        json(200, { aliases: [aliasEntity('alias/3')], page_info: { next_marker: null } }, { 'X-Request-Id': 'p3' }),
    ]);
    const all = await client.listAllAliases({ ...target, pageSize: 1 });
    expect(all.aliases.map((a) => a.alias)).toEqual(['alias/1', 'alias/2', 'alias/3']);
    expect(all).toMatchObject({ pages: 3, requestIds: ['p1', 'p2', 'p3'] });
    expect(sent.map((s) => new URL(s.url).searchParams.get('marker'))).toEqual([null, 'alias/1', 'alias/2']);
  });

  it('listAllAliases stops on an empty page even if a marker comes back', async () => {
    const { client } = setup([() => json(200, { aliases: [], page_info: { next_marker: 'again' } })]);
    await expect(client.listAllAliases(target)).resolves.toMatchObject({ aliases: [], pages: 1 });
  });

  it('listAllAliases refuses to loop past maxPages or on a repeated marker', async () => {
    const page = (marker: string) => () =>
      json(200, { aliases: [aliasEntity(marker)], page_info: { next_marker: marker } });
    const capped = setup([page('a'), page('b'), page('c')], { maxPages: 2 });
    const err = await rejectionOf(capped.client.listAllAliases(target));
    expect(err).toMatchObject({ code: 'KMS_REJECTED', retryable: false });
    expect(classifyError(err).retryable).toBe(false);

    const repeating = setup([page('same'), page('same')]);
    await expect(repeating.client.listAllAliases(target)).rejects.toThrow(/pagination did not end/);
  });

  it('deleteAlias sends DELETE with a JSON body and accepts 204', async () => {
    const { client, sent } = setup([() => new Response(null, { status: 204, headers: { 'X-Request-Id': 'd1' } })]);
    await expect(client.deleteAlias({ ...target, keyId: KEY, aliases: ['alias/a', 'alias/b'] })).resolves.toEqual({
      requestId: 'd1',
    });
    expect(sent[0]).toMatchObject({
      method: 'DELETE',
      url: `${BASE}/aliases`,
      body: `{"key_id":"${KEY}","aliases":["alias/a","alias/b"]}`,
    });
  });

  it('createKey POSTs only the given fields and reads key_info', async () => {
    const { client, sent } = setup([() => json(200, { key_info: { key_id: KEY, domain_id: 'd' } })]);
    const result = await client.createKey({ ...target, keyAlias: 'app-key', keySpec: 'AES_256' });
    expect(sent[0]).toMatchObject({ url: `${BASE}/create-key`, body: '{"key_alias":"app-key","key_spec":"AES_256"}' });
    expect(result.keyInfo).toEqual({ key_id: KEY, domain_id: 'd' });
  });

  it('listKeys sends strings and parses truncated "true"/"false" (docs/huawei-kms.md#listing-keys)', async () => {
    const { client, sent } = setup([
      () =>
        json(200, {
          keys: [KEY],
          key_details: [{ key_id: KEY, key_state: '2' }],
          next_marker: '1',
          truncated: 'true',
          total: 3,
        }),
      () => json(200, { keys: [], key_details: [], next_marker: '', truncated: 'false', total: '3' }),
    ]);
    const first = await client.listKeys({ ...target, limit: 1, keySpec: 'ALL' });
    expect(sent[0]?.body).toBe('{"limit":"1","key_spec":"ALL"}');
    expect(first).toMatchObject({ keys: [KEY], truncated: true, nextMarker: '1', total: 3 });
    const second = await client.listKeys({ ...target, marker: '1' });
    expect(second).toMatchObject({ truncated: false, nextMarker: undefined, total: 3 });
  });

  it('describeKey POSTs the key id and returns key_info', async () => {
    const { client, sent } = setup([
      () => json(200, { key_info: { key_id: KEY, key_state: '2', default_key_flag: '0' } }),
    ]);
    const result = await client.describeKey({ ...target, keyId: KEY });
    expect(sent[0]).toMatchObject({ url: `${BASE}/describe-key`, body: `{"key_id":"${KEY}"}` });
    expect(result.keyInfo).toMatchObject({ key_id: KEY, key_state: '2' });
  });
});

describe('createKmsClient() — validation before anything is sent', () => {
  it.each([
    ['a short project id', { ...target, projectId: 'abc' }, KEY],
    ['a project id with a path', { ...target, projectId: '../../../../v3/auth/tokens?x=aaaaa' }, KEY],
    ['a key id with a slash', target, `${KEY.slice(0, 30)}/../x`],
    ['an upper-case key id', target, KEY.toUpperCase()],
    ['an invalid region', { ...target, region: 'evil.com/' }, KEY],
  ])('refuses %s (KMS_REJECTED, status 0, permanent)', async (_name, where, keyId) => {
    const { client, sent } = setup([]);
    const err = await rejectionOf(client.describeKey({ ...where, keyId }));
    expect(err).toBeInstanceOf(RequestRefusedError);
    expect(err).toMatchObject({ code: 'KMS_REJECTED', status: 0, retryable: false });
    expect(classifyError(err).retryable).toBe(false);
    expect(sent).toHaveLength(0);
  });

  it('refuses an endpoint that would send credentials in clear text', async () => {
    const { client, sent } = setup([], { endpointFor: () => 'http://kms.example.com' });
    await expect(client.listAliases(target)).rejects.toMatchObject({ code: 'KMS_REJECTED', status: 0 });
    expect(sent).toHaveLength(0);
  });

  it('asks for the endpoint once per region and keeps the checked answer; a refused one is asked again', async () => {
    const asked: string[] = [];
    const endpointFor = (region: string) => {
      asked.push(region);
      return region === 'bad-region-1' ? 'http://kms.example.com' : kmsEndpointFor(region);
    };
    const ok = () => json(200, { aliases: [] });
    const { client, sent } = setup([ok, ok, ok], { endpointFor });
    await client.listAliases(target);
    await client.listAliases(target);
    await client.listAliases({ region: 'ap-southeast-1', projectId: PROJECT });
    for (let i = 0; i < 2; i++) {
      await expect(client.listAliases({ region: 'bad-region-1', projectId: PROJECT })).rejects.toMatchObject({
        code: 'KMS_REJECTED',
      });
    }
    expect(asked).toEqual(['cn-north-4', 'ap-southeast-1', 'bad-region-1', 'bad-region-1']);
    expect(sent.map((s) => new URL(s.url).host)).toEqual([
      'kms.cn-north-4.myhuaweicloud.com',
      'kms.cn-north-4.myhuaweicloud.com',
      'kms.ap-southeast-1.myhuaweicloud.com',
    ]);
  });

  it('refuses an invalid limit and empty deletes', async () => {
    const { client } = setup([]);
    await expect(client.listAliases({ ...target, limit: 0 })).rejects.toMatchObject({ code: 'KMS_REJECTED' });
    await expect(client.deleteAlias({ ...target, keyId: KEY, aliases: [] })).rejects.toMatchObject({
      code: 'KMS_REJECTED',
    });
  });
});

describe('createKmsClient() — failures', () => {
  it('parses error bodies into KmsApiError with requestId', async () => {
    const { client } = setup([
      () => json(404, { error: { error_code: 'KMS.0207', error_msg: 'key not exist.' } }, { 'X-Request-Id': 'e1' }),
    ]);
    const err = await rejectionOf(client.describeKey({ ...target, keyId: KEY }));
    expect(err).toMatchObject({
      code: 'KMS_KEY_NOT_FOUND',
      status: 404,
      huaweiCode: 'KMS.0207',
      requestId: 'e1',
      operation: 'describeKey',
      retryable: true,
    });
  });

  it('on 401 tells the auth provider; KMS_AUTH_EXPIRED when it dropped a token', async () => {
    let told = 0;
    const body = { error_code: 'APIGW.0301', error_msg: 'Incorrect IAM authentication information' };
    const healing = setup([() => json(401, body)], {}, () => {
      told += 1;
      return true;
    });
    const healed = await rejectionOf(healing.client.listAliases(target));
    expect(told).toBe(1);
    expect(healed).toMatchObject({ code: 'KMS_AUTH_EXPIRED', status: 401, retryable: true });
    expect(classifyError(healed).kind).toBe('auth_refreshed');

    const akSk = setup([() => json(401, body)]);
    await expect(akSk.client.listAliases(target)).rejects.toMatchObject({ code: 'KMS_AUTH', retryable: false });
  });

  it('does not follow redirects (a 3xx is a permanent error)', async () => {
    const { client } = setup([
      () => new Response(null, { status: 307, headers: { location: 'https://evil.example/' } }),
    ]);
    await expect(client.listAliases(target)).rejects.toMatchObject({
      status: 307,
      code: 'KMS_REJECTED',
      retryable: false,
    });
  });

  it('turns a 2xx body of the wrong shape into a retryable KMS_UNAVAILABLE', async () => {
    const { client } = setup([
      () => new Response('<html>proxy</html>', { status: 200, headers: { 'X-Request-Id': 'm1' } }),
    ]);
    const err = await rejectionOf(client.listAliases(target));
    expect(err).toMatchObject({ code: 'KMS_UNAVAILABLE', status: 200, retryable: true, requestId: 'm1' });
    expect((err as Error).message).not.toContain('proxy');
  });

  it('times out with KMS_TIMEOUT after requestTimeoutMs', async () => {
    const { client } = setup([waitForAbort], { requestTimeoutMs: 30 });
    const err = await rejectionOf(client.listAliases(target));
    expect(err).toMatchObject({ code: 'KMS_TIMEOUT', status: 0, retryable: true });
    expect((err as Error).message).toBe('listAliases failed: timed out after 30 ms');
  });

  it("treats a caller's TimeoutError (the retry policy's attempt deadline) as KMS_TIMEOUT", async () => {
    const { client } = setup([waitForAbort], { requestTimeoutMs: 5_000 });
    const err = await rejectionOf(client.listAliases(target, AbortSignal.timeout(20)));
    expect(err).toMatchObject({ code: 'KMS_TIMEOUT', status: 0 });
  });

  it("rethrows the caller's own cancellation reason", async () => {
    const { client } = setup([waitForAbort], { requestTimeoutMs: 5_000 });
    const controller = new AbortController();
    const promise = client.listAliases(target, controller.signal);
    controller.abort(new Error('shutting down'));
    await expect(promise).rejects.toThrow('shutting down');
  });

  it('turns a network failure into KMS_NETWORK naming the socket code', async () => {
    const { client } = setup([
      () => {
        throw new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) });
      },
    ]);
    const err = await rejectionOf(client.listAliases(target));
    expect(err).toMatchObject({
      code: 'KMS_NETWORK',
      status: 0,
      retryable: true,
      message: 'listAliases failed: network error ECONNRESET',
    });
  });

  it('passes IAM errors from the auth provider through unchanged', async () => {
    const iamError = new IamError('iam.token failed: HTTP 401', { status: 401, retry: false, operation: 'iam.token' });
    const client = createKmsClient({
      endpointFor: kmsEndpointFor,
      auth: { authorize: async () => Promise.reject(iamError) },
      fetch: async () => new Response(''),
    });
    await expect(client.listAliases(target)).rejects.toBe(iamError);
  });
});
