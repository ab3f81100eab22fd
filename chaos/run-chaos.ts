// The chaos run: the seeded workload of scenario.ts through the built bundle, driven by the same
// Lambda-like event source `npm start` uses (local/event-source-runner.ts), with KMS faults from
// the emulator, DLQ send faults from a proxy in front of fauxqs, instances killed part way
// through a batch, and (token mode) IAM tokens expired mid-run. Returns everything the
// invariants need; checkInvariants (invariants.ts) decides.
import { join } from 'node:path';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { startFauxqs } from 'fauxqs';
import type { TagWrite } from '../emulator/kms-tags.ts';
import { startKmsEmulator, type CallRecord, type FaultAction, type KmsEmulator } from '../emulator/kms-emulator.ts';
import { createRandom } from '../emulator/prng.ts';
import { readDlqRecord, REDRIVE_REASON } from '../lib/dlq/read-dlq-record.ts';
import { drainQueue } from '../local/drain-queue.ts';
import { compileAliasTemplate } from '../lib/naming/compile-alias-template.ts';
import { runEventSource, type InvocationReport, type RunnerStats } from '../local/event-source-runner.ts';
import {
  DATA_ACCOUNT,
  DATA_EMULATOR_ACCOUNT,
  LOCAL_ACCOUNT,
  LOCAL_EMULATOR_ACCOUNT,
  PAYMENTS_ACCOUNT,
  PAYMENTS_EMULATOR_ACCOUNT,
} from '../test/support/local-account.ts';
import {
  type ExtensionOutage,
  type SecretsExtension,
  startSecretsExtension,
} from '../test/support/secrets-extension.ts';
import { createDlqFaults, type DlqFaultStats } from './dlq-faults.ts';
import { startHttpProxy, type HttpProxy } from './http-proxy.ts';
import { buildChaosScenario, type ChaosAccountName, type ChaosScenario } from './scenario.ts';

export interface ChaosOptions {
  seed: string;
  messages: number;
  /** IAM password → token auth instead of AK/SK, with every token expired twice during the run. */
  tokenMode: boolean;
  /** The built handler (`dist/.../handler.mjs`). */
  handlerPath: string;
  eventsDir?: string;
  batchSize?: number;
  concurrency?: number;
  /** The function timeout; the local visibility timeout is at least this (Lambda requires it). */
  timeoutMs?: number;
  visibilityTimeoutS?: number;
  maxReceiveCount?: number;
  /** Share of KMS calls answered with a fault. */
  kmsFaultRate?: number;
  /** Share of DLQ publishes that fail. */
  dlqFaultRate?: number;
  /** Share of invocations whose instance is killed part way through. */
  killRate?: number;
  /** Function settings (REQUEST_TIMEOUT_MS, retry delays...) on top of the chaos defaults. */
  env?: Record<string, string>;
  onProgress?: (line: string) => void;
}

/** One record drained from the DLQ at the end. */
export interface ChaosDlqEntry {
  /** The DLQ's own message id (for a raw redrive: the source message's id). */
  messageId: string;
  body: string;
  /** `kms_auto_alias.reason`, or `redrive` when the queue moved the body without the function. */
  reason: string;
  errorCode: string;
  detail: Record<string, unknown>;
  /** The source message it stands for. */
  sourceMessageId: string;
}

/**
 * Who may write in an account's project: fixed principals (the central AK before and after its
 * rotation, the IAM user, the agency as IAM names it), and with `viaSts` any temporary AK that
 * STS issued to one of `stsCallers` (AssumeAgency with the central AK/SK).
 */
export interface ChaosAccountIdentity {
  name: ChaosAccountName;
  projectId: string;
  principals: string[];
  viaSts: boolean;
  stsCallers: string[];
}

