// Gateway authentication over real HTTP: AK/SK signed by the official signer, IAM tokens.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_EMULATOR_ACCOUNT as ACC,
  startKmsEmulator,
  type EmulatorAccount,
  type KmsEmulator,
} from '../../emulator/kms-emulator.ts';
import {
  assumeRoleBody,
  iamTokenRequest,
  passwordBody,
  signedFetch,
  tokenFetch,
  type ApiResponse,
  type SignedCall,
} from './huawei-client.ts';

const START = Date.UTC(2025, 0, 15, 12, 0, 0);
const SECOND_PROJECT = ACC.projects[1]?.id ?? '';
const OTHER: EmulatorAccount = {
  domainId: 'f0e1d2c3b4a5968778695a4b3c2d1e0f',
  domainName: 'other-account',
  projects: [{ id: '11112222333344445555666677778888', name: 'cn-north-4' }],
  credentials: [{ ak: 'OTHERACCOUNTAK000001', sk: 'otherAccountSecretKey' }],
  users: [{ name: 'outsider', password: 'outsider-pw' }],
};

let clock = START;
let emu: KmsEmulator;
let keyId = '';

beforeAll(async () => {
  emu = await startKmsEmulator({ now: () => clock, accounts: [ACC, OTHER] });
});
afterAll(() => emu.stop());
beforeEach(() => {
  emu.reset();
  clock = START;
  keyId = emu.state.createKey(ACC.projectId, { key_alias: 'k1' }).key_id;
});

type CallInput = Partial<SignedCall> & Pick<SignedCall, 'method' | 'path'>;

function call(input: CallInput): Promise<ApiResponse> {
  return signedFetch(emu.url, {
    ak: ACC.permanent.ak,
    sk: ACC.permanent.sk,
    projectId: ACC.projectId,
    dateMs: clock,
    ...input,
  });
}

const aliases = (pid: string = ACC.projectId): string => `/v1.0/${pid}/kms/aliases`;
const createAlias = (alias: string, extra: Partial<SignedCall> = {}): Promise<ApiResponse> =>
  call({ method: 'POST', path: aliases(), body: { key_id: keyId, alias }, ...extra });

function expectGatewayError(res: ApiResponse, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(res.json).toEqual({
    error_msg: expect.any(String),
    error_code: code,
    request_id: res.headers.get('x-request-id'),
  });
}

