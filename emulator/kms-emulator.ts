// A local Huawei KMS + IAM + SMN + CTS emulator: one HTTP server that plays API Gateway (routing,
// AK/SK and token authentication, throttling, fault injection) in front of the KMS alias/key API,
// the IAM token endpoint, SMN topics/subscriptions (with signed deliveries) and CTS key event
// notifications fed by KMS createKey. Contract: docs/huawei-kms.md. Independent of lib/ on purpose, so a
// bug in the project's own signer or client cannot be mirrored here.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AccountDirectory,
  type AkSkCredential,
  DEFAULT_EMULATOR_ACCOUNT,
  type EmulatorAccount,
  type ProjectRef,
} from './accounts.ts';
import { AuthLockout, DEFAULT_LOCKOUT_POLICY, type LockoutPolicy } from './auth-lockout.ts';
import { authenticateKmsRequest, claimedPrincipal, type Identity } from './auth.ts';
import { handleCtsRequest } from './cts-api.ts';
import { type CtsNotification, CtsNotificationStore, type CtsTrace } from './cts-notifications.ts';
import { createKeyTrace, keyDeletionTrace } from './cts-trace.ts';
import { replicateKey, replicateKeyTrace } from './replicate-key.ts';
import { errorBody, gatewayError, HuaweiError, kmsError } from './error-bodies.ts';
import { describeFault, FaultInjector } from './faults.ts';
import { readBody, sendResponse } from './http-io.ts';
import { DEFAULT_TOKEN_TTL_MS, iamPrincipalHint, issueToken, TokenStore } from './iam.ts';
import { assumeAgency } from './sts.ts';
import { newRequestId } from './ids.ts';
import { callTarget, DEFAULT_KMS_API_OPTIONS, handleKmsRequest, type KmsApiOptions } from './kms-api.ts';
import { DEFAULT_KEY_TAG_OPTIONS, KeyTagStore, type KeyTagOptions, type TagWrite } from './kms-tags.ts';
import { KeyEventBridge, type KeyEventStats } from './key-event-bridge.ts';
import { KmsState, type CreateKeyInput } from './kms-state.ts';
import { RateLimiter, type RateLimitOptions } from './rate-limit.ts';
import { route } from './router.ts';
import { createSigningIdentity } from './self-signed-cert.ts';
import { handleSmnRequest, type SmnApiOptions } from './smn-api.ts';
import { type DeliveryRecord, type DeliveryStats, SmnDeliverer, type SmnDeliveryOptions } from './smn-delivery.ts';
import { type PublishResult, SmnPublisher } from './smn-publisher.ts';
import { SmnState, type SmnSubscription, type SmnTopic, type SubscriptionStatus } from './smn-state.ts';
import {
  type AliasEntity,
  type CallRecord,
  isCtsOperation,
  isKmsOperation,
  isSmnOperation,
  type KeyDetails,
  type KeyState,
  type Operation,
} from './types.ts';
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
  /** IAM token lifetime; default 24 h (docs/huawei-kms.md#iam-tokens). */
  tokenTtlMs?: number;
  /** Allowed X-Sdk-Date skew; default 15 min (docs/huawei-kms.md#aksk-signing). */
  maxClockSkewMs?: number;
  /** Lock an AK after repeated auth failures (docs/huawei-kms.md#error-codes): `true` = 5 failures → 5 min. Default off. */
  lockAfterAuthFailures?: boolean | Partial<LockoutPolicy>;
  /** Per-principal requests per second (docs/huawei-kms.md#rate-limits: KMS TPS is 20). Default: no limit. */
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
  /** Key tags: what `create` does to an existing tag key (default `overwrites`), the limit, the count field. */
  tags?: Partial<KeyTagOptions>;
  /** SMN deliveries: retry delays (default 6 retries), whether 5xx is retried, timeouts; see smn-delivery.ts. */
  smn?: SmnDeliveryOptions & Partial<SmnApiOptions>;
  /** Answer ListAliases with the whole project, ignoring `key_id`. Default false. */
  ignoreAliasKeyFilter?: boolean;
}

