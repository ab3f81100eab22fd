import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startKmsEmulator, type KmsEmulator, type KmsEmulatorOptions } from '../emulator/kms-emulator.ts';
import { loadConfig, type Config } from '../lib/config/load-config.ts';
import { readDlqRecord, type DlqRecordView } from '../lib/dlq/read-dlq-record.ts';
import { drainQueue } from './drain-queue.ts';
import { type LocalQueues, queueArnOf, startLocalQueues } from './local-queues.ts';
import { runEventSource, type InvocationReport, type RunnerStats } from './event-source-runner.ts';
import { LOCAL_ACCOUNT, LOCAL_EMULATOR_ACCOUNT } from '../test/support/local-account.ts';
import { buildScenario, readEventBodies, type Scenario } from './local-scenario.ts';
import { createAnnouncedKey } from '../test/support/create-announced-key.ts';

export interface LocalRunOptions {
  /** Directory of event bodies (default `events/`). */
  eventsDir: string;
  /** Bodies to send instead of the directory's (benchmarks generate them); `eventsDir` is then not read. */
  bodies?: ReadonlyArray<{ name: string; body: string }>;
  /** Add the made-up duplicate, conflict and invalid messages (default: only with the sample events). */
  extras: boolean;
  /** The built handler. */
  handlerPath: string;
  /** The user's environment: same variables as the Lambda; emulator values fill what is unset. */
  env: Record<string, string | undefined>;
  /** A real KMS endpoint instead of the emulator (credentials then come from `env`). */
  kmsEndpoint?: string;
  /** A real queue instead of fauxqs (the DLQ then comes from `DLQ_URL`). */
  queueUrl?: string;
  batchSize: number;
  maxConcurrency: number;
  timeoutMs: number;
  /** Local visibility timeout (seconds): deployed it is ≥ 6 × the function timeout. */
  visibilityTimeoutS: number;
  emulatorOptions?: KmsEmulatorOptions;
  onAudit?: (record: Record<string, unknown>) => void;
  onLog?: (line: string) => void;
  onInvocation?: (report: InvocationReport) => void;
  killAfter?: (invocation: number) => number | undefined;
  /** Called once the stack is up and before the messages are sent (chaos runs add faults here). */
  beforeSend?: (stack: { emulator: KmsEmulator | undefined; config: Config }) => void | Promise<void>;
}

export type DlqEntry = DlqRecordView;

export interface LocalRunResult {
  scenario: Scenario;
  audits: Array<Record<string, unknown>>;
  dlq: DlqEntry[];
  runner: RunnerStats;
  emulator: KmsEmulator | undefined;
  config: Config;
  /** Key id → aliases it holds at the end (emulator only). */
  aliases: Map<string, string[]>;
  /** API calls by operation and status (emulator only). */
  calls: Map<string, number>;
  checks: Array<{ name: string; pass: boolean; detail: string }>;
  stop(): Promise<void>;
}

/**
 * `npm start`: the real job on an embedded default. Starts the KMS emulator and an SQS-compatible
 * server (fauxqs) in-process, creates the key-events queue with its redrive policy and the DLQ,
 * creates the keys the events announce, sends the events, and drains the queue through the
 * deployed bundle exactly as Lambda's event source would.
 */
