import { describeOutcome } from '../outcome/describe-outcome.ts';
import { aliasLagMs, type SettledMessage } from '../outcome/settled-message.ts';

export interface AuditSettings {
  /** The naming template's source text, shown with the fields it was filled from. */
  templateSource: string;
  dryRun: boolean;
}

/**
 * One audit record per message: snake_case keys (Powertools log keys), no body, no secrets.
 * The outcome's reason, codes, request id, detail and alias come from `describeOutcome`, the
 * same description the DLQ record is built from.
 */
export function buildAuditRecord(message: SettledMessage, settings: AuditSettings): Record<string, unknown> {
  const { outcome, event, target, parts } = message;
  const described = describeOutcome(outcome);
  return {
    outcome: outcome.kind,
    reason: described.reason,
    detail: described.detail,
    disposition: message.disposition,
    alias: target?.alias ?? described.alias,
    existing_key_id: described.existingKeyId,
    key_id: event?.key_id,
    project_id: event?.project_id,
    region: target?.region ?? event?.region,
    domain_id: event?.domain_id,
    // With several accounts (HUAWEICLOUD_ACCOUNTS): the configured account the project belongs to.
    account: message.account,
    created_by: event?.created_by,
    key_created_at: event?.created_at,
    key_alias: event?.key_alias,
    trace_id: event?.trace_id,
    event_source: event?.source,
    envelopes: event?.envelopes.length ? event.envelopes : undefined,
    // What the normaliser noticed but tolerated (an unreadable trace time, an SMN message sent as
    // an object): never a reason to refuse the event, always worth seeing.
    event_notes: event?.notes?.length ? event.notes : undefined,
    alias_template: parts === undefined ? undefined : settings.templateSource,
    alias_fields: parts?.map((p) => ({ placeholder: p.placeholder, field: p.field, source: p.source, value: p.value })),
    message_id: message.messageId,
    receive_count: message.receiveCount,
    duplicate_in_batch: message.coalesced || undefined,
    api_calls: message.meter.apiCalls,
    retries: message.meter.retries,
    duration_ms: message.settledMs - message.startedMs,
    lag_ms: aliasLagMs(message),
    error_code: described.errorCode,
    huawei_code: described.huaweiCode,
    // created: the 201's request id, so the record can be matched to the call that wrote the alias.
    request_id: described.requestId,
    // A failure after the alias was settled (the tag step): the alias's own result and request id.
    alias_outcome: outcome.kind === 'failed' ? outcome.aliasSettled?.status : undefined,
    alias_request_id: outcome.kind === 'failed' ? outcome.aliasSettled?.requestId : undefined,
    // A CreateAlias of this message went unanswered and the alias was not seen created: it may
    // exist all the same (already_present: it does, most likely made by that very attempt).
    create_outcome_unknown:
      message.unansweredCreates > 0 && (outcome.kind === 'already_present' || outcome.kind === 'failed')
        ? true
        : undefined,
    dlq_message_id: message.dlq !== undefined && 'messageId' in message.dlq ? message.dlq.messageId : undefined,
    dlq_error: message.dlq !== undefined && 'error' in message.dlq ? message.dlq.error : undefined,
    dry_run: settings.dryRun || undefined,
    ...tagFieldsOf(outcome),
  };
}

/**
 * The tag step (TAG_TEMPLATE on): absent when tags are off, so records stay as they were. Tag
 * values come from event fields (a creator's name), not secrets, and the rules cap them at 43
 * characters (docs/huawei-kms.md#key-tags).
 */
function tagFieldsOf(outcome: SettledMessage['outcome']): Record<string, unknown> {
  const report = 'tags' in outcome ? outcome.tags : undefined;
  const violations = outcome.kind === 'failed' ? outcome.tagViolations : undefined;
  if (report === undefined && violations === undefined) return {};
  const pairs = (tags: ReadonlyArray<{ key: string; value: string }>) => tags.map((t) => `${t.key}=${t.value}`);
  return {
    tags: report === undefined ? undefined : pairs(report.desired),
    tags_status: report?.status ?? 'invalid',
    tags_created: report?.created.length ? pairs(report.created) : undefined,
    tags_unchanged: report?.unchanged.length ? pairs(report.unchanged) : undefined,
    tags_replaced: report?.replaced.length ? report.replaced : undefined,
    tag_conflicts: report?.conflicts.length ? report.conflicts : undefined,
    tag_calls: report?.calls,
    tag_listed: report?.listed || undefined,
    tag_request_ids: report?.requestIds.length ? report.requestIds : undefined,
    tag_listing_dropped: report?.droppedFromListing,
    tag_violations: violations,
  };
}
