import type { IngestDecision } from './decide-ingest.ts';

/** The EMF metric each outcome counts under (namespace METRICS_NAMESPACE, dimension Service). */
export const INGEST_METRICS = {
  enqueued: 'IngestEnqueued',
  duplicate: 'IngestDuplicates',
  ignored: 'IngestIgnored',
  confirmed: 'IngestConfirmed',
  rejected: 'IngestRejected',
  /** SendMessage failed: the sender got a 5xx, and SMN gives up silently after a few tries. */
  enqueue_failed: 'IngestEnqueueFailures',
  /** The certificate, the token secret or the confirmation link could not be reached. */
  unavailable: 'IngestUnavailable',
} as const;

export type IngestMetricKey = keyof typeof INGEST_METRICS;

/** What the ingest answers and records for one request. */
export interface IngestOutcome {
  status: number;
  reason: string;
  metric: IngestMetricKey;
  level: 'info' | 'warn' | 'error';
  detail?: string;
}

/**
 * Response table. 2xx only when the event is on the queue, or when it never should be (not a
 * KMS key event, an unsubscribe note): the sender must not retry those. 5xx when the event
 * could not be made safe here, so that the sender retries.
 */
export const OUTCOMES = {
  enqueued: { status: 200, reason: 'enqueued', metric: 'enqueued', level: 'info' },
  duplicate: { status: 200, reason: 'duplicate', metric: 'duplicate', level: 'info' },
  confirmed: { status: 200, reason: 'subscription_confirmed', metric: 'confirmed', level: 'info' },
  enqueueFailed: { status: 503, reason: 'enqueue_failed', metric: 'enqueue_failed', level: 'error' },
  certUnavailable: { status: 502, reason: 'signing_cert_unavailable', metric: 'unavailable', level: 'error' },
  tokenUnavailable: { status: 503, reason: 'token_unavailable', metric: 'unavailable', level: 'error' },
  confirmFailed: { status: 502, reason: 'confirm_failed', metric: 'unavailable', level: 'error' },
} as const satisfies Record<string, IngestOutcome>;

/** The outcome of a final decision that needs no further I/O (ignore, reject). */
export function outcomeOfDecision(decision: Extract<IngestDecision, { kind: 'ignore' | 'reject' }>): IngestOutcome {
  const detail = decision.detail === undefined ? {} : { detail: decision.detail };
  if (decision.kind === 'ignore')
    return { status: 200, reason: decision.reason, metric: 'ignored', level: 'info', ...detail };
  return { status: decision.status, reason: decision.reason, metric: 'rejected', level: 'warn', ...detail };
}

/** One CloudWatch EMF document counting one request under its outcome's metric. */
export function ingestMetricsDocument(
  outcome: IngestOutcome,
  namespace: string,
  service: string,
  now: number = Date.now(),
): Record<string, unknown> {
  const name = INGEST_METRICS[outcome.metric];
  return {
    _aws: {
      Timestamp: now,
      CloudWatchMetrics: [
        { Namespace: namespace, Dimensions: [['Service']], Metrics: [{ Name: name, Unit: 'Count' }] },
      ],
    },
    Service: service,
    [name]: 1,
  };
}
