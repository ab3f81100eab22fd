import type { ProjectAccount } from './place-event.ts';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import pLimit from 'p-limit';
import { buildAuditRecord } from '../audit/build-audit-record.ts';
import type { Logger } from '../audit/create-logger.ts';
import { createBatchMetrics } from '../audit/create-metrics.ts';
import { messageMetricsOf } from '../audit/message-metrics.ts';
import { logTagFindings } from '../audit/tag-findings.ts';
import { buildDlqRecord } from '../dlq/build-dlq-record.ts';
import type { DlqPublisher } from '../dlq/create-dlq-publisher.ts';
import { sendToDlq } from '../dlq/send-to-dlq.ts';
import { toErrorSummary } from '../errors/app-error.ts';
import type { CompiledTemplate } from '../naming/compile-alias-template.ts';
import type { CallMeter, Disposition } from '../outcome/outcome.ts';
import type { SettledMessage } from '../outcome/settled-message.ts';
import { decideDisposition } from './decide-disposition.ts';
import {
  type AliasApi,
  type AliasTarget,
  type EnsureObservations,
  type EnsureResult,
  ensureAlias,
  type RunOperation,
} from './ensure-alias.ts';
import { type EnsureTagsResult, ensureTags, mayAssumeNoExistingTags, type TagApi } from './ensure-tags.ts';
import type { KeyDeletionDeps } from './handle-key-deletion.ts';
import { type MessageResult, type MessageTagDeps, processMessage } from './process-message.ts';
import type { CompiledTagTemplate } from '../tags/compiled-tag-template.ts';
import type { TagCreateSemantics } from '../tags/plan-tags.ts';

export interface BatchDeps {
  projects: ReadonlyMap<string, string>;
  /** Project id → account (HUAWEICLOUD_ACCOUNTS, place-event.ts); absent with one account. */
  accounts?: ReadonlyMap<string, ProjectAccount> | undefined;
  template: CompiledTemplate;
  templateSource: string;
  dryRun: boolean;
  maxReceiveCount: number;
  concurrency: number;
  api: AliasApi;
  /** Binds the retry policy to a meter and the invocation's deadline. */
  createRun: (meter: CallMeter, remainingMs: () => number) => RunOperation;
  dlq: DlqPublisher;
  /**
   * DEADLINE_MARGIN_MS (default 0): KMS attempts end this long before the invocation's deadline
   * (createRun), a DLQ send half as long before it (see `DLQ_SHARE_OF_MARGIN`).
   */
  deadlineMarginMs?: number;
  logger: Logger;
  /** EMF namespace and Service dimension; no metrics when absent. */
  metrics?: { namespace: string; service: string };
  now?: () => number;
  /** TAG_TEMPLATE on (issue 12 docs/huawei-kms.md#alias-api): each key gets its tags right after its alias. */
  tags?: BatchTagDeps;
  /** ON_KEY_DELETION (issue 12 docs/huawei-kms.md#alias-rules); absent: deletion traces are audited only. */
  keyDeletion?: Omit<KeyDeletionDeps, 'dryRun' | 'projects' | 'accounts' | 'recreate' | 'run'>;
}

export interface BatchTagDeps {
  template: CompiledTagTemplate;
  /** TAG_OVERWRITE. */
  overwrite: boolean;
  /** How Huawei's `create` treats an existing tag key (lib/tags/plan-tags.ts). */
  semantics: TagCreateSemantics;
  api: TagApi;
}

/**
 * The part of DEADLINE_MARGIN_MS a DLQ send may use. KMS attempts stop at the margin, so a
 * message whose last attempt ran into it has nothing but the margin left: were the DLQ send
 * bounded by the same instant, a last receive cut short by the deadline could never reach the DLQ
 * with its reason (it would go back to its queue, for the redrive to move its bare body). The
 * other half still bounds a DLQ send that hangs, so the invocation ends before Lambda's timeout.
 */