describe('AK/SK signed requests', () => {
  it('accepts a request signed by the official signer and answers like the gateway', async () => {
    const res = await createAlias('alias/app-one');
    expect(res.status).toBe(201);
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
    expect(res.headers.get('server')).toBe('api-gateway');
    expect(res.json).toMatchObject({
      key_id: keyId,
      alias: 'alias/app-one',
      domain_id: ACC.domainId,
      alias_urn: `kms:cn-north-4:${ACC.domainId}:alias:alias/app-one`,
    });
    // GET with a query that needs encoding (slash and space in the marker).
    const list = await call({
      method: 'GET',
      path: aliases(),
      query: { key_id: keyId, limit: '10', marker: 'alias/a b' },
    });
    expect(list.status).toBe(200);
    expect(emu.state.aliasesOf(keyId)).toEqual(['alias/app-one']);
  });

  it('rejects a tampered body with 401 APIGW.0301 and changes nothing', async () => {
    const res = await createAlias('alias/signed', {
      tamper: (r) => {
        r.body = JSON.stringify({ key_id: keyId, alias: 'alias/tampered' });
      },
    });
    expectGatewayError(res, 401, 'APIGW.0301');
    expect((res.json as { error_msg: string }).error_msg).toMatch(
      /^Incorrect IAM authentication information: verify aksk signature fail/,
    );
    expect(emu.state.aliasesOf(keyId)).toEqual([]);
  });

  it('rejects a tampered path, query or signed header', async () => {
    const path = await call({
      method: 'POST',
      path: `/v1.0/${ACC.projectId}/kms/describe-key`,
      body: { key_id: keyId },
      tamper: (r) => {
        r.path = `/v1.0/${ACC.projectId}/kms/list-keys`;
      },
    });
    expectGatewayError(path, 401, 'APIGW.0301');
    const query = await call({
      method: 'GET',
      path: aliases(),
      query: { limit: '5' },
      tamper: (r) => {
        r.query = 'limit=6';
      },
    });
    expectGatewayError(query, 401, 'APIGW.0301');
    const header = await createAlias('alias/h', {
      tamper: (r) => {
        r.headers['content-type'] = 'application/json;charset=UTF-8';
      },
    });
    expectGatewayError(header, 401, 'APIGW.0301');
  });

  it('rejects a wrong SK and an unknown AK', async () => {
    expectGatewayError(await createAlias('alias/x', { sk: 'not-the-secret' }), 401, 'APIGW.0301');
    expectGatewayError(await createAlias('alias/x', { ak: 'UNKNOWNAK00000000000' }), 401, 'APIGW.0301');
  });

  it('answers APIGW.0303 when X-Sdk-Date is more than 15 minutes off the emulator clock', async () => {
    const late = await createAlias('alias/late', { dateMs: clock - 16 * 60_000 });
    expectGatewayError(late, 401, 'APIGW.0303');
    expect((late.json as { error_msg: string }).error_msg).toContain('signature time:');
    expect((await createAlias('alias/early', { dateMs: clock + 14 * 60_000 })).status).toBe(201);
  });

  it('requires a signed, matching X-Security-Token for a temporary AK', async () => {
    const temp = { ak: ACC.temporary.ak, sk: ACC.temporary.sk };
    expectGatewayError(await createAlias('alias/t1', temp), 401, 'APIGW.0301');
    expectGatewayError(await createAlias('alias/t1', { ...temp, securityToken: 'wrong-token' }), 401, 'APIGW.0301');
    const unsigned = await createAlias('alias/t1', {
      ...temp,
      tamper: (r) => {
        r.headers['X-Security-Token'] = ACC.temporary.securityToken;
      },
    });
    expectGatewayError(unsigned, 401, 'APIGW.0301');
    const ok = await createAlias('alias/t1', { ...temp, securityToken: ACC.temporary.securityToken });
    expect(ok.status).toBe(201);
    expect(emu.calls.at(-1)?.principal).toBe(ACC.temporary.ak);
  });

  it("answers 403 when the signed X-Project-Id or the path project is not the caller's", async () => {
    expectGatewayError(await createAlias('alias/p', { projectId: SECOND_PROJECT }), 403, 'APIGW.0302');
    const foreign = await call({
      method: 'GET',
      path: aliases(OTHER.projects[0]?.id),
      projectId: OTHER.projects[0]?.id ?? '',
    });
    expectGatewayError(foreign, 403, 'APIGW.0302');
    // The other account's own AK/SK works on its own project.
    const own = await call({
      method: 'GET',
      path: aliases(OTHER.projects[0]?.id),
      projectId: OTHER.projects[0]?.id ?? '',
      ak: 'OTHERACCOUNTAK000001',
      sk: 'otherAccountSecretKey',
    });
    expect(own.status).toBe(200);
  });
});

