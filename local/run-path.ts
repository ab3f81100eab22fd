/**
 * `npm start` (default): the whole path on this machine. The emulated Huawei account is wired
 * with the real `kms-auto-alias wire` (SMN topic, HTTP subscription with the ingest token, CTS key
 * event notification); keys are created through the KMS API with the project's signer; CTS
 * records each trace and its notification publishes it to the topic; SMN delivers it, signed, to
 * the built ingest bundle behind a local HTTP server; the ingest verifies it and enqueues it on
 * fauxqs; the built create-key-alias bundle drains the queue as Lambda's event source does and
 * creates the aliases.
 */
import { randomBytes } from 'node:crypto';
import { main } from '../cli/main.ts';
import { startKmsEmulator, type KmsEmulator } from '../emulator/kms-emulator.ts';
import { DEFAULT_TOPIC_NAME } from '../lib/bridge/desired-wiring.ts';
import { loadConfig, type Config } from '../lib/config/load-config.ts';
import { readDlqRecord } from '../lib/dlq/read-dlq-record.ts';
import { normaliseEvent } from '../lib/events/normalise-event.ts';
import { KmsApiError } from '../lib/errors/huawei-errors.ts';
import { createAkSkAuth } from '../lib/huawei/aksk-auth.ts';
import { deriveAlias } from '../lib/naming/derive-alias.ts';
import { createKmsTestClient } from '../test/support/kms-test-client.ts';
import { LOCAL_ACCOUNT, LOCAL_EMULATOR_ACCOUNT } from '../test/support/local-account.ts';
import { drainQueue } from './drain-queue.ts';
import { runEventSource, type RunnerStats } from './event-source-runner.ts';
import { type IngestRequestSeen, startLocalIngest } from './ingest-server.ts';
import { startLocalQueues } from './local-queues.ts';
import { type DlqEntry, functionEnv, parseJson } from './run-local.ts';

/** A key the run creates through the KMS API. */
export interface PathKeyRequest {
  keyAlias: string;
  keySpec: string;
}

/** Keys `npm start` creates: a few specs, and one call KMS refuses (CTS records it; the notification's filter drops it). */
export const DEFAULT_PATH_KEYS: readonly PathKeyRequest[] = [
  { keyAlias: 'payments-db', keySpec: 'AES_256' },
  { keyAlias: 'orders-api', keySpec: 'RSA_2048' },
  { keyAlias: 'audit-signing', keySpec: 'EC_P256' },
  { keyAlias: 'reporting/etl', keySpec: 'SM4' },
  { keyAlias: 'refused-by-kms', keySpec: 'AES_999' },
];

export interface PathRunOptions {
  /** The built create-key-alias bundle. */
  handlerPath: string;
  /** The built ingest bundle. */
  ingestHandlerPath: string;
  /** The user's environment (ALIAS_TEMPLATE, ...); the emulator's account replaces any Huawei settings. */
  env: Record<string, string | undefined>;
  keys?: readonly PathKeyRequest[];
  batchSize: number;
  maxConcurrency: number;
  timeoutMs: number;
  visibilityTimeoutS: number;
  /** Lines of the create-key-alias function. */
  onLog?: (line: string) => void;
  onAudit?: (record: Record<string, unknown>) => void;
  /** Lines of the ingest function. */
  onIngestLog?: (line: string) => void;
  /** What each step did, as it happens (the wire steps with their output). */
  onStep?: (text: string) => void;
}

/** One key's way through the path. */
export interface KeyHops {
  keyAlias: string;
  keySpec: string;
  /** The key id, or the error code when KMS refused the call. */
  created: { ok: true; keyId: string } | { ok: false; status: number; code: string };
  /** CTS recorded a trace for the call (with its `code`). */
  traceCode: string | undefined;
  /** The SMN message that carried the trace (CTS notification → topic), if any. */
  smnMessageId: string | undefined;
  /** SMN's delivery attempts to the ingest URL and the last status. */
  deliveryAttempts: number;
  deliveryStatus: number | undefined;
  /** The ingest's answer (`enqueued`, `duplicate`, ...). */
  ingestReason: string | undefined;
  /** The queue handler's final audit record for the key. */
  outcome: string | undefined;
  alias: string | undefined;
  /** What the alias template gives the key's trace; undefined when no alias is expected. */
  expectedAlias: string | undefined;
  /** Aliases the key holds at the end. */
  aliases: string[];
}

