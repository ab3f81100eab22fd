import { describe, expect, it } from 'vitest';
import { DLQ_ATTRIBUTE } from '../../../lib/dlq/build-dlq-record.ts';
import { describeDlqMessage, matchesFilter } from '../../../lib/replay/describe-dlq-message.ts';
import { loadEventBody } from '../../support/load-event.ts';

const attr = (value: string) => ({ DataType: 'String', StringValue: value });

describe('describeDlqMessage()', () => {
  it('reads our attributes', () => {
    const info = describeDlqMessage({
      Body: 'not even json',
      MessageAttributes: {
        [DLQ_ATTRIBUTE.reason]: attr('failed:kms_throttled'),
        [DLQ_ATTRIBUTE.errorCode]: attr('KMS_THROTTLED'),
        [DLQ_ATTRIBUTE.detail]: attr(JSON.stringify({ key_id: 'k-1', attempts: 5 })),
      },
    });
    expect(info).toEqual({ reason: 'failed:kms_throttled', error_code: 'KMS_THROTTLED', key_id: 'k-1' });
  });

  it('calls a bare body "redrive" and finds its key id in the body', () => {
    expect(describeDlqMessage({ Body: loadEventBody('canonical') })).toEqual({
      reason: 'redrive',
      key_id: '2d4f6a8c-0e1b-4d3f-9a5c-7e9b1d3f5a7c',
    });
    expect(describeDlqMessage({ Body: '{"cts": ' })).toEqual({ reason: 'redrive' });
    expect(describeDlqMessage({})).toEqual({ reason: 'redrive' });
  });

  it('says when the stored body had a secret masked, and only then', () => {
    const masked = describeDlqMessage({
      Body: '{"user":{"access_key_id":"[REDACTED]"}}',
      MessageAttributes: { [DLQ_ATTRIBUTE.reason]: attr('conflict'), [DLQ_ATTRIBUTE.bodyRedacted]: attr('true') },
    });
    expect(masked).toEqual({ reason: 'conflict', body_redacted: true });
    expect(describeDlqMessage({ MessageAttributes: { [DLQ_ATTRIBUTE.reason]: attr('conflict') } })).toEqual({
      reason: 'conflict',
    });
  });

  it('survives a detail attribute that is not JSON', () => {
    expect(
      describeDlqMessage({
        MessageAttributes: { [DLQ_ATTRIBUTE.reason]: attr('conflict'), [DLQ_ATTRIBUTE.detail]: attr('{') },
      }),
    ).toEqual({ reason: 'conflict' });
  });
});

describe('matchesFilter()', () => {
  it.each<[string, string[], boolean]>([
    ['invalid:not_json', [], true],
    ['invalid:not_json', ['invalid'], true],
    ['failed:kms_throttled', ['failed:kms_throttled'], true],
    ['failed:kms_unavailable', ['failed:kms_throttled'], false],
    ['conflict', ['invalid', 'conflict'], true],
    ['redrive', ['redrive'], true],
    ['redrive', ['failed'], false],
  ])('%s with %j → %s', (reason, filters, expected) => {
    expect(matchesFilter(reason, filters)).toBe(expected);
  });
});
