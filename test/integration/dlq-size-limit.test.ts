// A DLQ record at the queue's size limit, against fauxqs, which enforces MaximumMessageSize the way
// SQS does (body plus every attribute's name, type and value). The original body always goes
// whole; the diagnosis is what gives way.
import { type Message, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDlqRecord, DLQ_ATTRIBUTE, type DlqRecord } from '../../lib/dlq/build-dlq-record.ts';
import { createDlqPublisher } from '../../lib/dlq/create-dlq-publisher.ts';
import {
  DLQ_MAX_MESSAGE_BYTES,
  MAX_DLQ_ATTRIBUTE_BYTES,
  SOURCE_MAX_MESSAGE_BYTES,
  sqsMessageBytes,
} from '../../lib/dlq/fit-dlq-record.ts';
import type { Outcome } from '../../lib/outcome/outcome.ts';
import { type LocalSqs, startLocalSqs } from '../support/start-sqs.ts';

/** SQS's classic limit, and the DLQ size of a stack that sizes both queues alike. */
const CLASSIC_LIMIT = 262_144;

let sqs: LocalSqs;
let smallDlqUrl: string;
let fullDlqUrl: string;

beforeAll(async () => {
  sqs = await startLocalSqs('size');
  smallDlqUrl = sqs.server.createQueue('size-dlq-256k', {
    attributes: { MaximumMessageSize: String(CLASSIC_LIMIT) },
  }).queueUrl;
  fullDlqUrl = sqs.server.createQueue('size-dlq-1m', {
    attributes: { MaximumMessageSize: String(DLQ_MAX_MESSAGE_BYTES) },
  }).queueUrl;
});
afterAll(async () => sqs.stop());

const context = {
  messageId: 'm-big',
  receiveCount: 5,
  firstReceivedAt: '2026-11-29T00:00:00.000Z',
  sourceQueueArn: 'arn:aws:sqs:us-east-1:123456789012:kms-auto-alias-dev-key-events',
  keyId: 'bb6a3d22-dc93-47ac-b5bd-88df7ad35f1e',
  projectId: '0f3a8c1e5b7d4e2a9c6b8d0e1f2a3b4c',
  region: 'cn-north-4',
  attempts: 5,
  failedAt: '2026-11-29T00:01:00.000Z',
};
const failed: Outcome = {
  kind: 'failed',
  alias: 'alias/prod/payments',
  reason: 'kms_rejected',
  detail: `createAlias failed: HTTP 400 KMS.0308 ${'d'.repeat(600)}`,
  error: { name: 'KmsApiError', code: 'KMS_REJECTED', message: 'HTTP 400', retryable: false, huawei_code: 'KMS.0308' },
  retryable: false,
};

/** An event body of exactly `bytes` bytes (JSON, as a producer would send it). */
function bodyOf(bytes: number): string {
  const frame = '{"padding":""}';
  return `{"padding":"${'p'.repeat(bytes - frame.length)}"}`;
}

async function receiveOne(queueUrl: string): Promise<Message> {
  const page = await sqs.client.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1, MessageAttributeNames: ['All'] }),
  );
  const message = page.Messages?.[0];
  if (message === undefined) throw new Error('nothing in the queue');
  return message;
}

const attribute = (m: Message, name: string) => m.MessageAttributes?.[name]?.StringValue;

describe('a DLQ record at the size limit', () => {
  it('counts its size as SQS does: fauxqs takes a record of exactly the limit and refuses one byte more', async () => {
    const record = buildDlqRecord('x', failed, context);
    const atLimit: DlqRecord = { ...record, body: bodyOf(CLASSIC_LIMIT - (sqsMessageBytes(record) - 1)) };
    expect(sqsMessageBytes(atLimit)).toBe(CLASSIC_LIMIT);
    const send = (r: DlqRecord) =>
      sqs.client.send(
        new SendMessageCommand({ QueueUrl: smallDlqUrl, MessageBody: r.body, MessageAttributes: r.attributes }),
      );
    await expect(send(atLimit)).resolves.toMatchObject({ MessageId: expect.any(String) });
    await expect(send({ ...atLimit, body: `${atLimit.body} ` })).rejects.toThrow(/shorter than/);
    await receiveOne(smallDlqUrl);
  });

  it('sends a body a few hundred bytes under the limit whole, with its reason and codes', async () => {
    const body = bodyOf(CLASSIC_LIMIT - 400);
    const publisher = createDlqPublisher({
      queueUrl: smallDlqUrl,
      region: 'us-east-1',
      client: sqs.client,
      maxMessageBytes: CLASSIC_LIMIT,
    });

    await publisher.publish(buildDlqRecord(body, failed, context));

    const message = await receiveOne(smallDlqUrl);
    expect(message.Body).toBe(body);
    expect(attribute(message, DLQ_ATTRIBUTE.reason)).toBe('failed:kms_rejected');
    expect(attribute(message, DLQ_ATTRIBUTE.errorCode)).toBe('KMS_REJECTED');
    const detail = JSON.parse(attribute(message, DLQ_ATTRIBUTE.detail) ?? '{}');
    expect(detail).toMatchObject({ reason: 'failed:kms_rejected', huawei_code: 'KMS.0308', shortened: true });
  });

  it('keeps the reason and error code when only they fit beside the body', async () => {
    const body = bodyOf(CLASSIC_LIMIT - 120);
    const publisher = createDlqPublisher({
      queueUrl: smallDlqUrl,
      region: 'us-east-1',
      client: sqs.client,
      maxMessageBytes: CLASSIC_LIMIT,
    });

    await publisher.publish(buildDlqRecord(body, failed, context));

    const message = await receiveOne(smallDlqUrl);
    expect(message.Body).toBe(body);
    expect(attribute(message, DLQ_ATTRIBUTE.reason)).toBe('failed:kms_rejected');
    expect(attribute(message, DLQ_ATTRIBUTE.errorCode)).toBe('KMS_REJECTED');
    expect(attribute(message, DLQ_ATTRIBUTE.detail)).toBeUndefined();
  });

  it('as deployed, a body that filled the key-events queue goes to the DLQ with its whole diagnosis', async () => {
    expect(SOURCE_MAX_MESSAGE_BYTES + MAX_DLQ_ATTRIBUTE_BYTES).toBeLessThanOrEqual(DLQ_MAX_MESSAGE_BYTES);
    const body = bodyOf(SOURCE_MAX_MESSAGE_BYTES);
    const record = buildDlqRecord(body, failed, context);
    const publisher = createDlqPublisher({ queueUrl: fullDlqUrl, region: 'us-east-1', client: sqs.client });

    await publisher.publish(record);

    const message = await receiveOne(fullDlqUrl);
    expect(message.Body).toBe(body);
    expect(attribute(message, DLQ_ATTRIBUTE.detail)).toBe(record.attributes[DLQ_ATTRIBUTE.detail]?.StringValue);
  });
});
