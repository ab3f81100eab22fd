// Fault injection, seeded chaos, rate limiting and the call log, over real HTTP.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_EMULATOR_ACCOUNT as ACC,
  FAULT_PRESETS,
  startKmsEmulator,
  type KmsEmulator,
  type KmsEmulatorOptions,
} from '../../emulator/kms-emulator.ts';
import { iamTokenRequest, passwordBody, signedFetch, type ApiResponse, type SignedCall } from './huawei-client.ts';

const START = Date.UTC(2025, 0, 15, 12, 0, 0);
const PID = ACC.projectId;
let clock = START;
let emu: KmsEmulator;
let keyId = '';

beforeAll(async () => {
  emu = await startKmsEmulator({ now: () => clock });
});
afterAll(() => emu.stop());
beforeEach(() => {
  emu.reset();
  clock = START;
  keyId = emu.state.createKey(PID).key_id;
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
const createAlias = (alias: string, extra: Partial<SignedCall> = {}, target: KmsEmulator = emu): Promise<ApiResponse> =>
  send(target, { method: 'POST', path: `/v1.0/${PID}/kms/aliases`, body: { key_id: keyId, alias }, ...extra });
const describeKey = (target: KmsEmulator, id: string): Promise<ApiResponse> =>
  send(target, { method: 'POST', path: `/v1.0/${PID}/kms/describe-key`, body: { key_id: id } });

async function withEmulator(options: KmsEmulatorOptions, run: (e: KmsEmulator) => Promise<void>): Promise<void> {
  const e = await startKmsEmulator({ now: () => clock, ...options });
  try {
    await run(e);
  } finally {
    await e.stop();
  }
}

describe('fault rules', () => {
  it('answers 429 APIGW.0308 with the gateway body `times` times, then recovers', async () => {
    const rule = emu.faults.add({ operation: 'createAlias', times: 1, action: FAULT_PRESETS.throttle });
    const throttled = await createAlias('alias/a');
    expect(throttled.status).toBe(429);
    expect(throttled.json).toEqual({
      error_msg: 'The throttling threshold has been reached: policy user over ratelimit,limit:20,time:1 second',
      error_code: 'APIGW.0308',
      request_id: throttled.headers.get('x-request-id'),
    });
    expect(emu.state.aliasesOf(keyId)).toEqual([]);
    expect((await createAlias('alias/a')).status).toBe(201);
    expect(rule.fired).toBe(1);
    expect(emu.calls.map((c) => [c.status, c.fault, c.huaweiCode])).toEqual([
      [429, 'status 429 APIGW.0308', 'APIGW.0308'],
      [201, undefined, undefined],
    ]);
  });

  it('injects 500 (nested KMS body) and 502/503/504 (flat gateway bodies)', async () => {
    emu.faults.add({ times: 1, action: FAULT_PRESETS.internal });
    emu.faults.add({ times: 1, action: FAULT_PRESETS.badGateway });
    emu.faults.add({ times: 1, action: FAULT_PRESETS.unavailable });
    emu.faults.add({ times: 1, action: { status: 504, code: 'APIGW.0203', message: 'Backend timeout' } });
    const internal = await createAlias('alias/x');
    expect(internal.status).toBe(500);
    expect(internal.json).toEqual({ error: { error_code: 'KMS.0101', error_msg: 'kms error.' } });
    for (const [status, code] of [
      [502, 'APIGW.0202'],
      [503, 'APIGW.0202'],
      [504, 'APIGW.0203'],
    ] as const) {
      const res = await createAlias('alias/x');
      expect(res.status).toBe(status);
      expect(res.json).toMatchObject({ error_code: code, request_id: res.headers.get('x-request-id') });
    }
    expect((await createAlias('alias/x')).status).toBe(201);
  });

  it('resets the connection without running the operation', async () => {
    emu.faults.add({ operation: 'createAlias', times: 1, action: { kind: 'reset' } });
    await expect(createAlias('alias/r')).rejects.toThrow();
    expect(emu.state.aliasesOf(keyId)).toEqual([]);
    expect(emu.calls[0]).toMatchObject({ operation: 'createAlias', status: 0, fault: 'reset', alias: 'alias/r' });
  });

  it('hangs past the client timeout; by default the change still happens, with apply:false it does not', async () => {
    emu.faults.add({ operation: 'createAlias', times: 1, action: { kind: 'hang', ms: 300 } });
    emu.faults.add({ operation: 'createAlias', times: 1, action: { kind: 'hang', ms: 300, apply: false } });
    const applied = createAlias('alias/applied', { signal: AbortSignal.timeout(100) });
    const dropped = createAlias('alias/dropped', { signal: AbortSignal.timeout(100) });
    await expect(applied).rejects.toThrow();
    await expect(dropped).rejects.toThrow();
    expect(emu.state.aliasesOf(keyId)).toEqual([]);
    await new Promise((r) => setTimeout(r, 350));
    expect(emu.state.aliasesOf(keyId)).toEqual(['alias/applied']);
    expect(emu.calls.map((c) => [c.alias, c.fault, c.status])).toEqual([
      ['alias/applied', 'hang 300ms', 0],
      ['alias/dropped', 'hang 300ms', 0],
    ]);
  });

  it('adds latency per rule and per emulator (latencyMs)', async () => {
    emu.faults.add({ times: 1, action: { kind: 'latency', ms: 150 } });
    let t = performance.now();
    expect((await describeKey(emu, keyId)).status).toBe(200);
    expect(performance.now() - t).toBeGreaterThanOrEqual(140);
    expect(emu.calls[0]?.fault).toBe('latency 150ms');

    await withEmulator({ latencyMs: 120 }, async (slow) => {
      const k = slow.state.createKey(PID).key_id;
      t = performance.now();
      expect((await describeKey(slow, k)).status).toBe(200);
      expect(performance.now() - t).toBeGreaterThanOrEqual(110);
    });
  });
});

describe('seeded chaos', () => {
  async function chaosRun(seed: number): Promise<number[]> {
    const statuses: number[] = [];
    await withEmulator({}, async (e) => {
      const k = e.state.createKey(PID).key_id;
      e.faults.chaos({ seed, rate: 0.3, kinds: ['throttle', 'internal', 'gatewayTimeout', 'reset'] });
      for (let i = 0; i < 40; i++) {
        statuses.push(
          await describeKey(e, k).then(
            (r) => r.status,
            () => 0,
          ),
        );
      }
      expect(e.calls.map((c) => c.status)).toEqual(statuses);
    });
    return statuses;
  }

  it('injects the same faults for the same seed, different ones for another seed', async () => {
    const a = await chaosRun(42);
    const b = await chaosRun(42);
    const c = await chaosRun(7);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const faulted = a.filter((s) => s !== 200).length;
    expect(faulted).toBeGreaterThan(3);
    expect(faulted).toBeLessThan(25);
    expect(new Set(a.filter((s) => s !== 200)).size).toBeGreaterThan(1);
  });
});

describe('rate limit', () => {
  it('throttles a principal above 20 calls in one second, per principal, with the gateway 429 body', async () => {
    await withEmulator({ rateLimit: { perSecond: 20 } }, async (e) => {
      const k = e.state.createKey(PID).key_id;
      const burst = await Promise.all(Array.from({ length: 25 }, () => describeKey(e, k)));
      expect(burst.filter((r) => r.status === 200)).toHaveLength(20);
      const throttled = burst.filter((r) => r.status === 429);
      expect(throttled).toHaveLength(5);
      expect(throttled[0]?.json).toMatchObject({
        error_code: 'APIGW.0308',
        error_msg: 'The throttling threshold has been reached: policy user over ratelimit,limit:20,time:1 second',
      });
      expect(e.calls.filter((c) => c.status === 429 && c.huaweiCode === 'APIGW.0308')).toHaveLength(5);
      // Another principal has its own budget; the next second starts a new window.
      const temp = await send(e, {
        method: 'POST',
        path: `/v1.0/${PID}/kms/describe-key`,
        body: { key_id: k },
        ak: ACC.temporary.ak,
        sk: ACC.temporary.sk,
        securityToken: ACC.temporary.securityToken,
      });
      expect(temp.status).toBe(200);
      clock += 1000;
      expect((await describeKey(e, k)).status).toBe(200);
    });
  });
});

describe('call log', () => {
  it('records operation, principal, status, code, key and aliases of every request', async () => {
    await iamTokenRequest(emu.url, passwordBody(ACC.user.name, ACC.user.password, ACC.domainName, 'cn-north-4'));
    await createAlias('alias/one');
    await createAlias('alias/one');
    await send(emu, {
      method: 'DELETE',
      path: `/v1.0/${PID}/kms/aliases`,
      body: { key_id: keyId, aliases: ['alias/one'] },
    });
    await send(emu, { method: 'GET', path: '/nowhere' });
    expect(emu.calls).toEqual([
      expect.objectContaining({
        operation: 'iamToken',
        method: 'POST',
        path: '/v3/auth/tokens',
        status: 201,
        principal: ACC.user.name,
      }),
      expect.objectContaining({
        operation: 'createAlias',
        status: 201,
        principal: ACC.permanent.ak,
        keyId,
        alias: 'alias/one',
        at: START,
      }),
      expect.objectContaining({ operation: 'createAlias', status: 400, huaweiCode: 'KMS.0308' }),
      expect.objectContaining({
        operation: 'deleteAlias',
        method: 'DELETE',
        status: 204,
        keyId,
        aliases: ['alias/one'],
      }),
      expect.objectContaining({ operation: 'unknown', status: 404, huaweiCode: 'APIGW.0101' }),
    ]);
    expect(new Set(emu.calls.map((c) => c.requestId)).size).toBe(5);
    emu.resetCalls();
    expect(emu.calls).toHaveLength(0);
  });
});