export async function runLocal(options: LocalRunOptions): Promise<LocalRunResult> {
  const emulator =
    options.kmsEndpoint === undefined
      ? await startKmsEmulator({ accounts: [LOCAL_EMULATOR_ACCOUNT], ...options.emulatorOptions })
      : undefined;
  const awsRegion = options.env.AWS_REGION ?? 'us-east-1';
  const maxReceiveCount = options.env.MAX_RECEIVE_COUNT ?? '5';
  let local: LocalQueues | undefined;
  try {
    if (options.queueUrl === undefined) {
      local = await startLocalQueues({ awsRegion, visibilityTimeoutS: options.visibilityTimeoutS, maxReceiveCount });
    }
  } catch (err) {
    await emulator?.stop();
    throw err;
  }
  const sqsEndpoint = local?.sqsEndpoint ?? options.env.SQS_ENDPOINT;
  const sqs =
    local?.sqs ?? new SQSClient({ region: awsRegion, ...(sqsEndpoint === undefined ? {} : { endpoint: sqsEndpoint }) });
  const stop = async () => {
    if (local === undefined) sqs.destroy();
    await emulator?.stop();
    await local?.stop();
  };
  try {
    const queueUrl = local?.queueUrl ?? options.queueUrl;
    const dlqUrl = local?.dlqUrl ?? options.env.DLQ_URL;
    if (queueUrl === undefined || dlqUrl === undefined) throw new Error('a real queue needs DLQ_URL too');

    const env = functionEnv(options, { emulator, dlqUrl, sqsEndpoint, awsRegion, maxReceiveCount });
    const config = loadConfig(env);
    const projectId = config.projects.keys().next().value ?? LOCAL_ACCOUNT.projectId;
    const scenario = buildScenario(options.bodies ?? readEventBodies(options.eventsDir), config.aliasTemplate, {
      projectId,
      extras: options.extras,
    });
    if (emulator !== undefined) {
      for (const key of scenario.keys) {
        createAnnouncedKey(emulator, key.event);
        for (const alias of key.aliases) emulator.state.putAlias(key.event.project_id, key.event.key_id, alias);
      }
    }
    await options.beforeSend?.({ emulator, config });
    for (let i = 0; i < scenario.messages.length; i += 10) {
      const chunk = scenario.messages.slice(i, i + 10);
      const sent = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: chunk.map((m, j) => ({ Id: String(j), MessageBody: m.body })),
        }),
      );
      if ((sent.Failed ?? []).length > 0) throw new Error(`could not enqueue ${sent.Failed?.length} messages`);
    }

    const audits: Array<Record<string, unknown>> = [];
    const runner = await runEventSource({
      sqs,
      queueUrl,
      queueArn: await queueArnOf(sqs, queueUrl),
      handlerPath: options.handlerPath,
      env,
      batchSize: options.batchSize,
      maxConcurrency: options.maxConcurrency,
      timeoutMs: options.timeoutMs,
      idleMs: 1_000,
      ...(options.killAfter === undefined ? {} : { killAfter: options.killAfter }),
      ...(options.onInvocation === undefined ? {} : { onInvocation: options.onInvocation }),
      onLog: (line) => {
        options.onLog?.(line);
        const record = parseJson(line);
        if (record?.log_type === 'audit') {
          audits.push(record);
          options.onAudit?.(record);
        }
      },
    });
    const dlq = (await drainQueue(sqs, dlqUrl)).map(readDlqRecord);
    const aliases = new Map<string, string[]>();
    const calls = new Map<string, number>();
    if (emulator !== undefined) {
      for (const key of emulator.state.keys()) aliases.set(key.key_id, emulator.state.aliasesOf(key.key_id));
      for (const call of emulator.calls) {
        const name = `${call.operation} ${call.status || 'no answer'}`;
        calls.set(name, (calls.get(name) ?? 0) + 1);
      }
    }
    const checks = checkOutcomes(scenario, audits, dlq, aliases, emulator !== undefined);
    return { scenario, audits, dlq, runner, emulator, config, aliases, calls, checks, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The create-key-alias function's environment: the user's, with the emulator's account and the local queues. */
export function functionEnv(
  options: Pick<LocalRunOptions, 'env' | 'kmsEndpoint' | 'queueUrl'>,
  s: {
    emulator: KmsEmulator | undefined;
    dlqUrl: string;
    sqsEndpoint: string | undefined;
    awsRegion: string;
    maxReceiveCount: string;
  },
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.env)) if (v !== undefined) env[k] = v;
  if (s.emulator !== undefined) {
    // The emulator's account and credentials replace whatever Huawei settings the shell has:
    // a real AK/SK is never sent to a local process.
    for (const name of Object.keys(env)) {
      if (/^(HUAWEICLOUD_|CLOUD_SDK_)/.test(name)) delete env[name];
    }
    Object.assign(env, {
      HUAWEICLOUD_REGION: LOCAL_ACCOUNT.region,
      HUAWEICLOUD_PROJECT_ID: LOCAL_ACCOUNT.projectId,
      HUAWEICLOUD_SDK_AK: LOCAL_ACCOUNT.ak,
      HUAWEICLOUD_SDK_SK: LOCAL_ACCOUNT.sk,
      KMS_ENDPOINT: s.emulator.url,
      IAM_ENDPOINT: s.emulator.url,
    });
  } else if (options.kmsEndpoint !== undefined) {
    env.KMS_ENDPOINT = options.kmsEndpoint;
  }
  env.DLQ_URL = s.dlqUrl;
  env.AWS_REGION = s.awsRegion;
  env.MAX_RECEIVE_COUNT = s.maxReceiveCount;
  if (s.sqsEndpoint !== undefined) env.SQS_ENDPOINT = s.sqsEndpoint;
  if (options.queueUrl === undefined) {
    env.AWS_ACCESS_KEY_ID = 'local';
    env.AWS_SECRET_ACCESS_KEY = 'local';
    delete env.AWS_SESSION_TOKEN;
    delete env.AWS_PROFILE;
  }
  return env;
}

/** What `npm start` promises: each message ended where it should, nothing lost. */
function checkOutcomes(
  scenario: Scenario,
  audits: ReadonlyArray<Record<string, unknown>>,
  dlq: readonly DlqEntry[],
  aliases: ReadonlyMap<string, string[]>,
  haveEmulator: boolean,
): LocalRunResult['checks'] {
  const checks: LocalRunResult['checks'] = [];
  if (haveEmulator) {
    const wrong = [...scenario.expectedAliases].filter(([keyId, alias]) => !(aliases.get(keyId) ?? []).includes(alias));
    checks.push({
      name: 'every key carries its alias',
      pass: wrong.length === 0,
      detail:
        wrong.length === 0 ? `${scenario.expectedAliases.size} keys` : `missing on ${wrong.map(([k]) => k).join(', ')}`,
    });
  }
  for (const kind of ['invalid', 'conflict'] as const) {
    const expected = scenario.messages
      .filter((m) => m.expect === kind)
      .map((m) => m.body)
      .sort();
    const found = dlq
      .filter((d) => d.reason === kind || d.reason.startsWith(`${kind}:`))
      .map((d) => d.body)
      .sort();
    checks.push({
      name: `${kind} messages are in the DLQ with their reason`,
      pass: JSON.stringify(expected) === JSON.stringify(found),
      detail: `${found.length} of ${expected.length}`,
    });
  }
  const final = audits.filter((a) => a.disposition !== 'retry');
  checks.push({
    name: 'one final decision per message',
    pass: final.length === scenario.messages.length,
    detail: `${final.length} decisions for ${scenario.messages.length} messages`,
  });
  const unexpected = dlq.filter(
    (d) => !scenario.messages.some((m) => m.body === d.body && (m.expect === 'invalid' || m.expect === 'conflict')),
  );
  checks.push({
    name: 'nothing else in the DLQ',
    pass: unexpected.length === 0,
    detail: `${unexpected.length} unexpected`,
  });
  return checks;
}

export function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