/** SMN data and deliveries, for tests and the local run. */
export interface SmnControls {
  /** The PEM served at every `signing_cert_url`. */
  readonly certificatePem: string;
  certificateUrl(region: string): string;
  topics(projectId?: string): SmnTopic[];
  subscriptions(topicUrn?: string): SmnSubscription[];
  deleteSubscription(subscriptionUrn: string): boolean;
  setSubscriptionStatus(subscriptionUrn: string, status: SubscriptionStatus): void;
  /** Publishes to a topic as the publish API would. */
  publish(topicUrn: string, message: string, subject?: string): PublishResult;
  /** Live counters: queued, delivered, dropped, attempts, inFlight. */
  readonly deliveries: DeliveryStats;
  /** Every delivery attempt, in order. */
  readonly deliveryLog: readonly DeliveryRecord[];
  /** Resolves once no delivery is in flight. */
  idle(): Promise<void>;
}

/** CTS key event notifications and the traces createKey records. */
export interface CtsControls {
  notifications(projectId?: string): CtsNotification[];
  setNotificationStatus(notificationId: string, status: 'enabled' | 'disabled'): void;
  deleteNotification(notificationId: string): boolean;
  readonly traces: readonly CtsTrace[];
  /** traces, notified, published, missingTopic. */
  readonly stats: KeyEventStats;
  /** Resolves once every recorded trace is published and delivered (or dropped). */
  idle(): Promise<void>;
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

/** Key tags (emulator/kms-tags.ts), for tests and chaos. */
export interface TagControls {
  tagsOf(keyId: string): Array<{ key: string; value: string }>;
  /** Sets tags with no check and no write logged, e.g. to seed a conflict. */
  put(keyId: string, tags: Readonly<Record<string, string>>): void;
  /** Every tag value written through the API, in order. */
  readonly writes: readonly TagWrite[];
  /** Switches the reading of `create` on an existing tag key, the limit or the count field. */
  configure(options: Partial<KeyTagOptions>): void;
}

export interface KmsEmulator {
  readonly tags: TagControls;
  /** e.g. `http://127.0.0.1:43817`; serves KMS and IAM (`/v3/auth/tokens`). */
  readonly url: string;
  readonly port: number;
  readonly accounts: readonly EmulatorAccount[];
  readonly state: EmulatorStateControls;
  readonly smn: SmnControls;
  readonly cts: CtsControls;
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
    ignoreAliasKeyFilter: options.ignoreAliasKeyFilter === true,
  };
  const tagStore = new KeyTagStore({ ...DEFAULT_KEY_TAG_OPTIONS, ...options.tags });
  const calls: CallRecord[] = [];
  // Aborted by stop(): ends pending hang/latency waits so the server can close.
  const stopping = new AbortController();
  const delay = (ms: number): Promise<void> => sleep(ms, undefined, { signal: stopping.signal });
  let baseUrl = '';
  const smnState = new SmnState(now);
  const deliverer = new SmnDeliverer(options.smn ?? {}, stopping.signal);
  const publisher = new SmnPublisher(smnState, deliverer, createSigningIdentity(), () => baseUrl, now);
  const ctsStore = new CtsNotificationStore(now);
  const keyEvents = new KeyEventBridge(ctsStore, smnState, publisher, deliverer);
  const smnApiOptions: SmnApiOptions = { existingSubscriptionBody: options.smn?.existingSubscriptionBody ?? 'urn' };

  /** The unauthenticated links SMN puts in its messages (confirmation, unsubscribe, certificate). */
  function handleSmnLink(operation: Operation, query: URLSearchParams, res: ServerResponse, requestId: string) {
    if (operation === 'smnCertificate') {
      const pem = Buffer.from(publisher.certificatePem, 'utf8');
      res.writeHead(200, { 'Content-Type': 'application/x-pem-file', 'Content-Length': pem.length }).end(pem);
      return 200;
    }
    if (operation === 'smnConfirm') {
      const sub = smnState.confirm(query.get('token') ?? '');
      if (!sub) throw new HuaweiError(404, 'SMN.0020', 'The confirmation link is invalid or expired.', 'smn');
      sendResponse(res, 200, { request_id: requestId, subscription_urn: sub.subscription_urn }, requestId);
      return 200;
    }
    const sub = smnState.subscription(query.get('subscription_urn') ?? '');
    if (!sub) throw new HuaweiError(404, 'SMN.0021', 'The subscription does not exist.', 'smn');
    sub.status = 3;
    sendResponse(res, 200, { request_id: requestId, subscription_urn: sub.subscription_urn }, requestId);
    return 200;
  }

