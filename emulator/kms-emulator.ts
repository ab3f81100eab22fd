// A local Huawei KMS + IAM emulator: one HTTP server that plays API Gateway (routing, AK/SK and
// token authentication, throttling, fault injection) in front of the KMS alias/key API and the IAM
// token endpoint. Contract: shared/reference/huawei-kms-api.md. Independent of lib/ on purpose, so a
// bug in the project's own signer or client cannot be mirrored here.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { AccountDirectory, type AkSkCredential, DEFAULT_EMULATOR_ACCOUNT, type EmulatorAccount } from './accounts.ts';
import { AuthLockout, DEFAULT_LOCKOUT_POLICY, type LockoutPolicy } from './auth-lockout.ts';
import { authenticateKmsRequest, claimedPrincipal } from './auth.ts';
import { errorBody, gatewayError, HuaweiError, kmsError } from './error-bodies.ts';
import { describeFault, FaultInjector } from './faults.ts';
import { readBody, sendResponse } from './http-io.ts';
import { DEFAULT_TOKEN_TTL_MS, iamPrincipalHint, issueToken, TokenStore } from './iam.ts';
import { newRequestId } from './ids.ts';
import { callTarget, DEFAULT_KMS_API_OPTIONS, handleKmsRequest, type KmsApiOptions } from './kms-api.ts';
import { KmsState, type CreateKeyInput } from './kms-state.ts';
import { RateLimiter, type RateLimitOptions } from './rate-limit.ts';
import { route } from './router.ts';
import type { AliasEntity, CallRecord, KeyDetails, KeyState, Operation } from './types.ts';
import { MAX_CLOCK_SKEW_MS } from './verify-signature.ts';

export interface KmsEmulatorOptions {
  /** Default 0 (a free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Accounts served; default `[DEFAULT_EMULATOR_ACCOUNT]`. Include it explicitly to keep it alongside yours. */
  accounts?: readonly EmulatorAccount[];
  /** Emulator clock (epoch ms) for X-Sdk-Date skew, token expiry, key visibility and rate windows. */
  now?: () => number;
  /** IAM token lifetime; default 24 h (reference §5a). */
  tokenTtlMs?: number;
  /** Allowed X-Sdk-Date skew; default 15 min (reference §5b). */
  maxClockSkewMs?: number;
  /** Lock an AK after repeated auth failures (reference §3): `true` = 5 failures → 5 min. Default off. */
  lockAfterAuthFailures?: boolean | Partial<LockoutPolicy>;
  /** Per-principal requests per second (reference §4: KMS TPS is 20). Default: no limit. */
  rateLimit?: RateLimitOptions;
  /** Extra delay before every KMS answer. */
  latencyMs?: number;
  /** Seed of the generator behind probabilistic fault rules. Default 1. */
  seed?: number | string;
  listAliasesShape?: KmsApiOptions['listAliasesShape'];
  requireAliasPrefix?: boolean;
  keyNotFoundStatus?: number;
  duplicateAliasCode?: string;
  aliasLimitCode?: string;
  maxAliasesPerKey?: number;
}

/** Direct access to the emulator's data, bypassing the API and its validation. */
export interface EmulatorStateControls {
  createKey(projectId: string, input?: CreateKeyInput): KeyDetails;
  getKey(keyId: string): KeyDetails | undefined;
  keys(projectId?: string): KeyDetails[];
  setKeyState(keyId: string, state: KeyState): void;
  deleteKey(keyId: string): boolean;
  /** Alias names of a key, sorted. */
  aliasesOf(keyId: string): string[];
  allAliases(projectId?: string): AliasEntity[];
  /** Creates (or re-points) an alias without any checks, e.g. to seed a conflict. */
  putAlias(projectId: string, keyId: string, alias: string): AliasEntity;
}

