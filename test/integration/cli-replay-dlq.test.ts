import {
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildDlqRecord, DLQ_ATTRIBUTE } from '../../lib/dlq/build-dlq-record.ts';
import type { ReplayReport } from '../../lib/replay/replay-dlq.ts';
import { replayDlq } from '../../lib/replay/replay-dlq.ts';
import { loadEventBody } from '../support/load-event.ts';
import { type LocalSqs, startLocalSqs } from '../support/start-sqs.ts';
import { runCli } from '../unit/cli/run-cli.ts';

// `kms-auto-alias replay-dlq` against fauxqs, an SQS-compatible server, in-process.

let sqs: LocalSqs;
let env: Record<string, string>;

beforeAll(async () => {
  sqs = await startLocalSqs('replay');
  env = {
    SQS_ENDPOINT: sqs.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    DLQ_URL: sqs.dlqUrl,
  };
});
afterAll(async () => sqs.stop());
beforeEach(async () => {
  sqs.server.reset();
  // reset() empties queues; make sure both exist again.
  sqs.server.createQueue('replay-dlq');
  sqs.server.createQueue('replay');
});

const context = {
  messageId: 'm-1',
  receiveCount: 1,
  firstReceivedAt: undefined,
  sourceQueueArn: undefined,
  keyId: '2d4f6a8c-0e1b-4d3f-9a5c-7e9b1d3f5a7c',
  projectId: undefined,
  region: undefined,
  attempts: 5,
  failedAt: '2026-11-29T00:00:00.000Z',
};
const error = { name: 'KmsApiError', code: 'KMS_THROTTLED', message: 'throttled', retryable: true };

/** One DLQ message per kind: three of our records and a bare body moved by the queue's redrive. */
const SEEDED = {
  throttled: buildDlqRecord(
    loadEventBody('canonical'),
    { kind: 'failed', reason: 'kms_throttled', detail: 'throttled', error, retryable: true },
    context,
  ),
  notJson: buildDlqRecord(
    '{"cts": ',
    { kind: 'invalid', reason: 'not_json', detail: 'body is not JSON' },
    { ...context, keyId: undefined },
  ),
  conflict: buildDlqRecord(
    loadEventBody('cts-create-key'),
    { kind: 'conflict', alias: 'alias/x', existingKeyId: 'k', detail: 'held' },
    context,
  ),
  redrive: { body: loadEventBody('eventgrid-cloudevent'), attributes: {} },
};

async function seedDlq(): Promise<void> {
  for (const record of Object.values(SEEDED)) {
    await sqs.client.send(
      new SendMessageCommand({
        QueueUrl: sqs.dlqUrl,
        MessageBody: record.body,
        ...(Object.keys(record.attributes).length === 0 ? {} : { MessageAttributes: record.attributes }),
      }),
    );
  }
}

async function drain(queueUrl: string): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    const page = await sqs.client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: 60,
        MessageAttributeNames: ['All'],
      }),
    );
    if (!page.Messages?.length) return all;
    all.push(...page.Messages);
  }
}

const bodies = (messages: Message[]) => messages.map((m) => m.Body).sort();
const replay = (...argv: string[]) => runCli(['replay-dlq', '--to', sqs.queueUrl, '--wait', '0', ...argv], { env });