export interface ChaosRun {
  options: Required<Omit<ChaosOptions, 'onProgress' | 'env' | 'eventsDir'>> & { env: Record<string, string> };
  scenario: ChaosScenario;
  /** Message index (send order) → SQS message id. */
  messageIds: string[];
  logLines: string[];
  audits: Array<Record<string, unknown>>;
  dlq: ChaosDlqEntry[];
  runner: RunnerStats;
  invocations: InvocationReport[];
  /** Left in the source queue after the run (visible + in flight + delayed). */
  leftInQueue: number;
  calls: readonly CallRecord[];
  /** Key id → aliases at the end. */
  aliases: Map<string, string[]>;
  dlqFaults: DlqFaultStats;
  /** Epoch ms of each expireAllTokens(): IAM tokens (token mode), STS temporary AK/SKs (AK/SK mode). */
  tokenExpiries: number[];
  /**
   * AK/SK mode: the credentials come from Secrets Manager (the extension stand-in) and are rotated
   * mid-run (epoch ms; the old AK revoked at once), followed by an extension outage.
   */
  rotations: number[];
  /** The extension outage (AK/SK mode): when, and how many reads it failed. */
  extensionOutage: { from: number; to: number; failedReads: number } | undefined;
  /** IAM tokens the emulator issued (token mode), for the secret-leak check. */
  issuedTokens: string[];
  /** Every credential value the function was given. */
  secrets: string[];
  /** How the call log names a hang that applied the write, and one that dropped the request. */
  hangFaults: { applied: string; dropped: string };
  /** Delayed keys that answered KMS.0207 at least once. */
  delayedKeysSeenInvisible: number;
  durationMs: number;
  /** The accounts of the run and the identities allowed to write in each (chaos/account-invariant.ts). */
  accounts: ChaosAccountIdentity[];
  /** Every tag value the function wrote (emulator/kms-tags.ts), for "no tag overwritten unless asked". */
  tagWrites?: readonly TagWrite[];
}

const ALIAS_TEMPLATE = 'alias/{env}/{key_alias|slug}-{key_spec|lower}-{key_id|short}';
const ALIAS_CONSTANTS = { env: 'chaos' };
/** Added to the length of hangs that drop the request, so `fault` in the call log tells them apart. */
export const DROPPED_HANG_EXTRA_MS = 50;
/** Kills that must land in every run, whatever its size (see killAfter). */
const MIN_KILLS = 2;
/** A key that is "not visible yet" stays hidden until the function first asks for it. */
const HIDDEN_MS = 24 * 60 * 60 * 1000;

/** The second account of HUAWEICLOUD_ACCOUNTS (an agency trusting the central account). */
export const CHAOS_SECOND_ACCOUNT = { projectId: PAYMENTS_ACCOUNT.projectId, domainId: PAYMENTS_ACCOUNT.domainId };
/** An account the deployment does not serve: its keys exist, its events are skipped. */
export const CHAOS_OUTSIDE_ACCOUNT = { projectId: DATA_ACCOUNT.projectId, domainId: DATA_ACCOUNT.domainId };

const CHAOS_ACCOUNTS_JSON = JSON.stringify({
  [LOCAL_ACCOUNT.domainId]: { name: 'security', projects: { [LOCAL_ACCOUNT.projectId]: LOCAL_ACCOUNT.region } },
  [PAYMENTS_ACCOUNT.domainId]: {
    name: 'payments',
    projects: { [PAYMENTS_ACCOUNT.projectId]: PAYMENTS_ACCOUNT.region },
    agency: PAYMENTS_ACCOUNT.agency,
  },
});

/** The identities allowed to write in each account's project (nobody in the outside one). */
function identitiesOf(tokenMode: boolean): ChaosAccountIdentity[] {
  const centralAks = [LOCAL_ACCOUNT.ak, ROTATED.ak];
  return [
    {
      name: 'security',
      projectId: LOCAL_ACCOUNT.projectId,
      principals: tokenMode ? [LOCAL_ACCOUNT.user] : centralAks,
      viaSts: false,
      stsCallers: [],
    },
    {
      name: 'payments',
      projectId: PAYMENTS_ACCOUNT.projectId,
      // The emulator names an assumed agency `<domain name>/<agency>` (IAM assume_role).
      principals: tokenMode ? [`${PAYMENTS_EMULATOR_ACCOUNT.domainName}/${PAYMENTS_ACCOUNT.agency}`] : [],
      viaSts: !tokenMode,
      stsCallers: tokenMode ? [] : centralAks,
    },
    { name: 'outside', projectId: DATA_ACCOUNT.projectId, principals: [], viaSts: false, stsCallers: [] },
  ];
}

