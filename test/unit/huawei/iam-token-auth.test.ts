import { describe, expect, it } from 'vitest';
import { IamError } from '../../../lib/errors/huawei-errors.ts';
import { createIamTokenAuth, type IamTokenAuthOptions } from '../../../lib/huawei/iam-token-auth.ts';
import { classifyError } from '../../../lib/retry/classify-error.ts';
import { rejectionOf } from '../../support/rejection-of.ts';

const PROJECT = '0123456789abcdef0123456789abcdef';
const OTHER = 'fedcba9876543210fedcba9876543210';
const HOUR = 3_600_000;
const request = {
  method: 'GET',
  url: new URL(`https://kms.cn-north-4.myhuaweicloud.com/v1.0/${PROJECT}/kms/aliases`),
  headers: { 'content-type': 'application/json' },
  body: undefined,
};
const password = { kind: 'password', user: 'bot', password: 'P@ss-SECRET', domain: 'acme' } as const;

interface SeenCall {
  url: string;
  headers: Headers;
  body: unknown;
}

/** A fake IAM: answers each call with the next responder, or issues token-1, token-2... */
function fakeIam(responders: Array<() => Response | Promise<Response>> = [], now = () => 0) {
  const calls: SeenCall[] = [];
  let issued = 0;
  const fetch: typeof globalThis.fetch = async (input, init) => {
    calls.push({
      url: String(input),
      headers: new Headers(init?.headers),
      body: JSON.parse(String(init?.body)),
    });
    const next = responders.shift();
    if (next !== undefined) return next();
    issued += 1;
    return new Response(JSON.stringify({ token: { expires_at: new Date(now() + 24 * HOUR).toISOString() } }), {
      status: 201,
      headers: { 'X-Subject-Token': `token-${issued}` },
    });
  };
  return { calls, fetch };
}

function auth(options: Partial<IamTokenAuthOptions> & Pick<IamTokenAuthOptions, 'fetch'>) {
  return createIamTokenAuth({ iamEndpoint: 'https://iam.cn-north-4.myhuaweicloud.com', mode: password, ...options });
}