const DLQ_SHARE_OF_MARGIN = 0.5;

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
  // Identical targets in one batch (duplicate deliveries) share one create: one alias, one call.
  const inFlight = new Map<string, Promise<EnsureResult>>();
  const tagsInFlight = new Map<string, Promise<EnsureTagsResult>>();
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
        accounts: deps.accounts,
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
        ...(deps.tags === undefined ? {} : { tags: bindTags(deps.tags, run, receiveCount, tagsInFlight) }),
        ...(deps.keyDeletion === undefined ? {} : { keyDeletion: { ...deps.keyDeletion, run } }),
      });
    } catch (err) {
      // A bug, not a decision: say so loudly, then settle it as a transient failure, so that it
      // still gets its audit record and comes back, and on its last receive goes to the DLQ with
      // this error as its reason (returned as is, the redrive would move its bare body).
      const error = toErrorSummary(err);
      deps.logger.error('unexpected error while processing a message', { message_id: record.messageId, error });
      result = {
        outcome: { kind: 'failed', reason: error.code.toLowerCase(), detail: error.message, error, retryable: true },
      };
    }

    if ((observed.foreignAliasesListed ?? 0) > 0) {
      // A server that ignores ListAliases' key_id filter: handled (key ids are checked), but never silent.
      deps.logger.warn('ListAliases ignored its key_id filter', {
        message_id: record.messageId,
        key_id: result.event?.key_id,
        foreign_aliases: observed.foreignAliasesListed,
      });
    }
    if (observed.unexpectedCreateAnswer !== undefined) {
      // A 201 whose body is not the alias object asked for: the alias counts as created (201 is
      // Huawei's success signal), but the surprise is logged and counted (UnexpectedKmsAnswers).
      deps.logger.warn('CreateAlias answered 201 without the alias object asked for', {
        message_id: record.messageId,
        key_id: result.event?.key_id,
        reason: observed.unexpectedCreateAnswer,
      });
    }
    const decided = decideDisposition(result.outcome, receiveCount, deps.maxReceiveCount);
    const dlq =
      decided === 'dlq'
        ? await sendToDlq(
            deps.dlq,
            () =>
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
            remainingMs() - (deps.deadlineMarginMs ?? 0) * (1 - DLQ_SHARE_OF_MARGIN),
          )
        : undefined;
    const settledMessage: SettledMessage = {
      messageId: record.messageId,
      receiveCount,
      outcome: result.outcome,
      event: result.event,
      target: result.target,
      account: result.account,
      parts: result.parts,
      // The DLQ did not take it: the message goes back to its queue instead of being lost.
      disposition: dlq !== undefined && 'error' in dlq ? 'retry' : decided,
      dlq,
      meter,
      unansweredCreates: observed.unansweredCreates,
      unexpectedCreateAnswer: observed.unexpectedCreateAnswer !== undefined,
      coalesced,
      startedMs: started,
      settledMs: now(),
    };
    metrics?.record(messageMetricsOf(settledMessage));
    deps.logger.audit(buildAuditRecord(settledMessage, { templateSource: deps.templateSource, dryRun: deps.dryRun }));
    if (deps.tags !== undefined) logTagFindings(deps.logger, settledMessage);
    return settledMessage.disposition;
  };

  // A batch no larger than CONCURRENCY (the usual case: batches of 10) starts every message at
  // once, as p-limit would, without its queue and promise layers per message.
  const limit: (task: () => Promise<Disposition>) => Promise<Disposition> =
    records.length <= deps.concurrency ? (task) => task() : pLimit(deps.concurrency);
  const settled = await Promise.all(
    records.map((record) => limit(() => settle(record)).catch((): Disposition => 'retry')),
  );
  metrics?.flush((document) => deps.logger.metrics(document), now());
  const batchItemFailures = records
    .filter((_, i) => settled[i] === 'retry')
    .map((record) => ({ itemIdentifier: record.messageId }));
  return { batchItemFailures };
}

/** The tag step of one message; duplicates of a key in one batch share one tag step, as they share the alias. */
function bindTags(
  tags: BatchTagDeps,
  run: RunOperation,
  receiveCount: number,
  inFlight: Map<string, Promise<EnsureTagsResult>>,
): MessageTagDeps {
  return {
    template: tags.template,
    ensure: (target, desired, event, report) => {
      const key = `${target.region}/${target.projectId}/${target.keyId}/${JSON.stringify(desired)}`;
      const shared = inFlight.get(key);
      if (shared !== undefined) return shared;
      const options = {
        overwrite: tags.overwrite,
        semantics: tags.semantics,
        assumeNoExistingTags: mayAssumeNoExistingTags(event.source, receiveCount),
      };
      const done = ensureTags(tags.api, target, desired, run, options, report);
      inFlight.set(key, done);
      return done;
    },
  };
}

function isoOf(epochMs: string | undefined): string | undefined {
  const n = Number(epochMs);
  return Number.isFinite(n) && n > 0 ? new Date(n).toISOString() : undefined;
}
