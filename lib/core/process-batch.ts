import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import pLimit from 'p-limit';
import type { Logger } from '../audit/create-logger.ts';
import { createBatchMetrics } from '../audit/create-metrics.ts';
import { buildDlqRecord } from '../dlq/build-dlq-record.ts';
import type { DlqPublisher } from '../dlq/create-dlq-publisher.ts';
import { toErrorSummary } from '../errors/app-error.ts';
import type { CompiledTemplate } from '../naming/compile-alias-template.ts';
import {
  ensureAlias,
  type AliasApi,
  type AliasTarget,
  type EnsureObservations,
  type EnsureResult,
  type RunOperation,
} from './ensure-alias.ts';
import { decideDisposition, type Disposition } from './outcome.ts';
import { processMessage, type MessageResult } from './process-message.ts';

/** Counts what one message cost: API calls (every attempt is a call) and retries. */
export interface CallMeter {
  apiCalls: number;
  retries: number;
}

export interface BatchDeps {
  projects: ReadonlyMap<string, string>;
  template: CompiledTemplate;
  templateSource: string;
  dryRun: boolean;
  maxReceiveCount: number;
  concurrency: number;
  api: AliasApi;
  /** Binds the retry policy to a meter and the invocation's deadline. */
  createRun: (meter: CallMeter, remainingMs: () => number) => RunOperation;
  dlq: DlqPublisher;
  /** A DLQ send is abandoned this long before the invocation's deadline (DEADLINE_MARGIN_MS); default 0. */
  deadlineMarginMs?: number;
  logger: Logger;
  /** EMF namespace and Service dimension; no metrics when absent. */
  metrics?: { namespace: string; service: string };
  now?: () => number;
}

/**
 * Processes one SQS batch and returns the partial batch response. Each record is settled on its
 * own: a record only appears in `batchItemFailures` (and is redelivered) when it failed
 * transiently, or when its DLQ send failed, so nothing is ever lost and nothing is retried that
 * cannot succeed. ReportBatchItemFailures must be enabled on the event source mapping.
 */
export async function processBatch(
  records: readonly SQSRecord[],
  deps: BatchDeps,
  remainingMs: () => number,
): Promise<SQSBatchResponse> {
  const now = deps.now ?? Date.now;
  const limit = pLimit(deps.concurrency);
  // Identical targets in one batch (duplicate deliveries) share one create: one alias, one call.
  const inFlight = new Map<string, Promise<EnsureResult>>();
  const metrics =
    deps.metrics === undefined ? undefined : createBatchMetrics(deps.metrics.namespace, deps.metrics.service);

  const settle = async (record: SQSRecord): Promise<Disposition> => {
    const started = now();
    const receiveCount = Number(record.attributes?.ApproximateReceiveCount) || 1;
    const meter: CallMeter = { apiCalls: 0, retries: 0 };
    const observed: EnsureObservations = { unansweredCreates: 0 };
    let coalesced = false;
    let result: MessageResult;
    try {
      const run = deps.createRun(meter, remainingMs);
      result = await processMessage(typeof record.body === 'string' ? record.body : '', {
        projects: deps.projects,
        template: deps.template,
        dryRun: deps.dryRun,
        ensure: (target: AliasTarget) => {
          const key = `${target.region}/${target.projectId}/${target.keyId}/${target.alias}`;
          const existing = inFlight.get(key);
          if (existing !== undefined) {
            coalesced = true;
            return existing.then((r) => ({ ...r, status: 'already_present' as const }));
          }
          const created = ensureAlias(deps.api, target, run, observed);
          inFlight.set(key, created);
          return created;
        },
      });
    } catch (err) {
      // A bug, not a decision: keep the message (redelivery) and say so loudly.
      deps.logger.error('unexpected error while processing a message', {
        message_id: record.messageId,
        error: toErrorSummary(err),
      });
      return 'retry';
    }

    let disposition = decideDisposition(result.outcome, receiveCount, deps.maxReceiveCount);
    let dlqMessageId: string | undefined;
    let dlqError: ReturnType<typeof toErrorSummary> | undefined;
    if (disposition === 'dlq') {
      try {
        // Bounded by the deadline: a DLQ send that hangs must not time the invocation out, which
        // would redeliver the whole batch, decisions already made included.
        const budgetMs = remainingMs() - (deps.deadlineMarginMs ?? 0);
        const signal = Number.isFinite(budgetMs) ? AbortSignal.timeout(Math.max(1, Math.floor(budgetMs))) : undefined;
        dlqMessageId = await deps.dlq.publish(
          buildDlqRecord(record.body, result.outcome, {
            messageId: record.messageId,
            receiveCount,
            firstReceivedAt: isoOf(record.attributes?.ApproximateFirstReceiveTimestamp),
            sourceQueueArn: record.eventSourceARN,
            keyId: result.event?.key_id,
            projectId: result.event?.project_id,
            region: result.target?.region,
            attempts: meter.apiCalls,
            failedAt: new Date(now()).toISOString(),
          }),
          signal,
        );
      } catch (err) {
        // The DLQ did not take it: the message goes back to its queue instead of being lost.
        disposition = 'retry';
        dlqError = toErrorSummary(err);
      }
    }
    const createdAtMs = result.event?.created_at === undefined ? Number.NaN : Date.parse(result.event.created_at);
    metrics?.record({
      outcome: result.outcome.kind,
      projectId: result.event?.project_id,
      region: result.target?.region,
      retries: meter.retries,
      apiCalls: meter.apiCalls,
      dlqSent: dlqMessageId !== undefined,
      dlqFailed: dlqError !== undefined,
      lagMs:
        result.outcome.kind === 'created' && Number.isFinite(createdAtMs)
          ? Math.max(0, now() - createdAtMs)
          : undefined,
    });
    deps.logger.audit(
      auditRecord(record, result, {
        receiveCount,
        disposition,
        dlqMessageId,
        dlqError,
        meter,
        unansweredCreates: observed.unansweredCreates,
        coalesced,
        durationMs: now() - started,
        nowMs: now(),
        templateSource: deps.templateSource,
        dryRun: deps.dryRun,
      }),
    );
    return disposition;
  };

  const settled = await Promise.all(
    records.map((record) => limit(() => settle(record)).catch((): Disposition => 'retry')),
  );
  metrics?.flush((document) => deps.logger.metrics(document), now());
  const batchItemFailures = records
    .filter((_, i) => settled[i] === 'retry')
    .map((record) => ({ itemIdentifier: record.messageId }));
  return { batchItemFailures };
}