  /** createKey calls (answered or refused after authentication) leave a CTS trace. */
  function recordCreateKey(identity: Identity, projectId: string, body: Uint8Array, status: number, answer: unknown) {
    const project = directory.project(projectId)?.project;
    if (!project) return;
    const info = (answer as { key_info?: { key_id?: string } } | undefined)?.key_info;
    const keyAlias = (() => {
      try {
        const parsed = JSON.parse(Buffer.from(body).toString('utf8')) as { key_alias?: unknown };
        return typeof parsed.key_alias === 'string' ? parsed.key_alias : undefined;
      } catch {
        return undefined;
      }
    })();
    keyEvents.record(
      createKeyTrace({
        project,
        account: identity.account,
        principal: identity.principal,
        status,
        requestBody: Buffer.from(body).toString('utf8'),
        responseBody: answer,
        ...(info?.key_id === undefined ? {} : { keyId: info.key_id }),
        ...(keyAlias === undefined ? {} : { keyAlias }),
        atMs: now(),
      }),
      projectId,
    );
  }

  /** replicateKey calls leave a CTS trace in the project the call was made in (replicate-key.ts). */
  function recordReplicateKey(
    identity: Identity,
    project: ProjectRef,
    body: Uint8Array,
    status: number,
    answer: unknown,
    sourceKeyId: string | undefined,
  ) {
    keyEvents.record(
      replicateKeyTrace({
        project,
        account: identity.account,
        principal: identity.principal,
        status,
        requestBody: Buffer.from(body).toString('utf8'),
        responseBody: answer,
        ...(sourceKeyId === undefined ? {} : { sourceKeyId }),
        atMs: now(),
      }),
      project.id,
    );
  }

  /** Successful scheduleKeyDeletion / cancelKeyDeletion calls leave a CTS trace too. */
  function recordKeyDeletion(
    operation: 'scheduleKeyDeletion' | 'cancelKeyDeletion',
    identity: Identity,
    projectId: string,
    body: Uint8Array,
    answer: unknown,
    keyId: string | undefined,
  ) {
    const project = directory.project(projectId)?.project;
    if (!project) return;
    keyEvents.record(
      keyDeletionTrace(
        {
          project,
          account: identity.account,
          principal: identity.principal,
          status: 200,
          requestBody: Buffer.from(body).toString('utf8'),
          responseBody: answer,
          ...(keyId === undefined ? {} : { keyId }),
          atMs: now(),
        },
        operation,
      ),
      projectId,
    );
  }

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
    const { operation, projectId, topicUrn, keyId: pathKeyId } = route(method, pathname);
    const record: CallRecord = { at: now(), method, path: pathname, operation, status: 0, principal: '', requestId };
    calls.push(record);

    const respond = (status: number, body: unknown, headers?: Readonly<Record<string, string>>): void => {
      if (sendResponse(res, status, body, requestId, headers)) record.status = status;
    };