/** The credentials secret of AK/SK mode, and what it is rotated to. */
const SECRET_ID = 'chaos/huawei-kms';
const ROTATED = { ak: 'CHAOSROTATEDAK000001', sk: 'chaosRotatedSecretKey00000000000000000001' };
/** The extension's cache: after the rotation it serves the revoked AK this long. */
const EXTENSION_CACHE_MS = 300;
/** How much longer the last outage phase may last while no read has met the outage yet. */
const OUTAGE_MAX_EXTRA_MS = 5_000;

/** The outage right after the rotation: 500s, then hangs, then refused connections. */
const OUTAGE_PHASES: ReadonlyArray<{ outage: ExtensionOutage; ms: number }> = [
  { outage: { kind: 'status', status: 500 }, ms: 500 },
  { outage: { kind: 'hang' }, ms: 500 },
  { outage: { kind: 'down' }, ms: 300 },
];

export const CHAOS_DEFAULTS = {
  batchSize: 10,
  concurrency: 4,
  timeoutMs: 2_000,
  visibilityTimeoutS: 2,
  maxReceiveCount: 5,
  kmsFaultRate: 0.2,
  dlqFaultRate: 0.1,
  killRate: 0.04,
} as const;

/** Function settings for a fast local run: short request timeout so hangs are cheap, quick retries. */
export const CHAOS_FUNCTION_ENV: Readonly<Record<string, string>> = {
  REQUEST_TIMEOUT_MS: '300',
  MAX_RETRIES: '4',
  RETRY_MIN_DELAY_MS: '10',
  RETRY_MAX_DELAY_MS: '100',
  RETRY_THROTTLE_MIN_DELAY_MS: '50',
  KEY_NOT_VISIBLE_WINDOW_MS: '1000',
  DEADLINE_MARGIN_MS: '300',
  CONCURRENCY: '10',
  KMS_RATE_LIMIT: '1000',
  LOG_LEVEL: 'debug',
};

