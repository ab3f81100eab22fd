import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_EMULATOR_ACCOUNT } from '../../emulator/accounts.ts';
import { loadConfig } from '../../lib/config/load-config.ts';
import { createKmsFromConfig } from '../../lib/runtime/create-kms-from-config.ts';
import { LOCAL_ACCOUNT, LOCAL_EMULATOR_ACCOUNT } from '../support/local-account.ts';
import { startStack, type Stack } from '../support/stack.ts';

// The emulator plays API Gateway: it re-derives the signature from the request as received
// (emulator/verify-signature.ts, written independently of lib/huawei). Here a request signed by
// the function's own client (createKmsFromConfig, as buildDeps builds it) is captured at fetch,
// replayed unchanged (accepted), then with one thing changed (refused).

interface Captured {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

let stack: Stack;
let clockOffsetMs = 0;
const PROJECT = LOCAL_ACCOUNT.projectId;
const KEY = '6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d';
const DEFAULT_KEY = '7b8c9d0e-1f2a-4b3c-9d4e-5f6a7b8c9d0e';

beforeAll(async () => {
  stack = await startStack({
    accounts: [LOCAL_EMULATOR_ACCOUNT, DEFAULT_EMULATOR_ACCOUNT],
    now: () => Date.now() + clockOffsetMs,
  });
});
afterAll(async () => stack.stop());
beforeEach(() => {
  clockOffsetMs = 0;
  stack.emulator.reset();
  stack.emulator.state.createKey(PROJECT, { key_id: KEY, key_alias: 'signed' });
  stack.emulator.state.createKey(DEFAULT_EMULATOR_ACCOUNT.projectId, { key_id: DEFAULT_KEY, key_alias: 'signed' });
});

/**
 * Runs `call` against a client built from `env` exactly as the Lambda builds it, and returns the
 * KMS requests it signed. They are not sent: the capture answers them itself, so the replay is
 * the first time the emulator sees them. IAM token requests are forwarded (the client needs a token).
 */
async function capture(
  env: Record<string, string>,
  call: (kms: ReturnType<typeof createKmsFromConfig>) => Promise<unknown>,
): Promise<Captured[]> {
  const captured: Captured[] = [];
  const fetchImpl: typeof fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (new URL(url).pathname === '/v3/auth/tokens') return fetch(input, init);
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, name) => {
      headers[name] = value;
    });
    captured.push({
      url,
      method: init?.method ?? 'GET',
      headers,
      body: typeof init?.body === 'string' ? init.body : undefined,
    });
    const ok = url.includes('?')
      ? { aliases: [], page_info: { next_marker: '', current_count: 0 } }
      : { alias: 'alias/x', key_id: KEY };
    return new Response(JSON.stringify(ok), { status: init?.method === 'POST' ? 201 : 200 });
  };
  await call(createKmsFromConfig(loadConfig(env), { fetch: fetchImpl }));
  return captured;
}

/** Sends a request byte for byte as given (node:http: fetch would replace a Host header). */
function send(r: Captured): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const length = r.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(r.body)) };
    const req = httpRequest(r.url, { method: r.method, headers: { ...length, ...r.headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(r.body);
  });
}

async function replay(request: Captured, change: (r: Captured) => Captured = (r) => r) {
  const r = change({ ...request, headers: { ...request.headers } });
  const { status, text } = await send(r);
  let code: string | undefined;
  try {
    const json = JSON.parse(text) as { error_code?: string; error?: { error_code?: string; code?: string } };
    code = json.error_code ?? json.error?.error_code ?? json.error?.code;
  } catch {
    code = undefined;
  }
  return { status, code };
}

const header = (name: string, value: string | undefined) => (r: Captured) => {
  const headers = { ...r.headers };
  if (value === undefined) delete headers[name];
  else headers[name] = value;
  return { ...r, headers };
};

const resign = (r: Captured, edit: (auth: string) => string) =>
  header('authorization', edit(r.headers.authorization ?? ''))(r);

