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
import { loadConfig } from '../lib/config/load-config.ts';
import { readDlqRecord } from '../lib/dlq/read-dlq-record.ts';
import { KmsApiError } from '../lib/errors/huawei-errors.ts';
import { createAkSkAuth } from '../lib/huawei/aksk-auth.ts';
import { createKmsTestClient, type KmsTestClient } from '../test/support/kms-test-client.ts';
import { LOCAL_ACCOUNT, LOCAL_EMULATOR_ACCOUNT } from '../test/support/local-account.ts';
import { drainQueue } from './drain-queue.ts';
import { runEventSource, type RunnerStats } from './event-source-runner.ts';
import { startLocalIngest } from './ingest-server.ts';
import { type LocalQueues, startLocalQueues } from './local-queues.ts';
import { checkPath, type HandMadeAlias, type PathCheck, type PathEvidence, type WireStep } from './check-path.ts';
import { type CallResult, hopsOf, type KeyHops, type MadeCall } from './path-hops.ts';
import { DEFAULT_PATH_PHASES, type PathAction, type PathPhase, withPathDefaults } from './path-scenario.ts';
import { type DlqEntry, functionEnv, parseJson } from './run-local.ts';

export type { KeyHops } from './path-hops.ts';
export type { WireStep } from './check-path.ts';

export interface PathRunOptions {
  /** The built create-key-alias bundle. */
  handlerPath: string;
  /** The built ingest bundle. */
  ingestHandlerPath: string;
  /**
   * The user's environment (ALIAS_TEMPLATE, ...) over the run's embedded default
   * (local/path-scenario.ts); the emulator's account replaces any Huawei settings.
   */
  env: Record<string, string | undefined>;
  phases?: readonly PathPhase[];
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

export interface PathRunResult extends PathEvidence {
  /** The titles of the phases that ran. */
  phases: string[];
  ingestInitMs: number;
  ingestUrl: string;
  topicUrn: string;
  audits: Array<Record<string, unknown>>;
  dlq: DlqEntry[];
  runner: RunnerStats;
  cts: { traces: number; notified: number; published: number; missingTopic: number };
  checks: PathCheck[];
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
      { env: withPathDefaults(options.env) },
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

