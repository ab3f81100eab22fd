import { describe, expect, it } from 'vitest';
import { decideDisposition } from '../../../lib/core/decide-disposition.ts';
import type { Outcome } from '../../../lib/outcome/outcome.ts';

const transient: Outcome = {
  kind: 'failed',
  reason: 'kms_throttled',
  detail: 'throttled',
  error: { name: 'KmsApiError', code: 'KMS_THROTTLED', message: 'throttled', retryable: true },
  retryable: true,
};
const permanent: Outcome = { ...transient, reason: 'kms_key_disabled', retryable: false };

describe('decideDisposition()', () => {
  it.each<[string, Outcome, number, string]>([
    ['created', { kind: 'created', alias: 'alias/a' }, 1, 'ack'],
    ['already present', { kind: 'already_present', alias: 'alias/a' }, 1, 'ack'],
    ['skipped', { kind: 'skipped', reason: 'not_create_key', detail: '' }, 1, 'ack'],
    ['invalid', { kind: 'invalid', reason: 'not_json', detail: '' }, 1, 'dlq'],
    ['conflict', { kind: 'conflict', alias: 'alias/a', existingKeyId: 'k', detail: '' }, 1, 'dlq'],
    ['permanent failure', permanent, 1, 'dlq'],
    ['transient failure, first receive', transient, 1, 'retry'],
    ['transient failure, receive 4 of 5', transient, 4, 'retry'],
    ['transient failure, last receive', transient, 5, 'dlq'],
    ['transient failure, past the last receive', transient, 9, 'dlq'],
  ])('%s → %s', (_, outcome, receiveCount, expected) => {
    expect(decideDisposition(outcome, receiveCount, 5)).toBe(expected);
  });
});
