import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Logger } from '../../lib/audit/create-logger.ts';
import { INGEST_TOKEN_HEADER, tokenMatches } from '../../lib/ingest/check-ingest-token.ts';
import {
  decideIngest,
  type DeliveryContext,
  type Evidence,
  type IngestPolicy,
} from '../../lib/ingest/decide-ingest.ts';
import { fromHttpEventV2 } from '../../lib/ingest/ingest-request.ts';
import {
  type IngestOutcome,
  ingestMetricsDocument,
  OUTCOMES,
  outcomeOfDecision,
} from '../../lib/ingest/ingest-outcome.ts';
import type { ExpectedToken } from '../../lib/ingest/ingest-token-source.ts';
import type { RecentIds } from '../../lib/ingest/recent-ids.ts';
import type { SigningCertSource } from '../../lib/ingest/signing-cert-source.ts';
import { verifySmnSignature } from '../../lib/ingest/verify-smn-signature.ts';
import type { QueueMessage } from '../../lib/runtime/create-queue-sender.ts';

/** A message for the key-events queue. */
export type { QueueMessage };

export interface IngestDeps {
  policy: IngestPolicy;
  expectedToken: ExpectedToken;
  certs: SigningCertSource;
  /** SendMessage to the key-events queue; rejects when SQS did not take the message. */
  enqueue(message: QueueMessage): Promise<void>;
  /** GET of a subscription's `subscribe_url` (already host-checked); resolves with the HTTP status. */
  confirm(url: URL): Promise<number>;
  recent: RecentIds;
  logger: Logger;
  metrics: { namespace: string; service: string };
  now?: () => number;
}

/**
 * The ingest handler, for a Lambda function URL (payload v2). It admits key events into the
 * key-events queue and decides nothing about aliases. Each request ends in one log line (the
 * reason; never the token, signature or body) and one EMF metric.
 */
export function createIngestHandler(deps: IngestDeps) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>().handler(async (event) => {
    const request = fromHttpEventV2(event);
    const { outcome, context } = await admit(request, deps);
    const fields = {
      log_type: 'ingest',
      status: outcome.status,
      reason: outcome.reason,
      ...(context.route === undefined ? {} : { route: context.route }),
      ...(context.smnType === undefined ? {} : { smn_type: context.smnType }),
      ...(context.topicUrn === undefined ? {} : { topic_urn: context.topicUrn }),
      ...(context.messageId === undefined ? {} : { message_id: context.messageId }),
      ...(outcome.detail === undefined ? {} : { detail: outcome.detail }),
    };
    deps.logger[outcome.level]('ingest', fields);
    deps.logger.metrics(ingestMetricsDocument(outcome, deps.metrics.namespace, deps.metrics.service, now(deps)));
    return {
      statusCode: outcome.status,
      headers: {
        'content-type': 'application/json',
        ...(outcome.status === 405 ? { allow: 'POST' } : {}),
      },
      body: JSON.stringify({ reason: outcome.reason }),
    };
  });
}

const now = (deps: IngestDeps) => (deps.now ?? Date.now)();

async function admit(
  request: ReturnType<typeof fromHttpEventV2>,
  deps: IngestDeps,
): Promise<{ outcome: IngestOutcome; context: DeliveryContext }> {
  const presented = request.headers[INGEST_TOKEN_HEADER];
  const evidence: Evidence = { token: 'absent' };
  if (presented !== undefined) {
    let expected: string | undefined;
    try {
      expected = await deps.expectedToken();
    } catch (err) {
      return { outcome: { ...OUTCOMES.tokenUnavailable, detail: (err as Error).message }, context: {} };
    }
    evidence.token = expected !== undefined && tokenMatches(expected, presented) ? 'valid' : 'invalid';
  }
  let decision = decideIngest(request, deps.policy, evidence);
  if (decision.kind === 'verify') {
    const { certUrl, message, context } = decision;
    let cert: Awaited<ReturnType<SigningCertSource['get']>>;
    try {
      cert = await deps.certs.get(certUrl);
    } catch (err) {
      return { outcome: { ...OUTCOMES.certUnavailable, detail: (err as Error).message }, context };
    }
    evidence.signature = verifySmnSignature(message, cert, now(deps));
    decision = decideIngest(request, deps.policy, evidence);
  }
  const context = decision.context;
  switch (decision.kind) {
    case 'verify':
      // decideIngest never asks twice once the signature is known; a defensive refusal.
      return { outcome: { status: 403, reason: 'unverified', metric: 'rejected', level: 'warn' }, context };
    case 'ignore':
    case 'reject':
      return { outcome: outcomeOfDecision(decision), context };
    case 'confirm': {
      let status: number;
      try {
        status = await deps.confirm(decision.url);
      } catch (err) {
        return { outcome: { ...OUTCOMES.confirmFailed, detail: (err as Error).message }, context };
      }
      const ok = status >= 200 && status < 300;
      return {
        outcome: ok ? OUTCOMES.confirmed : { ...OUTCOMES.confirmFailed, detail: `subscribe_url answered ${status}` },
        context,
      };
    }
    case 'enqueue': {
      const key = decision.dedupeKey;
      if (key !== undefined && deps.recent.has(key)) return { outcome: OUTCOMES.duplicate, context };
      try {
        await deps.enqueue({ body: decision.body, attributes: decision.attributes });
      } catch (err) {
        return { outcome: { ...OUTCOMES.enqueueFailed, detail: errorName(err) }, context };
      }
      if (key !== undefined) deps.recent.add(key);
      return { outcome: OUTCOMES.enqueued, context };
    }
  }
}

/** The SDK's error name and HTTP status; its message may quote the request. */
function errorName(err: unknown): string {
  const e = err as { name?: unknown; $metadata?: { httpStatusCode?: unknown } };
  const name = typeof e?.name === 'string' ? e.name : 'Error';
  const status = typeof e?.$metadata?.httpStatusCode === 'number' ? ` (HTTP ${e.$metadata.httpStatusCode})` : '';
  return `SendMessage failed: ${name}${status}`;
}