describe('createIamTokenAuth()', () => {
  it('fetches a project-scoped token with the password body of docs/huawei-kms.md#iam-tokens and sends it as X-Auth-Token', async () => {
    const iam = fakeIam();
    const headers = await auth({ fetch: iam.fetch }).authorize(request, PROJECT);
    expect(headers).toEqual({ 'content-type': 'application/json', 'X-Auth-Token': 'token-1' });
    expect(iam.calls).toHaveLength(1);
    expect(iam.calls[0]?.url).toBe('https://iam.cn-north-4.myhuaweicloud.com/v3/auth/tokens?nocatalog=true');
    expect(iam.calls[0]?.headers.get('content-type')).toBe('application/json;charset=utf8');
    expect(iam.calls[0]?.body).toEqual({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: 'bot', password: 'P@ss-SECRET', domain: { name: 'acme' } } },
        },
        scope: { project: { id: PROJECT } },
      },
    });
  });

  it('scopes by project name when projectNameFor gives one', async () => {
    const iam = fakeIam();
    await auth({ fetch: iam.fetch, projectNameFor: () => 'cn-north-4' }).authorize(request, PROJECT);
    expect(iam.calls[0]?.body).toMatchObject({ auth: { scope: { project: { name: 'cn-north-4' } } } });
  });

  it('builds the assume_role body and sends the caller token to IAM', async () => {
    const iam = fakeIam();
    const provider = createIamTokenAuth({
      iamEndpoint: 'https://iam.myhuaweicloud.com',
      mode: {
        kind: 'assume_role',
        agencyName: 'kms_agency',
        domainName: 'delegator',
        durationSeconds: 3600,
        callerToken: () => 'caller-token',
      },
      fetch: iam.fetch,
    });
    await provider.authorize(request, PROJECT);
    expect(iam.calls[0]?.headers.get('x-auth-token')).toBe('caller-token');
    expect(iam.calls[0]?.body).toEqual({
      auth: {
        identity: {
          methods: ['assume_role'],
          assume_role: { agency_name: 'kms_agency', domain_name: 'delegator', duration_seconds: 3600 },
        },
        scope: { project: { id: PROJECT } },
      },
    });
  });

  it('shares one in-flight request between concurrent callers, one token per project', async () => {
    const iam = fakeIam();
    const provider = auth({ fetch: iam.fetch });
    const results = await Promise.all([
      ...Array.from({ length: 10 }, () => provider.authorize(request, PROJECT)),
      provider.authorize(request, OTHER),
    ]);
    expect(iam.calls).toHaveLength(2);
    expect(new Set(results.slice(0, 10).map((h) => h['X-Auth-Token']))).toEqual(new Set(['token-1']));
    expect(results[10]?.['X-Auth-Token']).toBe('token-2');
  });

  it('caches the token until refreshMarginMs before expires_at', async () => {
    let now = 0;
    const iam = fakeIam([], () => now);
    const provider = auth({ fetch: iam.fetch, now: () => now, refreshMarginMs: 5 * 60_000 });
    await provider.authorize(request, PROJECT);
    now = 24 * HOUR - 5 * 60_000 - 1;
    expect((await provider.authorize(request, PROJECT))['X-Auth-Token']).toBe('token-1');
    now += 1;
    expect((await provider.authorize(request, PROJECT))['X-Auth-Token']).toBe('token-2');
  });

  it('reads IAM microsecond timestamps and caps the margin at half a short token life', async () => {
    let now = Date.parse('2024-04-01T00:00:00Z');
    const iam = fakeIam([
      () =>
        new Response('{"token":{"expires_at":"2024-04-01T00:04:00.000000Z"}}', {
          status: 201,
          headers: { 'X-Subject-Token': 'short' },
        }),
    ]);
    const provider = auth({ fetch: iam.fetch, now: () => now });
    await provider.authorize(request, PROJECT);
    now += 119_000;
    expect((await provider.authorize(request, PROJECT))['X-Auth-Token']).toBe('short');
    now += 1_000;
    expect((await provider.authorize(request, PROJECT))['X-Auth-Token']).toBe('token-1');
  });

  it('measures the token life on the IAM clock when issued_at is present (local clock skew)', async () => {
    let now = Date.parse('2030-01-01T00:00:00Z');
    const iam = fakeIam([
      () =>
        new Response(
          '{"token":{"issued_at":"2024-04-01T00:00:00.000000Z","expires_at":"2024-04-02T00:00:00.000000Z"}}',
          { status: 201, headers: { 'X-Subject-Token': 'skewed' } },
        ),
    ]);
    const provider = auth({ fetch: iam.fetch, now: () => now });
    await provider.authorize(request, PROJECT);
    now += 23 * HOUR;
    expect((await provider.authorize(request, PROJECT))['X-Auth-Token']).toBe('skewed');
    expect(iam.calls).toHaveLength(1);
  });

  it('does not cache a token that is already expired by its own timestamps', async () => {
    const iam = fakeIam([
      () =>
        new Response('{"token":{"issued_at":"2024-04-02T00:00:00Z","expires_at":"2024-04-01T00:00:00Z"}}', {
          status: 201,
          headers: { 'X-Subject-Token': 'stale' },
        }),
    ]);
    const provider = auth({ fetch: iam.fetch, now: () => 0 });
    expect((await provider.authorize(request, PROJECT))['X-Auth-Token']).toBe('stale');
    expect((await provider.authorize(request, PROJECT))['X-Auth-Token']).toBe('token-1');
  });

  it('assumes fallbackTtlMs when expires_at is missing', async () => {
    let now = 0;
    const iam = fakeIam([() => new Response('', { status: 201, headers: { 'X-Subject-Token': 'no-expiry' } })]);
    const provider = auth({ fetch: iam.fetch, now: () => now, fallbackTtlMs: 10 * 60_000, refreshMarginMs: 60_000 });
    await provider.authorize(request, PROJECT);
    now = 9 * 60_000 - 1;
    expect((await provider.authorize(request, PROJECT))['X-Auth-Token']).toBe('no-expiry');
    now = 9 * 60_000;
    expect((await provider.authorize(request, PROJECT))['X-Auth-Token']).toBe('token-1');
  });

  it('forgets the token after a 401 so the next attempt fetches a new one', async () => {
    const iam = fakeIam();
    const provider = auth({ fetch: iam.fetch, now: () => 0 });
    await provider.authorize(request, PROJECT);
    await provider.authorize(request, OTHER);
    expect(provider.onUnauthorized?.(PROJECT)).toBe(true);
    expect((await provider.authorize(request, PROJECT))['X-Auth-Token']).toBe('token-3');
    expect((await provider.authorize(request, OTHER))['X-Auth-Token']).toBe('token-2');
    expect(iam.calls).toHaveLength(3);
  });

  it('drops only the token a 401 was for: a late 401 to an older token keeps the newer one (and its caller token)', async () => {
    const iam = fakeIam();
    let callerDrops = 0;
    const provider = createIamTokenAuth({
      iamEndpoint: 'https://iam.myhuaweicloud.com',
      mode: {
        kind: 'assume_role',
        agencyName: 'kms_agency',
        domainId: 'd'.repeat(32),
        callerToken: () => 'caller-token',
        onTokenRefused: () => {
          callerDrops += 1;
        },
      },
      fetch: iam.fetch,
      now: () => 0,
    });
    const first = await provider.authorize(request, PROJECT);
    expect(provider.onUnauthorized?.(PROJECT, first)).toBe(true);
    const second = await provider.authorize(request, PROJECT);
    expect(second['X-Auth-Token']).toBe('token-2');
    // The 401 of a request sent with token-1 before the refresh comes back now.
    expect(provider.onUnauthorized?.(PROJECT, first)).toBe(true);
    expect((await provider.authorize(request, PROJECT))['X-Auth-Token']).toBe('token-2');
    expect(iam.calls).toHaveLength(2);
    expect(callerDrops).toBe(1);
  });

  it('turns a 401 into a retryable IAM_AUTH error, remembered so that IAM is not asked again (lockout)', async () => {
    const iam = fakeIam([
      () =>
        new Response('{"error_msg":"The username or password is wrong.","error_code":"IAM.0004","request_id":"r-9"}', {
          status: 401,
        }),
    ]);
    const provider = auth({ fetch: iam.fetch });
    const err = await rejectionOf(provider.authorize(request, PROJECT));
    expect(err).toBeInstanceOf(IamError);
    expect(err).toMatchObject({
      code: 'IAM_AUTH',
      status: 401,
      retry: 'transient',
      huaweiCode: 'IAM.0004',
      requestId: 'r-9',
      operation: 'iam.token',
    });
    expect(JSON.stringify(err) + String(err)).not.toContain('P@ss-SECRET');
    // Another project, another batch: answered from memory, IAM is not asked again.
    const again = await rejectionOf(provider.authorize(request, 'b'.repeat(32)));
    expect(again).toMatchObject({ code: 'IAM_AUTH', status: 401, retry: 'transient' });
    expect(iam.calls).toHaveLength(1);
  });

  it.each([429, 500, 503])(
    'turns IAM %i into a retryable IAM_AUTH error, and does not cache the failure',
    async (status) => {
      const iam = fakeIam([() => new Response('{"error_code":"IAM.0001","error_msg":"busy"}', { status })]);
      const provider = auth({ fetch: iam.fetch });
      const err = await rejectionOf(provider.authorize(request, PROJECT));
      expect(err).toMatchObject({ code: 'IAM_AUTH', status, retryable: true });
      expect((await provider.authorize(request, PROJECT))['X-Auth-Token']).toBe('token-1');
    },
  );

  it('turns a network failure into a retryable IAM_AUTH error (status 0, network)', async () => {
    const fetch: typeof globalThis.fetch = async () => {
      throw new TypeError('fetch failed', { cause: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }) });
    };
    const err = await rejectionOf(auth({ fetch }).authorize(request, PROJECT));
    expect(err).toMatchObject({ code: 'IAM_AUTH', status: 0, retryable: true });
    expect(classifyError(err).kind).toBe('network');
  });

  it('rejects a 2xx without X-Subject-Token as permanent', async () => {
    const iam = fakeIam([() => new Response('{}', { status: 201 })]);
    const err = await rejectionOf(auth({ fetch: iam.fetch }).authorize(request, PROJECT));
    expect(err).toMatchObject({ code: 'IAM_AUTH', status: 201, retryable: false });
  });

  it('does not follow redirects with the password', async () => {
    let redirect: RequestInit['redirect'];
    const fetch: typeof globalThis.fetch = async (_input, init) => {
      redirect = init?.redirect;
      return new Response(null, { status: 302, headers: { location: 'https://evil.example/' } });
    };
    const err = await rejectionOf(auth({ fetch }).authorize(request, PROJECT));
    expect(redirect).toBe('manual');
    expect(err).toMatchObject({ code: 'IAM_AUTH', status: 302, retryable: false });
  });

  it("lets one caller give up without failing the others' shared fetch", async () => {
    let release: (() => void) | undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const iam = fakeIam([
      async () => {
        await gate;
        return new Response('{}', { status: 201, headers: { 'X-Subject-Token': 'slow' } });
      },
    ]);
    const provider = auth({ fetch: iam.fetch });
    const controller = new AbortController();
    const impatient = provider.authorize(request, PROJECT, controller.signal);
    const patient = provider.authorize(request, PROJECT);
    controller.abort(new Error('gave up'));
    await expect(impatient).rejects.toThrow('gave up');
    release?.();
    await expect(patient).resolves.toMatchObject({ 'X-Auth-Token': 'slow' });
    expect(iam.calls).toHaveLength(1);
  });

  it('refuses unsafe endpoints and incomplete agency settings at creation', () => {
    expect(() => createIamTokenAuth({ iamEndpoint: 'http://iam.example.com', mode: password })).toThrow(/plain http/);
    expect(() =>
      createIamTokenAuth({
        iamEndpoint: 'https://iam.example.com',
        mode: { kind: 'assume_role', agencyName: 'a', callerToken: () => 't' },
      }),
    ).toThrow(/domainName or domainId/);
  });
});