describe('kms-auto-alias replay-dlq', () => {
  it('moves every record, ours and bare redrive bodies, with the original body untouched', async () => {
    await seedDlq();
    const run = await replay('--json');
    expect(run.code).toBe(0);
    const report = run.json<ReplayReport>();
    expect(report.moved.map((m) => m.reason).sort()).toEqual([
      'conflict',
      'failed:kms_throttled',
      'invalid:not_json',
      'redrive',
    ]);
    expect(report.moved.find((m) => m.reason === 'redrive')).toMatchObject({
      key_id: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
    });
    expect(report.left).toEqual([]);
    expect(bodies(await drain(sqs.queueUrl))).toEqual(bodies(Object.values(SEEDED).map((r) => ({ Body: r.body }))));
    expect(await drain(sqs.dlqUrl)).toEqual([]);
  });

  it('--filter moves only matching reasons (prefix) and leaves the rest visible in the DLQ', async () => {
    await seedDlq();
    const run = await replay('--filter', 'invalid', '--filter', 'failed:kms_throttled');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Moved \(2\):/);
    expect(run.stdout).toMatch(/Left in the DLQ \(2\):[\s\S]*conflict[\s\S]*filtered out/);
    expect(run.stdout).toContain('4 received, 2 moved, 2 left');
    expect(bodies(await drain(sqs.queueUrl))).toEqual(
      bodies([{ Body: SEEDED.throttled.body }, { Body: SEEDED.notJson.body }]),
    );
    const left = await drain(sqs.dlqUrl);
    expect(left.map((m) => m.MessageAttributes?.[DLQ_ATTRIBUTE.reason]?.StringValue ?? 'redrive').sort()).toEqual([
      'conflict',
      'redrive',
    ]);
  });

  it('--dry-run moves nothing, --max stops after N', async () => {
    await seedDlq();
    const dry = await replay('--dry-run', '--json');
    expect(dry.code).toBe(0);
    expect(dry.json<ReplayReport>().left.map((m) => m.why)).toEqual(['dry_run', 'dry_run', 'dry_run', 'dry_run']);
    expect(await drain(sqs.queueUrl)).toEqual([]);

    const limited = await replay('--max', '1', '--json');
    expect(limited.code).toBe(0);
    expect(limited.json<ReplayReport>().moved).toHaveLength(1);
    expect(await drain(sqs.queueUrl)).toHaveLength(1);
    expect(await drain(sqs.dlqUrl)).toHaveLength(3);
  });

  it('keeps every message whose send failed in the DLQ and exits 1', async () => {
    await seedDlq();
    const missing = sqs.queueUrl.replace(/replay$/, 'no-such-queue');
    const run = await runCli(['replay-dlq', '--to', missing, '--wait', '0'], { env });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('4 received, 0 moved, 4 left (4 sends failed)');
    expect(run.stdout).toMatch(/send failed: .*QueueDoesNotExist|send failed: .*exist/i);
    expect(await drain(sqs.dlqUrl)).toHaveLength(4);
  });
});

describe('replayDlq()', () => {
  it('deletes only what was sent when some sends fail', async () => {
    await seedDlq();
    let sends = 0;
    const flaky = {
      send: (command: unknown) => {
        if (command instanceof SendMessageCommand && sends++ % 2 === 1)
          return Promise.reject(new Error('network down'));
        return (sqs.client.send as (c: unknown) => Promise<unknown>)(command);
      },
    } as unknown as Pick<SQSClient, 'send'>;
    const report = await replayDlq(
      { from: sqs.dlqUrl, to: sqs.queueUrl, dryRun: false, filters: [], waitSeconds: 0 },
      { sqs: flaky },
    );

    expect(report.moved).toHaveLength(2);
    expect(report.left).toEqual([
      expect.objectContaining({ why: 'send_failed', detail: 'Error: network down' }),
      expect.objectContaining({ why: 'send_failed' }),
    ]);
    const inDlq = await drain(sqs.dlqUrl);
    expect(inDlq.map((m) => m.MessageId).sort()).toEqual(report.left.map((m) => m.message_id).sort());
    expect(await drain(sqs.queueUrl)).toHaveLength(2);
  });
});

describe('replayDlq() interrupted', () => {
  it('leaves what it received and exits the loop when the signal aborts', async () => {
    await seedDlq();
    const controller = new AbortController();
    const report = await replayDlq(
      { from: sqs.dlqUrl, to: sqs.queueUrl, dryRun: false, filters: [], waitSeconds: 0 },
      { sqs: sqs.client, signal: controller.signal, onProgress: (p) => p.moved === 1 && controller.abort() },
    );
    expect(report.interrupted).toBe(true);
    expect(report.moved).toHaveLength(1);
    expect(report.left.every((m) => m.why === 'interrupted')).toBe(true);
    expect(await drain(sqs.dlqUrl)).toHaveLength(3);
    expect(await drain(sqs.queueUrl)).toHaveLength(1);
  });
});

