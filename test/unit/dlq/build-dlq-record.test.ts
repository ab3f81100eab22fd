import { describe, expect, it } from 'vitest';
import { buildDlqRecord, DLQ_ATTRIBUTE } from '../../../lib/dlq/build-dlq-record.ts';
import { MAX_DLQ_ATTRIBUTE_BYTES, sqsMessageBytes } from '../../../lib/dlq/fit-dlq-record.ts';

const context = {
  messageId: 'm-1',
  receiveCount: 5,
  firstReceivedAt: '2026-11-29T00:00:00.000Z',
  sourceQueueArn: 'arn:aws:sqs:us-east-1:123456789012:kms-key-events',
  keyId: 'bb6a3d22-dc93-47ac-b5bd-88df7ad35f1e',
  projectId: '0f3a8c1e5b7d4e2a9c6b8d0e1f2a3b4c',
  region: 'cn-north-4',
  attempts: 5,
  failedAt: '2026-11-29T00:01:00.000Z',
};

describe('buildDlqRecord()', () => {
  it('keeps the original body byte for byte and puts the diagnosis in attributes', () => {
    const body = '{"cts": {"weird"  : "spacing\\u0000"}}';
    const record = buildDlqRecord(
      body,
      {
        kind: 'failed',
        alias: 'alias/payments',
        reason: 'kms_throttled',
        detail: 'throttled by the gateway',
        error: {
          name: 'KmsApiError',
          code: 'KMS_THROTTLED',
          message: 'x',
          retryable: true,
          huawei_code: 'APIGW.0308',
          request_id: 'r-9',
        },
        retryable: true,
      },
      context,
    );
    expect(record.body).toBe(body);
    expect(Object.keys(record.attributes).length).toBeLessThanOrEqual(10);
    expect(record.attributes[DLQ_ATTRIBUTE.reason]?.StringValue).toBe('failed:kms_throttled');
    expect(record.attributes[DLQ_ATTRIBUTE.errorCode]?.StringValue).toBe('KMS_THROTTLED');
    const detail = JSON.parse(record.attributes[DLQ_ATTRIBUTE.detail]?.StringValue ?? '{}');
    expect(detail).toMatchObject({
      outcome: 'failed',
      huawei_code: 'APIGW.0308',
      request_id: 'r-9',
      attempts: 5,
      receive_count: 5,
      alias: 'alias/payments',
      key_id: context.keyId,
      source_message_id: 'm-1',
      first_received_at: context.firstReceivedAt,
      failed_at: context.failedAt,
      retryable: true,
    });
  });

  it('names the holder of a conflicting alias', () => {
    const record = buildDlqRecord(
      '{}',
      { kind: 'conflict', alias: 'alias/a', existingKeyId: 'other', detail: 'held' },
      context,
    );
    const detail = JSON.parse(record.attributes[DLQ_ATTRIBUTE.detail]?.StringValue ?? '{}');
    expect(record.attributes[DLQ_ATTRIBUTE.reason]?.StringValue).toBe('conflict');
    expect(detail.existing_key_id).toBe('other');
  });

  it('clips hostile detail text so the record stays small', () => {
    const record = buildDlqRecord(
      'x',
      { kind: 'invalid', reason: 'unknown_shape', detail: 'y'.repeat(100_000) },
      context,
    );
    expect(record.attributes[DLQ_ATTRIBUTE.detail]?.StringValue.length).toBeLessThan(2_000);
    expect(record.attributes[DLQ_ATTRIBUTE.reason]?.StringValue).toBe('invalid:unknown_shape');
  });

  it('keeps its attributes within MAX_DLQ_ATTRIBUTE_BYTES whatever the texts hold', () => {
    const wide = '\u{1F511}\uffff"\\'.repeat(20_000);
    const record = buildDlqRecord(
      '',
      {
        kind: 'failed',
        alias: wide,
        reason: 'kms_rejected',
        detail: wide,
        error: {
          name: 'KmsApiError',
          code: 'KMS_REJECTED',
          message: wide,
          retryable: false,
          request_id: 'r'.repeat(64),
        },
        retryable: false,
      },
      context,
    );
    expect(sqsMessageBytes(record)).toBeLessThanOrEqual(MAX_DLQ_ATTRIBUTE_BYTES);
  });
});
