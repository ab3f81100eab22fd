import { describe, expect, it } from 'vitest';
import { ingestMetricsDocument, OUTCOMES, outcomeOfDecision } from '../../../lib/ingest/ingest-outcome.ts';

describe('outcomeOfDecision()', () => {
  it('answers an ignored body 200 and a refused one with its status, keeping the detail', () => {
    expect(outcomeOfDecision({ kind: 'ignore', reason: 'not_kms', detail: 'service_type "OBS"', context: {} })).toEqual(
      {
        status: 200,
        reason: 'not_kms',
        metric: 'ignored',
        level: 'info',
        detail: 'service_type "OBS"',
      },
    );
    expect(outcomeOfDecision({ kind: 'reject', status: 403, reason: 'bad_signature', context: {} })).toEqual({
      status: 403,
      reason: 'bad_signature',
      metric: 'rejected',
      level: 'warn',
    });
  });

  it('answers 2xx only for outcomes that leave nothing to retry', () => {
    const twoHundreds = Object.values(OUTCOMES)
      .filter((o) => o.status < 300)
      .map((o) => o.reason);
    expect(twoHundreds.sort()).toEqual(['duplicate', 'enqueued', 'subscription_confirmed']);
  });
});

describe('ingestMetricsDocument()', () => {
  it('writes one EMF document counting the request under its metric', () => {
    expect(ingestMetricsDocument(OUTCOMES.enqueueFailed, 'KmsAutoAlias', 'svc', 42)).toEqual({
      _aws: {
        Timestamp: 42,
        CloudWatchMetrics: [
          {
            Namespace: 'KmsAutoAlias',
            Dimensions: [['Service']],
            Metrics: [{ Name: 'IngestEnqueueFailures', Unit: 'Count' }],
          },
        ],
      },
      Service: 'svc',
      IngestEnqueueFailures: 1,
    });
  });
});