describe('IAM tokens', () => {
  const userToken = async (projectName = 'cn-north-4'): Promise<string> => {
    const res = await iamTokenRequest(
      emu.url,
      passwordBody(ACC.user.name, ACC.user.password, ACC.domainName, projectName),
    );
    expect(res.status).toBe(201);
    return res.token ?? '';
  };

  it('issues a password token (201, X-Subject-Token, keystone-style body) that KMS accepts', async () => {
    const res = await iamTokenRequest(
      emu.url,
      passwordBody(ACC.user.name, ACC.user.password, ACC.domainName, 'cn-north-4'),
    );
    expect(res.status).toBe(201);
    expect(res.token).toMatch(/^MII/);
    expect(res.json).toMatchObject({
      token: {
        methods: ['password'],
        issued_at: '2025-01-15T12:00:00.000000Z',
        expires_at: '2025-01-16T12:00:00.000000Z',
        project: { id: ACC.projectId, name: 'cn-north-4', domain: { id: ACC.domainId, name: ACC.domainName } },
        user: { name: ACC.user.name, domain: { id: ACC.domainId } },
      },
    });
    const list = await tokenFetch(emu.url, { method: 'GET', path: aliases(), token: res.token ?? '' });
    expect(list.status).toBe(200);
    expect(emu.calls.at(-1)).toMatchObject({ operation: 'listAliases', principal: ACC.user.name, status: 200 });
  });

  it("rejects a wrong password with IAM's keystone body", async () => {
    const res = await iamTokenRequest(emu.url, passwordBody(ACC.user.name, 'nope', ACC.domainName, 'cn-north-4'));
    expect(res.status).toBe(401);
    expect(res.token).toBeNull();
    expect(res.json).toEqual({ error: { code: 401, message: expect.any(String), title: 'Unauthorized' } });
  });

  it("issues an agency token through assume_role with the caller's own token", async () => {
    const body = assumeRoleBody(ACC.domainName, ACC.agencyName, 'cn-north-4');
    expect((await iamTokenRequest(emu.url, body)).status).toBe(401);
    const caller = await userToken();
    const res = await iamTokenRequest(emu.url, body, caller);
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      token: {
        methods: ['assume_role'],
        user: { name: `${ACC.domainName}/${ACC.agencyName}` },
        assumed_by: { user: { name: ACC.user.name } },
      },
    });
    const created = await tokenFetch(emu.url, {
      method: 'POST',
      path: aliases(),
      token: res.token ?? '',
      body: { key_id: keyId, alias: 'alias/via-agency' },
    });
    expect(created.status).toBe(201);
    const unknownAgency = await iamTokenRequest(
      emu.url,
      assumeRoleBody(ACC.domainName, 'no_such_agency', 'cn-north-4'),
      caller,
    );
    expect(unknownAgency.status).toBe(403);
  });

  it('rejects expired tokens (clock past the lifetime, or expireAllTokens) with 401 APIGW.0301', async () => {
    const token = await userToken();
    clock += 24 * 3_600_000 + 1000;
    expectGatewayError(await tokenFetch(emu.url, { method: 'GET', path: aliases(), token }), 401, 'APIGW.0301');
    const fresh = await userToken();
    expect((await tokenFetch(emu.url, { method: 'GET', path: aliases(), token: fresh })).status).toBe(200);
    emu.expireAllTokens();
    expectGatewayError(await tokenFetch(emu.url, { method: 'GET', path: aliases(), token: fresh }), 401, 'APIGW.0301');
    expectGatewayError(
      await tokenFetch(emu.url, { method: 'GET', path: aliases(), token: 'MIIbogus' }),
      401,
      'APIGW.0301',
    );
  });

  it('rejects a token scoped to another project with 403', async () => {
    const token = await userToken('ap-southeast-1');
    expectGatewayError(await tokenFetch(emu.url, { method: 'GET', path: aliases(), token }), 403, 'APIGW.0302');
    expect((await tokenFetch(emu.url, { method: 'GET', path: aliases(SECOND_PROJECT), token })).status).toBe(200);
  });
});

describe('AK lockout (lockAfterAuthFailures)', () => {
  it('locks an AK for 5 minutes after 5 consecutive failures', async () => {
    let t = START;
    const locking = await startKmsEmulator({ now: () => t, lockAfterAuthFailures: true });
    try {
      const key = locking.state.createKey(ACC.projectId).key_id;
      const send = (sk: string): Promise<ApiResponse> =>
        signedFetch(locking.url, {
          method: 'POST',
          path: aliases(),
          body: { key_id: key, alias: 'alias/l' },
          ak: ACC.permanent.ak,
          sk,
          dateMs: t,
        });
      for (let i = 0; i < 5; i++) expect((await send('bad')).status).toBe(401);
      const locked = await send(ACC.permanent.sk);
      expect(locked.status).toBe(401);
      expect(locked.json).toMatchObject({ error_code: 'APIGW.0301', error_msg: expect.stringContaining('locked') });
      t += 5 * 60_000 + 1000;
      expect((await send(ACC.permanent.sk)).status).toBe(201);
    } finally {
      await locking.stop();
    }
  });
});
