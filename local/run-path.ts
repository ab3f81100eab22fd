/**
 * `npm start` (default): the whole path on this machine. The emulated Huawei account is wired
 * with the real `kms-auto-alias wire` (SMN topic, HTTP subscription with the ingest token, CTS key
 * event notification); keys are created through the KMS API with the project's signer; CTS
 * records each trace and its notification publishes it to the topic; SMN delivers it, signed, to
 * the built ingest bundle behind a local HTTP server; the ingest verifies it and enqueues it on
 * fauxqs; the built create-key-alias bundle drains the queue as Lambda's event source does and
 * creates the aliases.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { main } from '../cli/main.ts';
import { startKmsEmulator, type KmsEmulator } from '../emulator/kms-emulator.ts';
import { DEFAULT_TOPIC_NAME } from '../lib/bridge/desired-wiring.ts';
import { loadConfig } from '../lib/config/load-config.ts';
import { readDlqRecord } from '../lib/dlq/read-dlq-record.ts';
import { KmsApiError } from '../lib/errors/huawei-errors.ts';
import { createAkSkAuth } from '../lib/huawei/aksk-auth.ts';
import { INGEST_TOKEN_HEADER } from '../lib/ingest/check-ingest-token.ts';
import { createKmsTestClient, type KmsTestClient } from '../test/support/kms-test-client.ts';
import {
  PATH_ACCOUNTS,
  type PathAccount,
  type PathAccountName,
  pathAccountsJson,
  SERVED_ACCOUNTS,
} from './path-accounts.ts';
import { drainQueue } from './drain-queue.ts';
import { runEventSource, type RunnerStats } from './event-source-runner.ts';
import { startLocalIngest } from './ingest-server.ts';
import { type LocalQueues, startLocalQueues } from './local-queues.ts';
import { checkPath, type HandMadeAlias, type PathCheck, type PathEvidence, type WireStep } from './check-path.ts';
import { type CallResult, hopsOf, type KeyHops, type MadeCall, type RelayedTrace } from './path-hops.ts';
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
  /** The SMN topic of each served account's project, by account name. */
  topicUrns: Record<string, string>;
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
    accounts: Object.values(PATH_ACCOUNTS).map((a) => a.emulator),
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
    // One deployment for two accounts: the security account with the central AK/SK, payments
    // through its agency, assumed with the central AK/SK at STS (served by the emulator).
    const central = PATH_ACCOUNTS.security;
    delete env.HUAWEICLOUD_PROJECT_ID;
    Object.assign(env, {
      HUAWEICLOUD_ACCOUNTS: pathAccountsJson(),
      HUAWEICLOUD_REGION: central.region,
      HUAWEICLOUD_SDK_AK: central.ak,
      HUAWEICLOUD_SDK_SK: central.sk,
      STS_ENDPOINT: emulator.url,
    });
    const config = loadConfig(env);
    const topicUrns = Object.fromEntries(
      SERVED_ACCOUNTS.map((a) => [a.name, `urn:smn:${a.region}:${a.projectId}:${DEFAULT_TOPIC_NAME}`]),
    );
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
        // Both accounts' topics: an allow-list that lacked one would refuse its account's events.
        SMN_TOPIC_URNS: Object.values(topicUrns).join(','),
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
    // wire walks every project of HUAWEICLOUD_ACCOUNTS, each with its account's identity.
    const operatorEnv = {
      HUAWEICLOUD_ACCOUNTS: env.HUAWEICLOUD_ACCOUNTS,
      HUAWEICLOUD_REGION: central.region,
      HUAWEICLOUD_SDK_AK: central.ak,
      HUAWEICLOUD_SDK_SK: central.sk,
      STS_ENDPOINT: emulator.url,
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

    // Calls made by a user of each account, with that account's own AK/SK signer.
    const clients = new Map<PathAccountName, KmsTestClient>();
    const kmsOf = (account: PathAccount): KmsTestClient => {
      const known = clients.get(account.name);
      if (known !== undefined) return known;
      const client = createKmsTestClient({
        endpointFor: () => emulator.url,
        auth: createAkSkAuth({ ak: account.ak, sk: account.sk }),
      });
      clients.set(account.name, client);
      return client;
    };
    const relay = (body: string) => relayToIngest(ingest.url, token, body);
    const audits: Array<Record<string, unknown>> = [];
    const runners: RunnerStats[] = [];
    const events: KeyHops[] = [];
    const handMade: HandMadeAlias[] = [];
    const keyIds = new Map<string, string>();
    // With `keep`, a deletion only writes an audit record: the later phases would show nothing.
    const deletionPhases = config.onKeyDeletion === 'release';
    const all = options.phases ?? DEFAULT_PATH_PHASES;
    const phases = deletionPhases ? all : all.filter((p) => p.deletions !== true);
    if (!deletionPhases)
      step('ON_KEY_DELETION=keep: the deletion phases do not run (a deletion would only be audited)');
    for (const [i, phase] of phases.entries()) {
      step(`\nphase ${i + 1}: ${phase.title}`);
      const made: MadeCall[] = [];
      for (const action of phase.actions) {
        const account = PATH_ACCOUNTS[action.account ?? 'security'];
        const { call, relayed } = await perform(kmsOf(account), action, account, keyIds, emulator, relay);
        step(`  ${describeCall(action, account, call, relayed)}`);
        if (action.kind === 'createAlias') {
          handMade.push({
            keyAlias: action.keyAlias,
            keyId: keyIds.get(keyRef(account.name, action.keyAlias)),
            alias: action.alias,
            ok: call.ok,
          });
        } else {
          made.push({
            phase: i + 1,
            action,
            account: account.name,
            call,
            ...(relayed === undefined ? {} : { relayed }),
          });
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
      topicUrns,
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

const keyRef = (account: PathAccountName, keyAlias: string) => `${account}/${keyAlias}`;

/** POSTs a body to the ingest URL with the ingest token, as an EventGrid subscription or a relay does. */
async function relayToIngest(url: string, token: string, body: string): Promise<number> {
  const answer = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [INGEST_TOKEN_HEADER]: token },
    body,
  });
  await answer.arrayBuffer();
  return answer.status;
}

/** The trace CTS recorded for a call of `keyId` (the emulator's CTS, the account's own trail). */
function ctsTraceOf(emulator: KmsEmulator, traceName: string, keyId: string): Record<string, unknown> {
  const trace = (emulator.cts.traces as ReadonlyArray<Record<string, unknown>>).find(
    (t) => t.trace_name === traceName && t.resource_id === keyId,
  );
  if (trace === undefined) throw new Error(`CTS recorded no ${traceName} trace of key ${keyId}`);
  return trace;
}

/**
 * One action through the KMS API (or the relay); a refusal is a result (the run shows it),
 * anything else throws. `relayed`: the trace sent to the ingest with the token, when one was.
 */
async function perform(
  kms: KmsTestClient,
  action: PathAction,
  account: PathAccount,
  keyIds: Map<string, string>,
  emulator: KmsEmulator,
  relay: (body: string) => Promise<number>,
): Promise<{ call: CallResult; relayed?: RelayedTrace }> {
  const { region, projectId } = account;
  const keyIdOf = (name: string): string => {
    const id = keyIds.get(keyRef(account.name, name));
    if (id === undefined) throw new Error(`the run's scenario names key ${name} before creating it`);
    return id;
  };
  try {
    switch (action.kind) {
      case 'createKey': {
        const made = await kms.createKey({ region, projectId, keyAlias: action.keyAlias, keySpec: action.keySpec });
        const keyId = made.keyInfo.key_id;
        keyIds.set(keyRef(account.name, action.keyAlias), keyId);
        if (action.relayed !== true) return { call: { ok: true, keyId } };
        const trace = ctsTraceOf(emulator, 'createKey', keyId);
        const status = await relay(JSON.stringify(trace));
        return { call: { ok: true, keyId }, relayed: { traceId: String(trace.trace_id), status } };
      }
      case 'forgeTrace': {
        const keyId = keyIdOf(action.keyAlias);
        const claimed = PATH_ACCOUNTS[action.claims];
        // The real trace with every mention of its account replaced by the claimed one.
        const forged = JSON.parse(
          JSON.stringify(ctsTraceOf(emulator, 'createKey', keyId)).replaceAll(account.domainId, claimed.domainId),
        ) as Record<string, unknown>;
        forged.trace_id = randomUUID();
        const status = await relay(JSON.stringify(forged));
        return { call: { ok: true, keyId }, relayed: { traceId: String(forged.trace_id), status } };
      }
      case 'createAlias': {
        const keyId = keyIdOf(action.keyAlias);
        await kms.createAlias({ region, projectId, keyId, alias: action.alias });
        return { call: { ok: true, keyId } };
      }
      case 'scheduleKeyDeletion': {
        const keyId = keyIdOf(action.keyAlias);
        await kms.scheduleKeyDeletion({ region, projectId, keyId, pendingDays: 7 });
        return { call: { ok: true, keyId } };
      }
      case 'cancelKeyDeletion': {
        const keyId = keyIdOf(action.keyAlias);
        await kms.cancelKeyDeletion({ region, projectId, keyId });
        // The team enables the key again (the console's "Enable"): the emulator serves no
        // EnableKey call, so its state is set directly.
        emulator.state.setKeyState(keyId, '2');
        return { call: { ok: true, keyId } };
      }
    }
  } catch (err) {
    if (!(err instanceof KmsApiError)) throw err;
    return { call: { ok: false, status: err.status, code: err.huaweiCode ?? err.code } };
  }
}

function describeCall(action: PathAction, account: PathAccount, call: CallResult, relayed?: RelayedTrace): string {
  const result = call.ok ? `key ${call.keyId.slice(0, 8)}` : `refused ${call.status} ${call.code}`;
  const where = account.name === 'security' ? '' : ` in account ${account.name}`;
  const relay = relayed === undefined ? '' : `; its trace relayed to the ingest with the token: ${relayed.status}`;
  switch (action.kind) {
    case 'createKey':
      return `createKey ${action.keyAlias} (${action.keySpec})${where}: ${result}${relay}`;
    case 'forgeTrace':
      return `forged: the createKey trace of ${action.keyAlias}${where}, its account rewritten to ${action.claims}, relayed with the token: ${relayed?.status ?? '?'}`;
    case 'createAlias':
      return `createAlias ${action.alias} on ${action.keyAlias}${where}, by hand: ${call.ok ? 'done' : result}`;
    case 'scheduleKeyDeletion':
      return `scheduleKeyDeletion ${action.keyAlias}${where} (7 days): ${result}`;
    case 'cancelKeyDeletion':
      return `cancelKeyDeletion ${action.keyAlias}${where}, then enabled it again: ${result}`;
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