export async function runChaos(options: ChaosOptions): Promise<ChaosRun> {
  const started = Date.now();
  const o = {
    seed: options.seed,
    messages: options.messages,
    tokenMode: options.tokenMode,
    handlerPath: options.handlerPath,
    batchSize: options.batchSize ?? CHAOS_DEFAULTS.batchSize,
    concurrency: options.concurrency ?? CHAOS_DEFAULTS.concurrency,
    timeoutMs: options.timeoutMs ?? CHAOS_DEFAULTS.timeoutMs,
    visibilityTimeoutS: options.visibilityTimeoutS ?? CHAOS_DEFAULTS.visibilityTimeoutS,
    maxReceiveCount: options.maxReceiveCount ?? CHAOS_DEFAULTS.maxReceiveCount,
    kmsFaultRate: options.kmsFaultRate ?? CHAOS_DEFAULTS.kmsFaultRate,
    dlqFaultRate: options.dlqFaultRate ?? CHAOS_DEFAULTS.dlqFaultRate,
    killRate: options.killRate ?? CHAOS_DEFAULTS.killRate,
    env: { ...CHAOS_FUNCTION_ENV, ...options.env },
  };
  const progress = options.onProgress ?? (() => undefined);
  const requestTimeoutMs = Number(o.env.REQUEST_TIMEOUT_MS);
  if (Math.ceil(o.timeoutMs / 1000) > o.visibilityTimeoutS) {
    throw new Error(
      'the visibility timeout must be at least the function timeout (Lambda refuses the mapping otherwise)',
    );
  }

  const template = compileAliasTemplate(ALIAS_TEMPLATE, ALIAS_CONSTANTS);
  if (!template.ok) throw new Error(`chaos template: ${template.reason}`);
  const scenario = buildChaosScenario({
    seed: o.seed,
    messages: o.messages,
    template: template.template,
    projectId: LOCAL_ACCOUNT.projectId,
    domainId: LOCAL_ACCOUNT.domainId,
    second: CHAOS_SECOND_ACCOUNT,
    outside: CHAOS_OUTSIDE_ACCOUNT,
    otherRegion: 'ap-southeast-1',
    eventsDir: options.eventsDir ?? join(import.meta.dirname, '..', 'events'),
  });

  const stoppers: Array<() => Promise<void> | void> = [];
  const stopAll = async () => {
    for (const stop of stoppers.reverse()) await stop();
  };
  try {
    const emulator = await startKmsEmulator({
      accounts: [LOCAL_EMULATOR_ACCOUNT, PAYMENTS_EMULATOR_ACCOUNT, DATA_EMULATOR_ACCOUNT],
      seed: `${o.seed}:emulator`,
    });
    stoppers.push(() => emulator.stop());
    const delayed = seedKeys(emulator, scenario);
    const projectOfKey = new Map(scenario.keys.map((k) => [k.keyId, k.projectId]));
    seedConflictingTags(emulator, scenario);

    const fauxqs = await startFauxqs({ port: 0, logger: false });
    stoppers.push(() => fauxqs.stop());
    const fauxqsUrl = `http://127.0.0.1:${fauxqs.port}`;
    const sqs = new SQSClient({
      region: 'us-east-1',
      endpoint: fauxqsUrl,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    stoppers.push(() => sqs.destroy());
    const dlqName = 'kms-key-events-dlq';
    const dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: dlqName }))).QueueUrl ?? '';
    const dlqArn = await attribute(sqs, dlqUrl, 'QueueArn');
    const queueUrl =
      (
        await sqs.send(
          new CreateQueueCommand({
            QueueName: 'kms-key-events',
            Attributes: {
              VisibilityTimeout: String(o.visibilityTimeoutS),
              RedrivePolicy: JSON.stringify({
                deadLetterTargetArn: dlqArn,
                maxReceiveCount: String(o.maxReceiveCount),
              }),
            },
          }),
        )
      ).QueueUrl ?? '';

    // The function's SQS traffic (its DLQ sends) goes through the fault proxy; the event source's does not.
    const dlqFaults = createDlqFaults({ seed: o.seed, rate: o.dlqFaultRate, dlqName });
    const sqsProxy = await startHttpProxy({ upstream: fauxqsUrl, decide: dlqFaults.decide });
    stoppers.push(() => sqsProxy.stop());

    const issuedTokens = new Set<string>();
    let iamProxy: HttpProxy | undefined;
    if (o.tokenMode) {
      iamProxy = await startHttpProxy({
        upstream: emulator.url,
        onResponse: (_req, _status, headers) => {
          const token = headers['x-subject-token'];
          if (typeof token === 'string' && token !== '') issuedTokens.add(token);
        },
      });
      stoppers.push(() => iamProxy?.stop());
    }

    // AK/SK mode reads them from Secrets Manager through the extension (a stand-in that caches
    // like the real one), so that they can be rotated and the extension can fail mid-run.
    let extension: SecretsExtension | undefined;
    if (!o.tokenMode) {
      extension = await startSecretsExtension({ cacheMs: EXTENSION_CACHE_MS });
      extension.put(SECRET_ID, JSON.stringify({ ak: LOCAL_ACCOUNT.ak, sk: LOCAL_ACCOUNT.sk }));
      stoppers.push(() => extension?.stop());
    }
    const credentials: Record<string, string> = extension
      ? {
          HUAWEICLOUD_CREDENTIALS_SECRET_ID: SECRET_ID,
          PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: extension.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT,
        }
      : {
          HUAWEICLOUD_IAM_USER: LOCAL_ACCOUNT.user,
          HUAWEICLOUD_IAM_PASSWORD: LOCAL_ACCOUNT.password,
          HUAWEICLOUD_IAM_DOMAIN: LOCAL_ACCOUNT.domainName,
        };
    const env: Record<string, string> = {
      HUAWEICLOUD_REGION: LOCAL_ACCOUNT.region,
      // Two accounts: the central one, and payments through its agency (STS AssumeAgency with the
      // central AK/SK; in token mode IAM assume_role with the central IAM user).
      HUAWEICLOUD_ACCOUNTS: CHAOS_ACCOUNTS_JSON,
      ...credentials,
      KMS_ENDPOINT: emulator.url,
      IAM_ENDPOINT: iamProxy?.url ?? emulator.url,
      ...(o.tokenMode ? {} : { STS_ENDPOINT: emulator.url }),
      DLQ_URL: dlqUrl,
      SQS_ENDPOINT: sqsProxy.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      ALIAS_TEMPLATE,
      ALIAS_VAR_ENV: ALIAS_CONSTANTS.env,
      TAG_TEMPLATE: CHAOS_TAG_TEMPLATE,
      // Deletion traces release the convention's aliases; cancellations re-create them.
      ON_KEY_DELETION: 'release',
      MAX_RECEIVE_COUNT: String(o.maxReceiveCount),
      ...o.env,
    };

    // Send the whole workload first, in order (duplicates placed by the scenario).
    const messageIds: string[] = [];
    for (let i = 0; i < scenario.messages.length; i += 10) {
      const chunk = scenario.messages.slice(i, i + 10);
      const sent = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: chunk.map((m, j) => ({ Id: String(j), MessageBody: m.body })),
        }),
      );
      if ((sent.Failed ?? []).length > 0) throw new Error(`could not enqueue ${sent.Failed?.length} messages`);
      for (const s of sent.Successful ?? []) messageIds[i + Number(s.Id)] = s.MessageId ?? '';
    }
    progress(`sent ${scenario.messages.length} messages (seed ${o.seed}); draining through ${o.concurrency} instances`);

    // KMS faults: every kind, by seed, on every KMS operation. A hang outlasts the request timeout;
    // one kind still applies the write after it ("the client timed out but the alias was created").
    const hangMs = requestTimeoutMs + 5;
    const kinds: FaultAction[] = [
      {
        status: 429,
        code: 'APIGW.0308',
        message: 'The throttling threshold has been reached: policy user over ratelimit,limit:20,time:1 second',
        shape: 'flat',
      },
      { status: 500, code: 'KMS.0101', message: 'kms error.', shape: 'nested' },
      { status: 502, code: 'APIGW.0202', message: 'Backend unavailable', shape: 'flat' },
      { status: 503, code: 'APIGW.0202', message: 'Service unavailable', shape: 'flat' },
      { status: 504, code: 'APIGW.0203', message: 'Backend timeout', shape: 'flat' },
      { kind: 'reset' },
      { kind: 'hang', ms: hangMs },
      // A different length only so the call log tells the two apart (`hang 450ms` applied the write).
      { kind: 'hang', ms: hangMs + DROPPED_HANG_EXTRA_MS, apply: false },
    ];
    emulator.faults.chaos({ seed: `${o.seed}:kms`, rate: o.kmsFaultRate, kinds });

    // Keys that are "not visible yet": hidden until first asked for, then visible after their delay.
    let seenCalls = 0;
    const revealed = new Set<string>();
    const tokenExpiries: number[] = [];
    // Token mode: every IAM token, twice. AK/SK mode: the agency's temporary AK/SK from STS, once
    // after the rotation, so that the next AssumeAgency is signed with the rotated AK/SK.
    const expiryAt = o.tokenMode
      ? [Math.floor(scenario.messages.length / 3), Math.floor((2 * scenario.messages.length) / 3)]
      : [Math.floor((3 * scenario.messages.length) / 4)];
    let audits = 0;
    // AK/SK mode: the rotation after 40% of the messages, the outage right behind it.
    const rotations: number[] = [];
    let rotateAt = extension === undefined ? Number.POSITIVE_INFINITY : Math.floor((2 * scenario.messages.length) / 5);
    let extensionOutage: { from: number; to: number; failedReads: number } | undefined;
    const startOutage = async (ext: SecretsExtension) => {
      await sleep(EXTENSION_CACHE_MS / 2);
      const before = ext.requests;
      const from = Date.now();
      for (const phase of OUTAGE_PHASES) {
        ext.outage(phase.outage);
        progress(`extension outage: ${phase.outage.kind === 'status' ? phase.outage.status : phase.outage.kind}`);
        await sleep(phase.ms);
      }
      // No read met it yet (every message waiting out its visibility timeout, say): the outage
      // goes on, refusing connections, until one does or OUTAGE_MAX_EXTRA_MS has passed, so the
      // run proves what an outage does instead of depending on when the reads fell.
      const extendedUntil = Date.now() + OUTAGE_MAX_EXTRA_MS;
      while (ext.requests === before && Date.now() < extendedUntil) await sleep(50);
      ext.outage(undefined);
      extensionOutage = { from, to: Date.now(), failedReads: ext.requests - before };
    };
    let outageDone: Promise<void> = Promise.resolve();
    const watcher = setInterval(() => {
      if (extension !== undefined && audits >= rotateAt) {
        rotateAt = Number.POSITIVE_INFINITY;
        emulator.rotateCredential(LOCAL_ACCOUNT.ak, ROTATED);
        extension.put(SECRET_ID, JSON.stringify(ROTATED));
        rotations.push(Date.now());
        progress(`rotated the AK/SK after ${audits} audit records (old AK revoked)`);
        outageDone = startOutage(extension);
      }
      const calls = emulator.calls;
      for (; seenCalls < calls.length; seenCalls++) {
        const call = calls[seenCalls];
        const keyId = call?.keyId;
        if (keyId === undefined || revealed.has(keyId)) continue;
        const delay = delayed.get(keyId);
        if (delay === undefined || call?.huaweiCode !== 'KMS.0207') continue;
        revealed.add(keyId);
        const key = emulator.state.getKey(keyId);
        if (key === undefined) continue;
        emulator.state.deleteKey(keyId);
        emulator.state.createKey(projectOfKey.get(keyId) ?? LOCAL_ACCOUNT.projectId, {
          key_id: keyId,
          key_alias: key.key_alias,
          key_spec: key.key_spec,
          visibleAfterMs: delay,
        });
      }
      while (expiryAt.length > 0 && audits >= (expiryAt[0] ?? Number.POSITIVE_INFINITY)) {
        expiryAt.shift();
        emulator.expireAllTokens();
        tokenExpiries.push(Date.now());
        progress(
          `expired every ${o.tokenMode ? 'IAM token' : 'temporary AK/SK from STS'} after ${audits} audit records`,
        );
      }
    }, 20);
    stoppers.push(() => clearInterval(watcher));

    const killRandom = createRandom(`${o.seed}:kill`);
    const logLines: string[] = [];
    const auditRecords: Array<Record<string, unknown>> = [];
    const invocations: InvocationReport[] = [];
    const runner = await runEventSource({
      sqs,
      queueUrl,
      queueArn: await attribute(sqs, queueUrl, 'QueueArn'),
      handlerPath: o.handlerPath,
      env,
      batchSize: o.batchSize,
      maxConcurrency: o.concurrency,
      timeoutMs: o.timeoutMs,
      idleMs: 1_500,
      maxRunMs: 15 * 60_000,
      killAfter: (invocation) => {
        // Two draws per invocation, whatever the outcome, so the sequence does not shift.
        const roll = killRandom();
        const at = killRandom();
        // A kill drawn late may find the batch already done; so that even a short run loses
        // instances, every 7th invocation is killed early while fewer than MIN_KILLS landed.
        const landed = invocations.filter((i) => i.result === 'killed').length;
        if (landed < MIN_KILLS && invocation % 7 === 0) return 2 + Math.floor(at * 20);
        if (roll >= o.killRate) return undefined;
        // Half while the first calls are in flight, half anywhere up to 400 ms (mid-batch, after
        // some aliases are written and before their audit lines, or while a DLQ send waits).
        return at < 0.5 ? 2 + Math.floor(at * 80) : 40 + Math.floor((at - 0.5) * 720);
      },
      onInvocation: (report) => {
        invocations.push(report);
        if (invocations.length % 50 === 0) progress(`${invocations.length} invocations, ${audits} audit records`);
      },
      onLog: (line) => {
        logLines.push(line);
        const record = parseJson(line);
        if (record?.log_type === 'audit') {
          auditRecords.push(record);
          audits += 1;
        }
      },
    });
    clearInterval(watcher);
    await outageDone;

    const dlq = (await drainQueue(sqs, dlqUrl)).map(toDlqEntry);
    const leftInQueue = await queueDepth(sqs, queueUrl);
    const aliases = new Map<string, string[]>();
    for (const key of emulator.state.keys()) aliases.set(key.key_id, emulator.state.aliasesOf(key.key_id));
    const secrets = Object.entries(env)
      .filter(([name]) =>
        /^(HUAWEICLOUD_SDK_(AK|SK|SECURITY_TOKEN)|HUAWEICLOUD_IAM_PASSWORD|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN)$/.test(
          name,
        ),
      )
      .map(([, value]) => value)
      .filter((value) => value !== 'local');
    if (extension !== undefined) secrets.push(LOCAL_ACCOUNT.ak, LOCAL_ACCOUNT.sk, ROTATED.ak, ROTATED.sk);
    const calls = [...emulator.calls];
    return {
      options: { ...o, env },
      scenario,
      messageIds,
      logLines,
      audits: auditRecords,
      dlq,
      runner,
      invocations,
      leftInQueue,
      calls,
      aliases,
      dlqFaults: dlqFaults.stats,
      tokenExpiries,
      rotations,
      extensionOutage,
      issuedTokens: [...issuedTokens],
      secrets,
      hangFaults: { applied: `hang ${hangMs}ms`, dropped: `hang ${hangMs + DROPPED_HANG_EXTRA_MS}ms` },
      delayedKeysSeenInvisible: revealed.size,
      durationMs: Date.now() - started,
      accounts: identitiesOf(o.tokenMode),
      tagWrites: [...emulator.tags.writes],
    };
  } finally {
    await stopAll();
  }
}