    let identity: Identity | undefined;
    let body: Buffer | undefined;
    try {
      body = await readBody(req);
      if (body === undefined) throw gatewayError.entityTooLarge();
      // Gateway order: route (APIGW.0101), authenticate, throttle, then the backend (docs/huawei-kms.md#error-codes).
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

      if (operation === 'stsAssumeAgency') {
        record.principal = claimedPrincipal(req.headers, tokens);
        if (!(await applyFault(operation, record, req))) return;
        const result = assumeAgency(
          { method, rawUrl, headers: req.headers, body },
          { directory, tokens, lockout, nowMs: now(), maxSkewMs },
        );
        record.principal = result.principal;
        record.issuedAk = result.issuedAk;
        respond(result.status, result.body);
        return;
      }

      if (operation === 'smnConfirm' || operation === 'smnUnsubscribe' || operation === 'smnCertificate') {
        record.status = handleSmnLink(operation, query, res, requestId);
        return;
      }

      const pathProjectId = projectId ?? '';
      if (isKmsOperation(operation)) Object.assign(record, callTarget(operation, body, query));
      record.principal = claimedPrincipal(req.headers, tokens);
      identity = authenticateKmsRequest({ method, rawUrl, headers: req.headers, body }, pathProjectId, {
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
      const domainId = identity.account.domainId;
      if (isSmnOperation(operation)) {
        const result = handleSmnRequest(
          { operation, project, domainId, query, body, ...(topicUrn === undefined ? {} : { topicUrn }) },
          smnState,
          publisher,
          smnApiOptions,
        );
        respond(result.status, result.body);
        return;
      }
      if (isCtsOperation(operation)) {
        const result = handleCtsRequest({ operation, project, domainId, query, body }, ctsStore);
        respond(result.status, result.body);
        return;
      }
      if (operation === 'replicateKey') {
        const result = replicateKey({ project, body }, state, directory);
        record.keyId = result.body.key_id;
        respond(result.status, result.body);
        recordReplicateKey(identity, project, body, result.status, result.body, result.sourceKeyId);
        return;
      }
      if (!isKmsOperation(operation)) throw gatewayError.apiNotFound(); // every operation is routed above
      const result = handleKmsRequest(
        { operation, project, query, body, ...(pathKeyId === undefined ? {} : { pathKeyId }) },
        state,
        apiOptions,
        tagStore,
      );
      if (result.keyId !== undefined) record.keyId = result.keyId;
      respond(result.status, result.body);
      if (operation === 'createKey') recordCreateKey(identity, pathProjectId, body, result.status, result.body);
      if (operation === 'scheduleKeyDeletion' || operation === 'cancelKeyDeletion') {
        recordKeyDeletion(operation, identity, pathProjectId, body, result.body, result.keyId);
      }
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
      const answer = errorBody(huaweiError, requestId);
      respond(huaweiError.status, answer);
      const callProject = directory.project(projectId ?? '')?.project;
      if (operation === 'replicateKey' && identity !== undefined && body !== undefined && callProject) {
        recordReplicateKey(identity, callProject, body, huaweiError.status, answer, undefined);
      }
      // A refused createKey is traced too (CTS records failed calls; a `code != 200` filter sees them).
      if (operation === 'createKey' && identity !== undefined && body !== undefined) {
        recordCreateKey(identity, projectId ?? '', body, huaweiError.status, answer);
      }
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
    smn: {
      certificatePem: publisher.certificatePem,
      certificateUrl: (region) => publisher.certificateUrl(region),
      topics: (projectId) => smnState.topics(projectId).map((t) => ({ ...t })),
      subscriptions: (topicUrn) => smnState.subscriptions(topicUrn).map((s) => ({ ...s })),
      deleteSubscription: (urn) => smnState.deleteSubscription(urn),
      setSubscriptionStatus: (urn, status) => {
        const sub = smnState.subscription(urn);
        if (!sub) throw new Error(`unknown subscription ${urn}`);
        sub.status = status;
      },
      publish: (topicUrn, message, subject) => {
        const topic = smnState.topic(topicUrn);
        if (!topic) throw new Error(`unknown topic ${topicUrn}`);
        return publisher.publish(topic, message, subject);
      },
      deliveries: deliverer.stats,
      deliveryLog: deliverer.log,
      idle: () => deliverer.idle(),
    },
    cts: {
      notifications: (projectId) => ctsStore.list(projectId).map((n) => structuredClone(n)),
      setNotificationStatus: (id, status) => {
        const n = ctsStore.byId(id);
        if (!n) throw new Error(`unknown notification ${id}`);
        n.status = status;
      },
      deleteNotification: (id) => ctsStore.delete(id),
      traces: keyEvents.traces,
      stats: keyEvents.stats,
      idle: () => keyEvents.idle(),
    },
    tags: {
      tagsOf: (keyId) => tagStore.tagsOf(keyId),
      put: (keyId, tags) => tagStore.put(keyId, tags),
      writes: tagStore.writes,
      configure: (changes) => {
        tagStore.options = { ...tagStore.options, ...changes };
      },
    },
    calls,
    resetCalls: () => {
      calls.length = 0;
    },
    faults,
    expireAllTokens: () => {
      tokens.expireAll(now());
      directory.expireTemporary(now());
    },
    rotateCredential: (oldAk, next) => directory.rotateCredential(oldAk, next),
    reset: () => {
      state.reset();
      tagStore.reset();
      tokens.clear();
      calls.length = 0;
      faults.reset();
      limiter?.reset();
      lockout?.reset();
      smnState.reset();
      ctsStore.reset();
      keyEvents.reset();
      deliverer.reset();
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
export type { CtsFilter, CtsNotification, CtsOperation, CtsTrace } from './cts-notifications.ts';
export type { KeyEventStats } from './key-event-bridge.ts';
export type { DeliveryRecord, DeliveryStats, SmnDeliveryOptions } from './smn-delivery.ts';
export type { PublishResult } from './smn-publisher.ts';
export type { SmnSubscription, SmnTopic, SubscriptionStatus } from './smn-state.ts';
export type { AliasEntity, CallRecord, KeyDetails, KeyState, KmsOperation, Operation } from './types.ts';