    // Calls made by a user of the account, with the project's AK/SK signer.
    const kms = createKmsTestClient({
      endpointFor: () => emulator.url,
      auth: createAkSkAuth({ ak: LOCAL_ACCOUNT.ak, sk: LOCAL_ACCOUNT.sk }),
    });
    const audits: Array<Record<string, unknown>> = [];
    const runners: RunnerStats[] = [];
    const events: KeyHops[] = [];
    const handMade: HandMadeAlias[] = [];
    const keyIds = new Map<string, string>();
    // With `keep`, a deletion only writes an audit record: the later phases would show nothing.
    const deletionPhases = config.onKeyDeletion === 'release';
    const all = options.phases ?? DEFAULT_PATH_PHASES;
    const phases = deletionPhases ? all : all.slice(0, 1);
    if (!deletionPhases) step('ON_KEY_DELETION=keep: only the first phase runs (a deletion would only be audited)');
    for (const [i, phase] of phases.entries()) {
      step(`\nphase ${i + 1}: ${phase.title}`);
      const made: MadeCall[] = [];
      for (const action of phase.actions) {
        const call = await perform(kms, action, keyIds, emulator);
        step(`  ${describeCall(action, call)}`);
        if (action.kind === 'createAlias') {
          handMade.push({
            keyAlias: action.keyAlias,
            keyId: keyIds.get(action.keyAlias),
            alias: action.alias,
            ok: call.ok,
          });
        } else {
          made.push({ phase: i + 1, action, call });
        }
      }
      await emulator.cts.idle();
      step(`  CTS → SMN → ingest settled: ${ingest.requests.length} requests to the ingest so far`);
      runners.push(await drain(options, queues, env, audits));
      for (const m of made) events.push(hopsOf(m, emulator, ingest.requests, audits, config));
    }
    const dlq = (await drainQueue(queues.sqs, queues.dlqUrl)).map(readDlqRecord);
    const evidence: PathEvidence = {
      events,
      handMade,
      deletionPhases,
      wire,
      ingestRequests: ingest.requests,
      audits,
      dlq,
      emulator,
      config,
      smn: { ...emulator.smn.deliveries },
    };
    return {
      ...evidence,
      phases: phases.map((p) => p.title),
      ingestInitMs: ingest.initMs,
      ingestUrl: ingest.url,
      topicUrn,
      audits,
      dlq,
      runner: sumRunners(runners),
      cts: { ...emulator.cts.stats },
      checks: checkPath(evidence),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** One action through the KMS API; a refusal is a result (the run shows it), anything else throws. */
async function perform(
  kms: KmsTestClient,
  action: PathAction,
  keyIds: Map<string, string>,
  emulator: KmsEmulator,
): Promise<CallResult> {
  const { region, projectId } = LOCAL_ACCOUNT;
  const keyIdOf = (name: string): string => {
    const id = keyIds.get(name);
    if (id === undefined) throw new Error(`the run's scenario names key ${name} before creating it`);
    return id;
  };
  try {
    switch (action.kind) {
      case 'createKey': {
        const made = await kms.createKey({ region, projectId, keyAlias: action.keyAlias, keySpec: action.keySpec });
        keyIds.set(action.keyAlias, made.keyInfo.key_id);
        return { ok: true, keyId: made.keyInfo.key_id };
      }
      case 'createAlias': {
        const keyId = keyIdOf(action.keyAlias);
        await kms.createAlias({ region, projectId, keyId, alias: action.alias });
        return { ok: true, keyId };
      }
      case 'scheduleKeyDeletion': {
        const keyId = keyIdOf(action.keyAlias);
        await kms.scheduleKeyDeletion({ region, projectId, keyId, pendingDays: 7 });
        return { ok: true, keyId };
      }
      case 'cancelKeyDeletion': {
        const keyId = keyIdOf(action.keyAlias);
        await kms.cancelKeyDeletion({ region, projectId, keyId });
        // The team enables the key again (the console's "Enable"): the emulator serves no
        // EnableKey call, so its state is set directly.
        emulator.state.setKeyState(keyId, '2');
        return { ok: true, keyId };
      }
    }
  } catch (err) {
    if (!(err instanceof KmsApiError)) throw err;
    return { ok: false, status: err.status, code: err.huaweiCode ?? err.code };
  }
}

function describeCall(action: PathAction, call: CallResult): string {
  const result = call.ok ? `key ${call.keyId.slice(0, 8)}` : `refused ${call.status} ${call.code}`;
  switch (action.kind) {
    case 'createKey':
      return `createKey ${action.keyAlias} (${action.keySpec}): ${result}`;
    case 'createAlias':
      return `createAlias ${action.alias} on ${action.keyAlias}, by hand: ${call.ok ? 'done' : result}`;
    case 'scheduleKeyDeletion':
      return `scheduleKeyDeletion ${action.keyAlias} (7 days): ${result}`;
    case 'cancelKeyDeletion':
      return `cancelKeyDeletion ${action.keyAlias}, then enabled it again: ${result}`;
  }
}

/** Drains the key-events queue through the built bundle, as Lambda's SQS event source does. */
async function drain(
  options: PathRunOptions,
  queues: LocalQueues,
  env: Record<string, string>,
  audits: Array<Record<string, unknown>>,
): Promise<RunnerStats> {
  return runEventSource({
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
}

/** The event source's figures over every drain of the run. */
function sumRunners(runs: readonly RunnerStats[]): RunnerStats {
  const receives = new Map<string, number>();
  for (const r of runs) for (const [id, n] of r.receives) receives.set(id, (receives.get(id) ?? 0) + n);
  const sum = (pick: (r: RunnerStats) => number) => runs.reduce((n, r) => n + pick(r), 0);
  return {
    invocations: sum((r) => r.invocations),
    coldStarts: sum((r) => r.coldStarts),
    timeouts: sum((r) => r.timeouts),
    killed: sum((r) => r.killed),
    errors: sum((r) => r.errors),
    received: sum((r) => r.received),
    deleted: sum((r) => r.deleted),
    reportedFailures: sum((r) => r.reportedFailures),
    receives,
    durationMs: sum((r) => r.durationMs),
  };
}
