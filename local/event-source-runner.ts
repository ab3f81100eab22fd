import { Worker } from 'node:worker_threads';
import { createInterface } from 'node:readline';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

/**
 * Drains an SQS queue the way Lambda's SQS event source mapping does, invoking the deployed
 * bundle: batches of up to `batchSize`, at most `maxConcurrency` instances at once, each
 * instance a worker thread that keeps its module state between invocations (warm starts) and
 * is killed on timeout (its next invocation is a cold start). Messages named in
 * `batchItemFailures` are left to reappear after the visibility timeout; the rest are deleted;
 * an invocation error, a timeout or a malformed response leaves the whole batch. The queue's own
 * redrive policy moves a message to the DLQ after maxReceiveCount. serverless-offline-sqs
 * cannot stand in for this: it deletes the whole batch whatever the handler returns.
 */
export interface RunnerOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  /** Path of the built handler (`dist/create-key-alias/handler.mjs`). */
  handlerPath: string;
  /** The function's environment (what serverless.yml sets). */
  env: Record<string, string>;
  batchSize?: number;
  maxConcurrency?: number;
  /** The function timeout: `getRemainingTimeInMillis()` counts down from it. */
  timeoutMs?: number;
  functionName?: string;
  /** Stop when the queue has been empty (visible and in flight) this long. */
  idleMs?: number;
  /** Give up after this long, whatever is left. */
  maxRunMs?: number;
  /** Kills an instance part way through an invocation, for chaos runs (returns ms, or undefined). */
  killAfter?: (invocation: number) => number | undefined;
  onLog?: (line: string) => void;
  onInvocation?: (report: InvocationReport) => void;
}

export interface InvocationReport {
  invocation: number;
  instance: number;
  coldStart: boolean;
  initMs: number | undefined;
  messages: number;
  /** The SQS message ids of the batch, in record order. */
  messageIds: string[];
  /** Epoch ms when the invocation started (before a cold start's init). */
  startedAt: number;
  result: 'ok' | 'error' | 'timeout' | 'killed' | 'malformed';
  failures: number;
  durationMs: number;
}

export interface RunnerStats {
  invocations: number;
  coldStarts: number;
  timeouts: number;
  killed: number;
  errors: number;
  received: number;
  deleted: number;
  reportedFailures: number;
  /** Receives per message id, to count redeliveries. */
  receives: Map<string, number>;
  durationMs: number;
}

interface Instance {
  id: number;
  worker: Worker;
  ready: Promise<number>;
  cold: boolean;
  busy: boolean;
}

