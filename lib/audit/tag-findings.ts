import type { Logger } from './create-logger.ts';
import type { SettledMessage } from '../outcome/settled-message.ts';
import { TAG_INVALID_CODES } from '../tags/classify-tag-failure.ts';

/**
 * The tag metrics of one message (TAG_TEMPLATE on; none otherwise): `TagsCreated` (tags written),
 * `TagConflict` (managed tags kept with another value), `TagsInvalid`, `TagsOverLimit`,
 * `TagRuleMismatch` (Huawei refused tags our rules accepted: the rules need a look) and
 * `TagListUnexpectedShape` (listing items that were not `{key, value}`).
 */
export function tagCountsOf(message: Pick<SettledMessage, 'outcome'>): Record<string, number> | undefined {
  const { outcome } = message;
  const report = 'tags' in outcome ? outcome.tags : undefined;
  // Most messages (TAG_TEMPLATE off, or no failure): nothing to count, no object to make.
  if (report === undefined && outcome.kind !== 'failed') return undefined;
  const counts: Record<string, number> = {};
  if (report !== undefined && report.status !== 'planned') {
    counts.TagsCreated = report.created.length + report.replaced.length;
    counts.TagConflict = report.conflicts.length > 0 ? 1 : 0;
    if (report.droppedFromListing !== undefined) counts.TagListUnexpectedShape = report.droppedFromListing;
  }
  if (outcome.kind === 'failed' && outcome.reason === 'invalid_tags') counts.TagsInvalid = 1;
  if (outcome.kind === 'failed' && outcome.reason === 'tag_limit') counts.TagsOverLimit = 1;
  if (isTagRuleMismatch(message)) counts.TagRuleMismatch = 1;
  return Object.keys(counts).length === 0 ? undefined : counts;
}

/** Huawei refused with a tag code (KMS.0401, 0404, 0405, 0407, 0410–0413) tags that our rules had passed. */
export function isTagRuleMismatch(message: Pick<SettledMessage, 'outcome'>): boolean {
  const { outcome } = message;
  return (
    outcome.kind === 'failed' &&
    outcome.reason === 'invalid_tags' &&
    outcome.error.huawei_code !== undefined &&
    TAG_INVALID_CODES.has(outcome.error.huawei_code)
  );
}

/**
 * A kept conflict is a warning (the alias is fine and the message acknowledged, but a person set
 * another value); a rule mismatch is an error (our rules let through what Huawei refuses).
 */
export function logTagFindings(logger: Logger, message: SettledMessage): void {
  const { outcome } = message;
  const report = 'tags' in outcome ? outcome.tags : undefined;
  if (report !== undefined && report.conflicts.length > 0) {
    logger.warn('managed tags kept with another value (TAG_OVERWRITE is off)', {
      message_id: message.messageId,
      key_id: message.event?.key_id,
      tag_conflicts: report.conflicts,
    });
  }
  if (isTagRuleMismatch(message) && outcome.kind === 'failed') {
    logger.error('Huawei refused tags that the tag rules accepted', {
      message_id: message.messageId,
      key_id: message.event?.key_id,
      huawei_code: outcome.error.huawei_code,
      detail: outcome.detail,
    });
  }
}
