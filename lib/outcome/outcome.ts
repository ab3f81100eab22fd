/**
 * How a message ended, as data. A leaf module: the decisions (lib/core) produce it, the audit
 * record (lib/audit), the DLQ record (lib/dlq) and the metrics read it, and none of them needs
 * another to do so.
 */
import type { ErrorSummary } from '../errors/app-error.ts';
import type { Tag, TagConflict, TagReplacement } from '../tags/plan-tags.ts';
import type { TagRuleViolation } from '../tags/tag-rules.ts';

/**
 * What the tag step did for a key (TAG_TEMPLATE on), carried by the outcome of its alias.
 * `status`: `applied` (tags were written), `in_sync` (nothing to write), `conflict` (managed tags
 * holding another value were kept, TAG_OVERWRITE off: reported, the message is acknowledged
 * since replaying cannot fix a value a person set), `planned` (dry run: nothing sent).
 */
export interface TagReport {
  status: 'applied' | 'in_sync' | 'conflict' | 'planned';
  /** The rendered tags. */
  desired: Tag[];
  /** Sent with `create` (the direct first call reports every desired tag here). */
  created: Tag[];
  unchanged: Tag[];
  replaced: TagReplacement[];
  conflicts: TagConflict[];
  /** Tag API calls made (createTags and listTags, attempts not counted). */
  calls: number;
  /** Whether the key's tags were listed. */
  listed: boolean;
  requestIds: string[];
  /** Items of a tag listing that were not `{key, value}` and were left out (a surprise). */
  droppedFromListing?: number;
}

/** How a message ended: the audit log, the DLQ record and metrics all read this. */
export type Outcome =
  /** `requestId`: the X-Request-Id of the CreateAlias 201 (the proof, for the audit record). */
  | { kind: 'created'; alias: string; requestId?: string; tags?: TagReport }
  /** `requestId`: the X-Request-Id of the refusal that led to finding the alias. */
  | { kind: 'already_present'; alias: string; requestId?: string; tags?: TagReport }
  | { kind: 'skipped'; reason: string; detail: string; alias?: string; tags?: TagReport }
  | { kind: 'invalid'; reason: string; detail: string }
  /**
   * ON_KEY_DELETION=release, key scheduled for deletion: `released` are the key's aliases the
   * convention made, now deleted (empty: it had none); `kept` its other aliases, left alone.
   * `requestId`: the X-Request-Id of the DeleteAlias 204.
   */
  | { kind: 'released'; keyId: string; released: string[]; kept: string[]; detail: string; requestId?: string }
  /** `requestId`: the X-Request-Id of the refused CreateAlias that led to finding the holder. */
  | { kind: 'conflict'; alias: string; existingKeyId: string; detail: string; requestId?: string }
  /**
   * `tags`: the failure came from the tag step (the alias itself is in place); `tagViolations`:
   * the rendered tags broke Huawei's rules (reason `invalid_tags`).
   */
  | {
      kind: 'failed';
      alias?: string;
      reason: string;
      detail: string;
      error: ErrorSummary;
      retryable: boolean;
      tags?: TagReport;
      tagViolations?: TagRuleViolation[];
      /**
       * The alias was settled before the failure (the tag step failed after it): what happened to
       * it, so the audit can still prove a 201 that wrote it (a retry then finds it present).
       */
      aliasSettled?: { status: 'created' | 'already_present'; requestId?: string };
    };

/** What happens to the SQS message: deleted, sent to the DLQ, or left for redelivery. */
export type Disposition = 'ack' | 'dlq' | 'retry';

/** Counts what one message cost: API calls (every attempt is a call) and retries. */
export interface CallMeter {
  apiCalls: number;
  retries: number;
}