export async function runEventSource(options: RunnerOptions): Promise<RunnerStats> {
  const batchSize = options.batchSize ?? 10;
  const maxConcurrency = options.maxConcurrency ?? 2;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const idleMs = options.idleMs ?? 1_500;
  const maxRunMs = options.maxRunMs ?? 10 * 60_000;
  const functionName = options.functionName ?? 'kms-auto-alias-local-createKeyAlias';
  const started = Date.now();
  const stats: RunnerStats = {
    invocations: 0,
    coldStarts: 0,
    timeouts: 0,
    killed: 0,
    errors: 0,
    received: 0,
    deleted: 0,
    reportedFailures: 0,
    receives: new Map(),
    durationMs: 0,
  };
  let nextInstance = 0;

  const spawn = (): Instance => {
    nextInstance += 1;
    const worker = new Worker(new URL('./lambda-worker.ts', import.meta.url), {
      workerData: { handlerPath: options.handlerPath },
      env: { ...options.env },
      stdout: true,
      stderr: true,
    });
    for (const stream of [worker.stdout, worker.stderr]) {
      createInterface({ input: stream }).on('line', (line) => options.onLog?.(line));
    }
    const ready = new Promise<number>((resolve, reject) => {
      worker.once('message', (m: { type: string; initMs?: number; message?: string }) =>
        m.type === 'ready' ? resolve(m.initMs ?? 0) : reject(new Error(`cold start failed: ${m.message}`)),
      );
      worker.once('error', reject);
    });
    ready.catch(() => undefined);
    return { id: nextInstance, worker, ready, cold: true, busy: false };
  };

  const invoke = async (
    instance: Instance,
    records: SQSRecord[],
  ): Promise<SQSBatchResponse | 'error' | 'timeout' | 'killed'> => {
    stats.invocations += 1;
    const invocation = stats.invocations;
    const begin = Date.now();
    const coldStart = instance.cold;
    instance.cold = false;
    let initMs: number | undefined;
    if (coldStart) stats.coldStarts += 1;
    const report = (result: InvocationReport['result'], failures: number) =>
      options.onInvocation?.({
        invocation,
        instance: instance.id,
        coldStart,
        initMs,
        messages: records.length,
        messageIds: records.map((r) => r.messageId),
        startedAt: begin,
        result,
        failures,
        durationMs: Date.now() - begin,
      });
    try {
      initMs = await instance.ready;
    } catch {
      stats.errors += 1;
      report('error', records.length);
      return 'error';
    }
    const event: SQSEvent = { Records: records };
    const deadline = Date.now() + timeoutMs;
    const killMs = options.killAfter?.(invocation);
    return new Promise((resolve) => {
      let settled = false;
      const finish = (
        value: SQSBatchResponse | 'error' | 'timeout' | 'killed',
        result: InvocationReport['result'],
        failures: number,
      ) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (killTimer !== undefined) clearTimeout(killTimer);
        instance.worker.off('message', onMessage);
        report(result, failures);
        resolve(value);
      };
      const onMessage = (m: { type: string; id: number; result?: unknown; message?: string }) => {
        if (m.id !== invocation) return;
        if (m.type === 'error') {
          stats.errors += 1;
          finish('error', 'error', records.length);
          return;
        }
        const response = parseBatchResponse(m.result, records);
        if (response === undefined) finish('error', 'malformed', records.length);
        else finish(response, 'ok', response.batchItemFailures.length);
      };
      // Lambda kills a timed-out instance: nothing after this point runs, the batch stays.
      const timer = setTimeout(() => {
        stats.timeouts += 1;
        void instance.worker.terminate();
        finish('timeout', 'timeout', records.length);
      }, timeoutMs);
      const killTimer =
        killMs === undefined
          ? undefined
          : setTimeout(() => {
              stats.killed += 1;
              void instance.worker.terminate();
              finish('killed', 'killed', records.length);
            }, killMs);
      instance.worker.on('message', onMessage);
      instance.worker.postMessage({ id: invocation, event, deadline, functionName });
    });
  };

  const toRecord = (message: Message): SQSRecord => {
    const a = message.Attributes ?? {};
    return {
      messageId: message.MessageId ?? '',
      receiptHandle: message.ReceiptHandle ?? '',
      body: message.Body ?? '',
      attributes: {
        ApproximateReceiveCount: a.ApproximateReceiveCount ?? '1',
        SentTimestamp: a.SentTimestamp ?? String(Date.now()),
        SenderId: a.SenderId ?? 'local',
        ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: message.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: options.queueArn,
      awsRegion: 'us-east-1',
    };
  };

  const queueIsEmpty = async () => {
    const attrs = await options.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: options.queueUrl,
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
        Number(a.ApproximateNumberOfMessagesDelayed ?? 0) ===
      0
    );
  };

  const poller = async (slot: number) => {
    let instance: Instance | undefined;
    let idleSince: number | undefined;
    while (Date.now() - started < maxRunMs) {
      const received = await options.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: options.queueUrl,
          MaxNumberOfMessages: batchSize,
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ['All'],
        }),
      );
      const messages = received.Messages ?? [];
      if (messages.length === 0) {
        if (await queueIsEmpty()) {
          idleSince ??= Date.now();
          if (Date.now() - idleSince >= idleMs) break;
        } else {
          idleSince = undefined;
        }
        await sleep(100 + slot * 10);
        continue;
      }
      idleSince = undefined;
      stats.received += messages.length;
      for (const m of messages) {
        const id = m.MessageId ?? '';
        stats.receives.set(id, (stats.receives.get(id) ?? 0) + 1);
      }
      instance ??= spawn();
      const records = messages.map(toRecord);
      const outcome = await invoke(instance, records);
      if (outcome === 'timeout' || outcome === 'killed') {
        instance = undefined;
        continue;
      }
      if (outcome === 'error') continue;
      stats.reportedFailures += outcome.batchItemFailures.length;
      const failed = new Set(outcome.batchItemFailures.map((f) => f.itemIdentifier));
      const done = messages.filter((m) => !failed.has(m.MessageId ?? ''));
      for (let i = 0; i < done.length; i += 10) {
        const chunk = done.slice(i, i + 10);
        await options.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: options.queueUrl,
            Entries: chunk.map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle ?? '' })),
          }),
        );
        stats.deleted += chunk.length;
      }
    }
    if (instance !== undefined) await instance.worker.terminate();
  };

  await Promise.all(Array.from({ length: maxConcurrency }, (_, slot) => poller(slot)));
  stats.durationMs = Date.now() - started;
  return stats;
}

/**
 * Lambda's rule for a partial batch response: `batchItemFailures` must be an array of
 * `{itemIdentifier}` naming messages of this batch; anything else fails the whole batch.
 */
export function parseBatchResponse(value: unknown, records: readonly SQSRecord[]): SQSBatchResponse | undefined {
  if (value === null || value === undefined) return { batchItemFailures: [] };
  if (typeof value !== 'object') return undefined;
  const failures = (value as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return { batchItemFailures: [] };
  if (!Array.isArray(failures)) return undefined;
  const ids = new Set(records.map((r) => r.messageId));
  const out: SQSBatchResponse['batchItemFailures'] = [];
  for (const f of failures) {
    const id = (f as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !ids.has(id)) return undefined;
    out.push({ itemIdentifier: id });
  }
  return { batchItemFailures: out };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