/** Tags on (issue 12 docs/huawei-kms.md#alias-api): a managed tag of every 7th key already holds another value. */
const CHAOS_TAG_TEMPLATE = 'managed_by=kms-auto-alias,owner={created_by|default:nobody|truncate:43}';

/**
 * Under Huawei's "rejects" reading of `create` (emulator switch) a value set before the first
 * receive must survive: the function lists, keeps it and reports it (chaos/tag-invariant.ts).
 */
function seedConflictingTags(emulator: KmsEmulator, scenario: ChaosScenario): void {
  emulator.tags.configure({ createReading: 'rejects' });
  scenario.keys.forEach((key, i) => {
    if (i % 7 === 0) emulator.tags.put(key.keyId, { owner: 'set-by-hand' });
  });
}

/** Creates the scenario's keys and seeded aliases; returns the delayed keys (id → delay). */
function seedKeys(emulator: KmsEmulator, scenario: ChaosScenario): Map<string, number> {
  const delayed = new Map<string, number>();
  for (const key of scenario.keys) {
    emulator.state.createKey(key.projectId, {
      key_id: key.keyId,
      key_alias: key.keyAlias,
      key_spec: key.keySpec,
      key_state: key.state,
      ...(key.visibleAfterMs === undefined ? {} : { visibleAfterMs: HIDDEN_MS }),
    });
    if (key.visibleAfterMs !== undefined) delayed.set(key.keyId, key.visibleAfterMs);
    for (const alias of key.seededAliases) emulator.state.putAlias(key.projectId, key.keyId, alias);
  }
  return delayed;
}

async function attribute(sqs: SQSClient, queueUrl: string, name: 'QueueArn'): Promise<string> {
  const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: [name] }));
  return attrs.Attributes?.[name] ?? '';
}

async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const attrs = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  const a = attrs.Attributes ?? {};
  return (
    Number(a.ApproximateNumberOfMessages ?? 0) +
    Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) +
    Number(a.ApproximateNumberOfMessagesDelayed ?? 0)
  );
}

function toDlqEntry(m: Message): ChaosDlqEntry {
  const record = readDlqRecord(m);
  return {
    ...record,
    messageId: m.MessageId ?? '',
    // The queue's redrive moves the message itself (same id); the function's record names it.
    sourceMessageId:
      record.reason === REDRIVE_REASON ? (m.MessageId ?? '') : String(record.detail.source_message_id ?? ''),
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