interface AuditContext {
  receiveCount: number;
  disposition: Disposition;
  dlqMessageId: string | undefined;
  dlqError: ReturnType<typeof toErrorSummary> | undefined;
  meter: CallMeter;
  /** CreateAlias attempts of this message that got no definite answer (ensure-alias.ts). */
  unansweredCreates: number;
  coalesced: boolean;
  durationMs: number;
  nowMs: number;
  templateSource: string;
  dryRun: boolean;
}

/** One audit record per message: snake_case keys (Powertools log keys), no body, no secrets. */
function auditRecord(record: SQSRecord, result: MessageResult, c: AuditContext): Record<string, unknown> {
  const { outcome, event, target, parts } = result;
  const createdAtMs = event?.created_at === undefined ? Number.NaN : Date.parse(event.created_at);
  return {
    outcome: outcome.kind,
    reason: 'reason' in outcome ? outcome.reason : undefined,
    detail: 'detail' in outcome ? outcome.detail : undefined,
    disposition: c.disposition,
    alias: target?.alias ?? ('alias' in outcome ? outcome.alias : undefined),
    existing_key_id: outcome.kind === 'conflict' ? outcome.existingKeyId : undefined,
    key_id: event?.key_id,
    project_id: event?.project_id,
    region: target?.region ?? event?.region,
    domain_id: event?.domain_id,
    created_by: event?.created_by,
    key_created_at: event?.created_at,
    key_alias: event?.key_alias,
    trace_id: event?.trace_id,
    event_source: event?.source,
    envelopes: event?.envelopes.length ? event.envelopes : undefined,
    alias_template: parts === undefined ? undefined : c.templateSource,
    alias_fields: parts?.map((p) => ({ placeholder: p.placeholder, field: p.field, source: p.source, value: p.value })),
    message_id: record.messageId,
    receive_count: c.receiveCount,
    duplicate_in_batch: c.coalesced || undefined,
    api_calls: c.meter.apiCalls,
    retries: c.meter.retries,
    duration_ms: c.durationMs,
    lag_ms: Number.isFinite(createdAtMs) ? Math.max(0, c.nowMs - createdAtMs) : undefined,
    error_code:
      outcome.kind === 'failed' ? outcome.error.code : outcome.kind === 'conflict' ? 'ALIAS_CONFLICT' : undefined,
    huawei_code: outcome.kind === 'failed' ? outcome.error.huawei_code : undefined,
    // created: the 201's request id, so the record can be matched to the call that wrote the alias.
    request_id:
      outcome.kind === 'failed'
        ? outcome.error.request_id
        : outcome.kind === 'created' || outcome.kind === 'already_present'
          ? outcome.requestId
          : undefined,
    // A CreateAlias of this message went unanswered and the alias was not seen created: it may
    // exist all the same (already_present: it does, most likely made by that very attempt).
    create_outcome_unknown:
      c.unansweredCreates > 0 && (outcome.kind === 'already_present' || outcome.kind === 'failed') ? true : undefined,
    dlq_message_id: c.dlqMessageId,
    dlq_error: c.dlqError,
    dry_run: c.dryRun || undefined,
  };
}

function isoOf(epochMs: string | undefined): string | undefined {
  const n = Number(epochMs);
  return Number.isFinite(n) && n > 0 ? new Date(n).toISOString() : undefined;
}