describe('AK/SK requests signed by the function', () => {
  async function signedCreate() {
    const [request] = await capture(stack.env(), (kms) =>
      kms.createAlias({ region: 'cn-north-4', projectId: PROJECT, keyId: KEY, alias: 'alias/signed/replayed' }),
    );
    return request!;
  }

  async function signedList() {
    const [request] = await capture(stack.env(), (kms) =>
      kms.listAliases({ region: 'cn-north-4', projectId: PROJECT, keyId: KEY }),
    );
    return request!;
  }

  it('are signed over host, date, project and content type', async () => {
    const request = await signedCreate();
    expect(request.headers.authorization).toMatch(
      new RegExp(
        `^SDK-HMAC-SHA256 Access=${LOCAL_ACCOUNT.ak}, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=[0-9a-f]{64}$`,
      ),
    );
    expect(request.url).toBe(`${stack.emulator.url}/v1.0/${PROJECT}/kms/aliases`);
  });

  it('pass the gateway check unchanged, and create exactly what was signed', async () => {
    const request = await signedCreate();
    expect(await replay(request)).toEqual({ status: 201, code: undefined });
    expect(stack.emulator.state.aliasesOf(KEY)).toEqual(['alias/signed/replayed']);
    expect(await replay(await signedList())).toEqual({ status: 200, code: undefined });
  });

  it.each<[string, (r: Captured) => Captured]>([
    [
      'the body (another alias)',
      (r) => ({ ...r, body: r.body?.replace('alias/signed/replayed', 'alias/signed/tampered') }),
    ],
    ['the body (another key)', (r) => ({ ...r, body: r.body?.replace(KEY, KEY.replace('6a7b', '6a7c')) })],
    ['the body (whitespace only)', (r) => ({ ...r, body: r.body?.replace(',', ', ') })],
    [
      'the path (another project of the same account)',
      (r) => ({ ...r, url: r.url.replace(PROJECT, LOCAL_ACCOUNT.secondProjectId) }),
    ],
    ['the query (added)', (r) => ({ ...r, url: `${r.url}?key_id=${KEY}` })],
    [
      'X-Sdk-Date (one second later)',
      (r) =>
        header(
          'x-sdk-date',
          r.headers['x-sdk-date']!.replace(/(\d)Z$/, (_, d: string) => `${(Number(d) + 1) % 10}Z`),
        )(r),
    ],
    ['X-Sdk-Date (removed)', header('x-sdk-date', undefined)],
    ['X-Project-Id', header('x-project-id', LOCAL_ACCOUNT.secondProjectId)],
    ['Host', header('host', 'kms.cn-north-4.myhuaweicloud.com')],
    ['Content-Type', header('content-type', 'text/plain')],
    [
      'the signature (one hex digit)',
      (r) => resign(r, (a) => a.replace(/Signature=(.)/, (_, c: string) => `Signature=${c === '0' ? '1' : '0'}`)),
    ],
    [
      'the AK (another valid AK of the emulator)',
      (r) => resign(r, (a) => a.replace(LOCAL_ACCOUNT.ak, DEFAULT_EMULATOR_ACCOUNT.permanent.ak)),
    ],
    ['SignedHeaders (x-project-id dropped)', (r) => resign(r, (a) => a.replace('x-project-id;', ''))],
    ['the method', (r) => ({ ...r, method: 'DELETE' })],
  ])('are refused with 401 when %s is changed', async (_what, change) => {
    const request = await signedCreate();
    const result = await replay(request, change);
    expect(result.status).toBe(401);
    expect(result.code).toMatch(/^APIGW\.030[13]$/);
    expect(stack.emulator.state.aliasesOf(KEY)).toEqual([]);
  });

  it('are refused once X-Sdk-Date is more than 15 minutes from the gateway clock, in either direction', async () => {
    const request = await signedList();
    clockOffsetMs = 14 * 60_000;
    expect((await replay(request)).status).toBe(200);
    clockOffsetMs = 16 * 60_000;
    expect(await replay(request)).toEqual({ status: 401, code: 'APIGW.0303' });
    clockOffsetMs = -16 * 60_000;
    expect(await replay(request)).toEqual({ status: 401, code: 'APIGW.0303' });
  });

  it('do not depend on unsigned headers (User-Agent is added after signing)', async () => {
    const request = await signedList();
    expect((await replay(request, header('user-agent', 'something-else'))).status).toBe(200);
  });
});

describe('temporary AK/SK requests (security token)', () => {
  const t = DEFAULT_EMULATOR_ACCOUNT.temporary;
  const env = () => ({
    ...stack.env(),
    HUAWEICLOUD_PROJECT_ID: DEFAULT_EMULATOR_ACCOUNT.projectId,
    HUAWEICLOUD_SDK_AK: t.ak,
    HUAWEICLOUD_SDK_SK: t.sk,
    HUAWEICLOUD_SDK_SECURITY_TOKEN: t.securityToken,
  });
  const signedList = async () =>
    (
      await capture(env(), (kms) =>
        kms.listAliases({ region: 'cn-north-4', projectId: DEFAULT_EMULATOR_ACCOUNT.projectId, keyId: DEFAULT_KEY }),
      )
    )[0]!;

  it('sign the token and pass unchanged', async () => {
    const request = await signedList();
    expect(request.headers.authorization).toContain('x-security-token');
    expect(request.headers['x-security-token']).toBe(t.securityToken);
    expect((await replay(request)).status).toBe(200);
  });

  it.each<[string, (r: Captured) => Captured]>([
    ['a changed token', header('x-security-token', `${t.securityToken}x`)],
    ['no token', header('x-security-token', undefined)],
  ])('are refused with %s', async (_what, change) => {
    expect((await replay(await signedList(), change)).status).toBe(401);
  });
});

describe('IAM token requests', () => {
  const env = () => {
    const base: Record<string, string> = {
      ...stack.env(),
      HUAWEICLOUD_IAM_USER: LOCAL_ACCOUNT.user,
      HUAWEICLOUD_IAM_PASSWORD: LOCAL_ACCOUNT.password,
      HUAWEICLOUD_IAM_DOMAIN: LOCAL_ACCOUNT.domainName,
    };
    delete base.HUAWEICLOUD_SDK_AK;
    delete base.HUAWEICLOUD_SDK_SK;
    return base;
  };
  const tokenRequest = async () =>
    (await capture(env(), (kms) => kms.listAliases({ region: 'cn-north-4', projectId: PROJECT, keyId: KEY })))[0]!;

  it('pass unchanged with the token IAM issued', async () => {
    const request = await tokenRequest();
    expect(request.headers['x-auth-token']).toMatch(/^MIIemu/);
    expect(request.headers.authorization).toBeUndefined();
    expect((await replay(request)).status).toBe(200);
  });

  it('are refused with a changed token (401) or for another project (403)', async () => {
    const request = await tokenRequest();
    const token = request.headers['x-auth-token']!;
    expect(
      await replay(request, header('x-auth-token', `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`)),
    ).toEqual({
      status: 401,
      code: 'APIGW.0301',
    });
    expect(
      await replay(request, (r) => ({ ...r, url: r.url.replace(PROJECT, LOCAL_ACCOUNT.secondProjectId) })),
    ).toEqual({
      status: 403,
      code: 'APIGW.0302',
    });
  });

  it('are refused once the token has expired', async () => {
    const request = await tokenRequest();
    stack.emulator.expireAllTokens();
    expect(await replay(request)).toEqual({ status: 401, code: 'APIGW.0301' });
  });
});