describe('replayDlq() longer than the visibility timeout', () => {
  it('goes on past pages of messages it has already seen until nothing matching is left', async () => {
    // Prepare: 10 records that the filter leaves, then 15 that it moves, 5 of them delayed by 1 s.
    // SQS returns messages in no set order; fauxqs puts those whose visibility ran out before
    // those whose delay ran out, which makes the page of already-seen messages certain.
    const send = (record: { body: string; attributes: Record<string, unknown> }, delaySeconds = 0) =>
      sqs.client.send(
        new SendMessageCommand({
          QueueUrl: sqs.dlqUrl,
          MessageBody: record.body,
          MessageAttributes: record.attributes as never,
          DelaySeconds: delaySeconds,
        }),
      );
    for (let i = 0; i < 10; i++) await send(SEEDED.notJson);
    for (let i = 0; i < 10; i++) await send(SEEDED.throttled);
    for (let i = 0; i < 5; i++) await send(SEEDED.throttled, 1);
    // Each move takes 200 ms, so the 10 left behind (hidden for 1 s) are visible again long before
    // the run is over, and the next page holds only messages the run has already seen.
    const slow = {
      send: async (command: unknown) => {
        if (command instanceof SendMessageCommand) await new Promise((r) => setTimeout(r, 200));
        return (sqs.client.send as (c: unknown) => Promise<unknown>)(command);
      },
    } as unknown as Pick<SQSClient, 'send'>;

    // Act
    const report = await replayDlq(
      {
        from: sqs.dlqUrl,
        to: sqs.queueUrl,
        dryRun: false,
        filters: ['failed:'],
        waitSeconds: 0,
        visibilityTimeoutSeconds: 1,
      },
      { sqs: slow },
    );

    // Assess
    expect(report.moved).toHaveLength(15);
    expect(report.left).toHaveLength(10);
    expect(report.left.every((m) => m.why === 'filtered_out')).toBe(true);
    expect(report.undrained).toBe(false);
    expect(await drain(sqs.queueUrl)).toHaveLength(15);
    expect((await drain(sqs.dlqUrl)).map((m) => m.Body)).toEqual(Array(10).fill(SEEDED.notJson.body));
  }, 20_000);
});

describe('replayDlq() with a visibility timeout shorter than its long poll', () => {
  it('gives up when seen messages keep coming back, and says the queue may not be drained', async () => {
    await seedDlq();
    const report = await replayDlq(
      {
        from: sqs.dlqUrl,
        to: sqs.queueUrl,
        dryRun: false,
        filters: ['no-such-reason'],
        waitSeconds: 2,
        visibilityTimeoutSeconds: 1,
      },
      { sqs: sqs.client },
    );
    expect(report.undrained).toBe(true);
    expect(report.moved).toEqual([]);
    expect(report.left).toHaveLength(4);
    expect(report.release_failed).toBe(0);
    expect(await drain(sqs.dlqUrl)).toHaveLength(4);
  }, 20_000);

  it("never loses a FIFO message to the source queue's deduplication window", async () => {
    // The queue's redrive moved a message to the DLQ minutes after it was sent: its deduplication
    // id is still inside the source queue's 5-minute window, so a send with that id is "accepted"
    // and dropped.
    const fifo = { FifoQueue: 'true' };
    const source = sqs.server.createQueue('replay-src.fifo', { attributes: fifo }).queueUrl;
    const dlq = sqs.server.createQueue('replay-dlq.fifo', { attributes: fifo }).queueUrl;
    const body = loadEventBody('canonical');
    const ids = { MessageGroupId: 'g-1', MessageDeduplicationId: 'dedup-1' };
    await sqs.client.send(new SendMessageCommand({ QueueUrl: source, MessageBody: body, ...ids }));
    // Consumed: the handler failed on it and the message left the source queue.
    const [consumed] = await drain(source);
    await sqs.client.send(new DeleteMessageCommand({ QueueUrl: source, ReceiptHandle: consumed?.ReceiptHandle }));
    await sqs.client.send(new SendMessageCommand({ QueueUrl: dlq, MessageBody: body, ...ids }));

    const run = await runCli(['replay-dlq', '--from', dlq, '--to', source, '--wait', '0', '--json'], { env });
    expect(run.code).toBe(0);
    expect(run.json<ReplayReport>().moved).toHaveLength(1);
    expect(bodies(await drain(source))).toEqual([body]);
  });
});