export interface KmsEmulator {
  /** e.g. `http://127.0.0.1:43817`; serves KMS and IAM (`/v3/auth/tokens`). */
  readonly url: string;
  readonly port: number;
  readonly accounts: readonly EmulatorAccount[];
  readonly state: EmulatorStateControls;
  /** Live log of every request, in arrival order. */
  readonly calls: readonly CallRecord[];
  resetCalls(): void;
  readonly faults: FaultInjector;
  expireAllTokens(): void;
  /** Revokes the AK `oldAk` and accepts `next` instead (see AccountDirectory.rotateCredential). */
  rotateCredential(oldAk: string, next: AkSkCredential): void;
  /** Forget keys, aliases, tokens, calls, faults, rate windows and lockouts. */
  reset(): void;
  stop(): Promise<void>;
}

function lockoutFrom(option: KmsEmulatorOptions['lockAfterAuthFailures']): AuthLockout | undefined {
  if (option === undefined || option === false) return undefined;
  const custom = option === true ? {} : option;
  return new AuthLockout({
    failures: custom.failures ?? DEFAULT_LOCKOUT_POLICY.failures,
    lockMs: custom.lockMs ?? DEFAULT_LOCKOUT_POLICY.lockMs,
  });
}

function singleHeader(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value.trim() : undefined;
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

export async function startKmsEmulator(options: KmsEmulatorOptions = {}): Promise<KmsEmulator> {
  const now = options.now ?? Date.now;
  const directory = new AccountDirectory(options.accounts ?? [DEFAULT_EMULATOR_ACCOUNT]);
  const state = new KmsState(directory, now);
  const tokens = new TokenStore();
  const faults = new FaultInjector(options.seed ?? 1);
  const limiter = options.rateLimit ? new RateLimiter(options.rateLimit, now) : undefined;
  const lockout = lockoutFrom(options.lockAfterAuthFailures);
  const tokenTtlMs = options.tokenTtlMs ?? DEFAULT_TOKEN_TTL_MS;
  const maxSkewMs = options.maxClockSkewMs ?? MAX_CLOCK_SKEW_MS;
  const latencyMs = options.latencyMs ?? 0;
  const apiOptions: KmsApiOptions = {
    requireAliasPrefix: options.requireAliasPrefix ?? DEFAULT_KMS_API_OPTIONS.requireAliasPrefix,
    listAliasesShape: options.listAliasesShape ?? DEFAULT_KMS_API_OPTIONS.listAliasesShape,
    keyNotFoundStatus: options.keyNotFoundStatus ?? DEFAULT_KMS_API_OPTIONS.keyNotFoundStatus,
    duplicateAliasCode: options.duplicateAliasCode ?? DEFAULT_KMS_API_OPTIONS.duplicateAliasCode,
    aliasLimitCode: options.aliasLimitCode ?? DEFAULT_KMS_API_OPTIONS.aliasLimitCode,
    maxAliasesPerKey: options.maxAliasesPerKey ?? DEFAULT_KMS_API_OPTIONS.maxAliasesPerKey,
  };
  const calls: CallRecord[] = [];
  // Aborted by stop(): ends pending hang/latency waits so the server can close.
  const stopping = new AbortController();
  const delay = (ms: number): Promise<void> => sleep(ms, undefined, { signal: stopping.signal });
  let baseUrl = '';

  /** Runs the fault picked for this call; false when the request must not go further. */
  async function applyFault(operation: Operation, record: CallRecord, req: IncomingMessage): Promise<boolean> {
    const action = faults.pick(operation);
    if (!action) return true;
    record.fault = describeFault(action);
    switch (action.kind) {
      case 'reset':
        req.socket.resetAndDestroy();
        return false;
      case 'hang':
        await delay(action.ms);
        if (action.apply === false) {
          req.socket.destroy();
          return false;
        }
        return true;
      case 'latency':
        await delay(action.ms);
        return true;
      default:
        throw new HuaweiError(action.status, action.code, action.message, action.shape ?? 'flat');
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = newRequestId();
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const pathname = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1));
    const method = (req.method ?? 'GET').toUpperCase();
    const { operation, projectId } = route(method, pathname);
    const record: CallRecord = { at: now(), method, path: pathname, operation, status: 0, principal: '', requestId };
    calls.push(record);

    const respond = (status: number, body: unknown, headers?: Readonly<Record<string, string>>): void => {
      if (sendResponse(res, status, body, requestId, headers)) record.status = status;
    };

    try {
      const body = await readBody(req);
      if (body === undefined) throw gatewayError.entityTooLarge();
      // Gateway order: route (APIGW.0101), authenticate, throttle, then the backend (reference §3).
      if (operation === 'unknown') throw gatewayError.apiNotFound();

      if (operation === 'iamToken') {
        record.principal = iamPrincipalHint(body) || claimedPrincipal(req.headers, tokens);
        if (!(await applyFault(operation, record, req))) return;
        const result = issueToken(body, query, singleHeader(req, 'x-auth-token'), {
          directory,
          tokens,
          nowMs: now(),
          ttlMs: tokenTtlMs,
          baseUrl,
        });
        record.principal = result.principal;
        respond(result.status, result.body, { 'X-Subject-Token': result.subjectToken });
        return;
      }

      const pathProjectId = projectId ?? '';
      Object.assign(record, callTarget(operation, body, query));
      record.principal = claimedPrincipal(req.headers, tokens);
      const identity = authenticateKmsRequest({ method, rawUrl, headers: req.headers, body }, pathProjectId, {
        directory,
        tokens,
        lockout,
        nowMs: now(),
        maxSkewMs,
      });
      record.principal = identity.principal;
      if (limiter && !limiter.take(identity.principal)) throw gatewayError.throttled(limiter.perSecond);
      if (!(await applyFault(operation, record, req))) return;
      if (latencyMs > 0) await delay(latencyMs);

      const project = directory.project(pathProjectId)?.project;
      if (!project) throw gatewayError.forbidden(`project ${pathProjectId} is not accessible`); // unreachable after auth
      const result = handleKmsRequest({ operation, project, query, body }, state, apiOptions);
      if (result.keyId !== undefined) record.keyId = result.keyId;
      respond(result.status, result.body);
    } catch (error) {
      if (isAbort(error)) return; // the emulator is stopping
      let huaweiError: HuaweiError;
      if (error instanceof HuaweiError) {
        huaweiError = error;
      } else {
        huaweiError = kmsError.internal();
        record.internalError = error instanceof Error ? error.message : String(error);
      }
      record.huaweiCode = huaweiError.code;
      respond(huaweiError.status, errorBody(huaweiError, requestId));
    }
  }

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://${host}:${port}`;

  let stopped: Promise<void> | undefined;

  return {
    url: baseUrl,
    port,
    accounts: directory.accounts,
    state: {
      createKey: (projectId, input) => state.createKey(projectId, input),
      getKey: (keyId) => {
        const key = state.key(keyId);
        return key ? { ...key.details } : undefined;
      },
      keys: (projectId) => state.allKeys(projectId),
      setKeyState: (keyId, keyState) => state.setKeyState(keyId, keyState),
      deleteKey: (keyId) => state.deleteKey(keyId),
      aliasesOf: (keyId) => state.aliasesOfKey(keyId).map((a) => a.alias),
      allAliases: (projectId) => state.aliasesIn(projectId),
      putAlias: (projectId, keyId, alias) => state.putAlias(projectId, keyId, alias),
    },
    calls,
    resetCalls: () => {
      calls.length = 0;
    },
    faults,
    expireAllTokens: () => tokens.expireAll(now()),
    rotateCredential: (oldAk, next) => directory.rotateCredential(oldAk, next),
    reset: () => {
      state.reset();
      tokens.clear();
      calls.length = 0;
      faults.reset();
      limiter?.reset();
      lockout?.reset();
    },
    stop: () => {
      stopped ??= new Promise<void>((resolve) => {
        stopping.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}

export { DEFAULT_EMULATOR_ACCOUNT } from './accounts.ts';
export type { DefaultEmulatorAccount } from './accounts.ts';
export type { AkSkCredential, Agency, EmulatorAccount, IamUser, ProjectRef } from './accounts.ts';
export type { ChaosKind, ChaosOptions, FaultAction, FaultHandle, FaultRule } from './faults.ts';
export { FAULT_PRESETS } from './faults.ts';
export type { CreateKeyInput } from './kms-state.ts';
export type { AliasEntity, CallRecord, KeyDetails, KeyState, KmsOperation, Operation } from './types.ts';
