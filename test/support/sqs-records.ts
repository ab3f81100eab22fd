import type { SQSRecord } from 'aws-lambda';

export interface RecordInput {
  body: string;
  messageId?: string;
  receiveCount?: number;
  queueArn?: string;
  sentAt?: number;
}

let sequence = 0;

/** An SQS record exactly as Lambda's event source mapping delivers it. */
export function toSqsRecord(input: RecordInput): SQSRecord {
  sequence += 1;
  const sentAt = String(input.sentAt ?? Date.now());
  return {
    messageId: input.messageId ?? `local-${sequence.toString().padStart(6, '0')}`,
    receiptHandle: `receipt-${sequence}`,
    body: input.body,
    attributes: {
      ApproximateReceiveCount: String(input.receiveCount ?? 1),
      SentTimestamp: sentAt,
      SenderId: 'AIDALOCAL',
      ApproximateFirstReceiveTimestamp: sentAt,
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: input.queueArn ?? 'arn:aws:sqs:us-east-1:000000000000:kms-key-events',
    awsRegion: 'us-east-1',
  };
}