export interface WireStep {
  argv: string[];
  exitCode: number;
  output: string;
}

export interface PathRunResult {
  keys: KeyHops[];
  wire: WireStep[];
  ingestRequests: readonly IngestRequestSeen[];
  ingestInitMs: number;
  ingestUrl: string;
  topicUrn: string;
  audits: Array<Record<string, unknown>>;
  dlq: DlqEntry[];
  runner: RunnerStats;
  emulator: KmsEmulator;
  config: Config;
  smn: { queued: number; delivered: number; dropped: number; attempts: number };
  cts: { traces: number; notified: number; published: number; missingTopic: number };
  checks: Array<{ name: string; pass: boolean; detail: string }>;
  stop(): Promise<void>;
}

export async function runPath(options: PathRunOptions): Promise<PathRunResult> {
  const step = options.onStep ?? (() => undefined);
  // SMN retries an unreachable endpoint six more times; short delays keep a local run quick.
  const emulator = await startKmsEmulator({
    accounts: [LOCAL_EMULATOR_ACCOUNT],
    smn: { retryDelaysMs: [50, 100, 200, 400, 800, 1_600] },
  });
  const stops: Array<() => Promise<void>> = [() => emulator.stop()];
  const stop = async () => {
    for (const s of stops.reverse()) await s();
  };
  try {
    const queues = await startLocalQueues({
      awsRegion: options.env.AWS_REGION ?? 'us-east-1',
      visibilityTimeoutS: options.visibilityTimeoutS,
      maxReceiveCount: options.env.MAX_RECEIVE_COUNT ?? '5',
    });
    stops.push(() => queues.stop());
    const env = functionEnv(
      { env: options.env },
      {
        emulator,
        dlqUrl: queues.dlqUrl,
        sqsEndpoint: queues.sqsEndpoint,
        awsRegion: queues.awsRegion,
        maxReceiveCount: queues.maxReceiveCount,
      },
    );
    const config = loadConfig(env);
    const { projectId, region } = LOCAL_ACCOUNT;
    const topicUrn = `urn:smn:${region}:${projectId}:${DEFAULT_TOPIC_NAME}`;
    // Made up per run and never printed: what Secrets Manager holds in a deployed stage.
    const token = randomBytes(24).toString('base64url');

    const ingest = await startLocalIngest({
      handlerPath: options.ingestHandlerPath,
      env: {
        KEY_EVENTS_QUEUE_URL: queues.queueUrl,
        SQS_ENDPOINT: queues.sqsEndpoint,
        AWS_REGION: queues.awsRegion,
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        SMN_TOPIC_URNS: topicUrn,
        // The emulator serves SMN's signing certificate; in the cloud the default hosts are SMN's own.
        SMN_SIGNING_CERT_HOSTS: new URL(emulator.url).host,
        INGEST_TOKEN: token,
        SMN_REQUIRE_TOKEN: 'true',
        SERVICE_NAME: config.serviceName,
        LOG_LEVEL: options.env.LOG_LEVEL ?? 'info',
      },
      ...(options.onIngestLog === undefined ? {} : { onLog: options.onIngestLog }),
    });
    stops.push(() => ingest.stop());
    step(`ingest bundle listening at ${ingest.url} (cold start ${ingest.initMs.toFixed(0)} ms)`);

    // The Huawei side, as a user sets it up: the real CLI command against the emulated SMN and CTS.
    const operatorEnv = {
      HUAWEICLOUD_PROJECT_ID: projectId,
      HUAWEICLOUD_REGION: region,
      HUAWEICLOUD_SDK_AK: LOCAL_ACCOUNT.ak,
      HUAWEICLOUD_SDK_SK: LOCAL_ACCOUNT.sk,
      KMS_ENDPOINT: emulator.url,
      IAM_ENDPOINT: emulator.url,
      SMN_ENDPOINT: emulator.url,
      CTS_ENDPOINT: emulator.url,
      INGEST_URL: ingest.url,
      INGEST_TOKEN: token,
    };
    const wire: WireStep[] = [];
    for (const argv of [['wire'], ['wire', '--check']]) {
      let output = '';
      const sink = { write: (chunk: string) => (output += chunk) };
      const exitCode = await main(argv, { env: operatorEnv, stdout: sink, stderr: sink });
      wire.push({ argv, exitCode, output: output.replaceAll(token, '***') });
      step(`\n$ kms-auto-alias ${argv.join(' ')}\n${wire.at(-1)?.output.trimEnd()}\n(exit code ${exitCode})\n`);
    }

    // Keys created by a user of the account: KMS createKey with the project's AK/SK signer.
    const kms = createKmsTestClient({
      endpointFor: () => emulator.url,
      auth: createAkSkAuth({ ak: LOCAL_ACCOUNT.ak, sk: LOCAL_ACCOUNT.sk }),
    });
    const requested = options.keys ?? DEFAULT_PATH_KEYS;
    const created: Array<KeyHops['created']> = [];
    for (const key of requested) {
      try {
        const result = await kms.createKey({ region, projectId, keyAlias: key.keyAlias, keySpec: key.keySpec });
        created.push({ ok: true, keyId: result.keyInfo.key_id });
      } catch (err) {
        if (!(err instanceof KmsApiError)) throw err;
        created.push({ ok: false, status: err.status, code: err.huaweiCode ?? err.code });
      }
    }
    step(`created ${created.filter((c) => c.ok).length} keys (${created.filter((c) => !c.ok).length} refused)`);
    await emulator.cts.idle();
    step(`CTS → SMN → ingest settled: ${ingest.requests.length} requests to the ingest`);

    const audits: Array<Record<string, unknown>> = [];
    const runner = await runEventSource({
      sqs: queues.sqs,
      queueUrl: queues.queueUrl,
      queueArn: queues.queueArn,
      handlerPath: options.handlerPath,
      env,
      batchSize: options.batchSize,
      maxConcurrency: options.maxConcurrency,
      timeoutMs: options.timeoutMs,
      idleMs: 1_000,
      onLog: (line) => {
        options.onLog?.(line);
        const record = parseJson(line);
        if (record?.log_type === 'audit') {
          audits.push(record);
          options.onAudit?.(record);
        }
      },
    });
    const dlq = (await drainQueue(queues.sqs, queues.dlqUrl)).map(readDlqRecord);
    const keys = hopsOf(requested, created, emulator, ingest.requests, audits, config);
    const result: Omit<PathRunResult, 'checks'> = {
      keys,
      wire,
      ingestRequests: ingest.requests,
      ingestInitMs: ingest.initMs,
      ingestUrl: ingest.url,
      topicUrn,
      audits,
      dlq,
      runner,
      emulator,
      config,
      smn: { ...emulator.smn.deliveries },
      cts: { ...emulator.cts.stats },
      stop,
    };
    return { ...result, checks: checkPath(result) };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The key a Notification carries, read from its `message` (the trace). */
function keyIdOfDelivery(body: string): string | undefined {
  const envelope = parseJson(body);
  const message = typeof envelope?.message === 'string' ? parseJson(envelope.message) : undefined;
  return typeof message?.resource_id === 'string' ? message.resource_id : undefined;
}

function hopsOf(
  requested: readonly PathKeyRequest[],
  created: ReadonlyArray<KeyHops['created']>,
  emulator: KmsEmulator,
  requests: readonly IngestRequestSeen[],
  audits: ReadonlyArray<Record<string, unknown>>,
  config: Config,
): KeyHops[] {
  return requested.map((key, i) => {
    const made = created[i] ?? { ok: false, status: 0, code: 'not attempted' };
    const keyId = made.ok ? made.keyId : undefined;
    const trace = emulator.cts.traces.find((t) =>
      keyId === undefined
        ? t.resource_id === undefined && String(t.request).includes(JSON.stringify(key.keyAlias))
        : t.resource_id === keyId,
    );
    const notifications = requests.filter(
      (r) => r.smnType === 'Notification' && keyId !== undefined && keyIdOfDelivery(r.body) === keyId,
    );
    const last = notifications.at(-1);
    const attempts = emulator.smn.deliveryLog.filter((d) => d.messageId === last?.smnMessageId);
    const audit = [...audits].reverse().find((a) => a.key_id === keyId && a.disposition !== 'retry');
    let expectedAlias: string | undefined;
    if (made.ok && trace !== undefined) {
      const event = normaliseEvent(JSON.stringify(trace));
      if (event.kind === 'key_created') {
        const derived = deriveAlias(config.aliasTemplate, event.event);
        if (derived.ok) expectedAlias = derived.alias;
      }
    }
    return {
      keyAlias: key.keyAlias,
      keySpec: key.keySpec,
      created: made,
      traceCode: trace === undefined ? undefined : String(trace.code),
      smnMessageId: last?.smnMessageId,
      deliveryAttempts: attempts.length,
      deliveryStatus: attempts.at(-1)?.status,
      ingestReason: last?.reason,
      outcome: typeof audit?.outcome === 'string' ? audit.outcome : undefined,
      alias: typeof audit?.alias === 'string' ? audit.alias : undefined,
      expectedAlias,
      aliases: keyId === undefined ? [] : emulator.state.aliasesOf(keyId),
    };
  });
}

/** What the whole path promises: every created key got its alias through it, and nothing was lost. */
function checkPath(r: Omit<PathRunResult, 'checks'>): PathRunResult['checks'] {
  const checks: PathRunResult['checks'] = [];
  const [apply, check] = r.wire;
  checks.push({
    name: 'wire set up topic, subscription and notification; wire --check is healthy',
    pass: apply?.exitCode === 0 && check?.exitCode === 0 && (check?.output.includes('Healthy.') ?? false),
    detail: `exit ${apply?.exitCode} then ${check?.exitCode}`,
  });
  const confirmed = r.ingestRequests.filter(
    (q) => q.smnType === 'SubscriptionConfirmation' && q.reason === 'subscription_confirmed',
  );
  checks.push({
    name: "the ingest confirmed SMN's subscription (signed SubscriptionConfirmation)",
    pass: confirmed.length >= 1,
    detail: `${confirmed.length} confirmed`,
  });
  const made = r.keys.filter((k) => k.created.ok);
  const viaPath = made.filter(
    (k) =>
      k.smnMessageId !== undefined &&
      k.ingestReason === 'enqueued' &&
      k.outcome === 'created' &&
      k.expectedAlias !== undefined &&
      k.alias === k.expectedAlias &&
      k.aliases.length === 1 &&
      k.aliases[0] === k.expectedAlias,
  );
  checks.push({
    name: 'every created key got its alias via CTS → SMN → ingest → queue → handler',
    pass: made.length > 0 && viaPath.length === made.length,
    detail: `${viaPath.length} of ${made.length} keys`,
  });
  const refused = r.keys.filter((k) => !k.created.ok);
  checks.push({
    name: 'a refused createKey is traced but not notified (filter code = 200)',
    pass: refused.every((k) => k.traceCode !== undefined && k.traceCode !== '200' && k.smnMessageId === undefined),
    detail: `${refused.length} refused`,
  });
  checks.push({
    name: 'every SMN delivery landed, none dropped',
    pass: r.smn.dropped === 0 && r.smn.delivered === r.smn.queued,
    detail: `${r.smn.delivered} delivered of ${r.smn.queued}, ${r.smn.attempts} attempts`,
  });
  const enqueued = r.ingestRequests.filter((q) => q.reason === 'enqueued').length;
  const final = r.audits.filter((a) => a.disposition !== 'retry');
  checks.push({
    name: 'one final decision per enqueued message',
    pass: final.length === enqueued,
    detail: `${final.length} decisions for ${enqueued} messages`,
  });
  checks.push({
    name: 'nothing in the DLQ',
    pass: r.dlq.length === 0,
    detail: `${r.dlq.length} messages`,
  });
  return checks;
}
