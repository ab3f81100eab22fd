/**
 * Decides which tag calls to make for one key: pure, given the desired tags, (when known) the
 * key's existing tags, and `TAG_OVERWRITE`.
 *
 * The call budget (issue: "with tags on, a new key costs exactly two calls": create alias,
 * create tags) means the happy path must not list tags first. So planning has two steps:
 *
 * 1. {@link planFirstTagCall}: send `create` with every desired tag straight away, or (when that
 *    could overwrite a tag we must keep) list the key's tags first.
 * 2. {@link planTags}: once the existing tags are known (listed first, or listed because the
 *    direct `create` failed), work out what to create, what already holds its value, what
 *    conflicts, and whether the per-key tag limit would be exceeded.
 *
 * What Huawei does when `create` names a key the resource already has, with another value, is
 * not stated on the KMS page (docs/huawei-kms.md#key-tags). Huawei's common tag convention
 * (ECS, DeH, MRS tag APIs) is that it overwrites; a service could also reject it. Both readings
 * are modelled as {@link TagCreateSemantics} and tested.
 */
import { MAX_TAGS_PER_KEY, type Tag } from './tag-rules.ts';

export type { Tag } from './tag-rules.ts';

/**
 * What `POST …/tags/action` with `action: create` does for a key that already exists on the
 * resource with another value:
 * - `overwrites`: the new value replaces the old one (Huawei's documented convention for ECS,
 *   DeH and MRS tags; the likeliest for KMS, unverified);
 * - `rejects`: the call fails and nothing changes.
 */
export type TagCreateSemantics = 'overwrites' | 'rejects';

/** The reading the project assumes until a live test settles it: the one that is riskier to get wrong. */
export const ASSUMED_TAG_CREATE_SEMANTICS: TagCreateSemantics = 'overwrites';

/** One `POST /v1.0/{project_id}/kms/{key_id}/tags/action` body (without `sequence`). */
export interface TagCall {
  action: 'create' | 'delete';
  tags: Tag[];
}

export interface FirstTagCallOptions {
  /** `TAG_OVERWRITE`: managed tags holding another value are replaced. */
  overwrite: boolean;
  semantics: TagCreateSemantics;
  /**
   * The caller asserts the key cannot yet carry a managed tag set by someone else: a live
   * createKey event, processed for the first time. `backfill`, `reconcile` and replays must
   * pass `false`.
   */
  assumeNoExistingTags: boolean;
}

/** Step 1: what to send before knowing the key's tags. */
export type FirstTagCall =
  /** The template rendered no tags: nothing to do. */
  | { kind: 'none' }
  /** Send this call now; if it fails with a tag error, list the tags and call {@link planTags}. */
  | { kind: 'create'; call: TagCall }
  /** List the key's tags first, then call {@link planTags}. */
  | { kind: 'list-first'; reason: string };

/**
 * Decides the first tag call. A direct `create` is safe when it cannot replace a value we must
 * keep: when overwriting is wanted anyway, when Huawei would reject rather than overwrite, or
 * when the caller asserts the key has no tags yet. Otherwise the tags are listed first (one
 * more call), so that no tag is overwritten unless asked.
 *
 * @example
 * planFirstTagCall([{ key: 'owner', value: 'ops' }], { overwrite: false, semantics: 'overwrites', assumeNoExistingTags: true })
 * // { kind: 'create', call: { action: 'create', tags: [{ key: 'owner', value: 'ops' }] } }
 */
export function planFirstTagCall(desired: readonly Tag[], options: FirstTagCallOptions): FirstTagCall {
  if (desired.length === 0) return { kind: 'none' };
  const call: TagCall = { action: 'create', tags: desired.map(copyTag) };
  if (options.overwrite || options.semantics === 'rejects' || options.assumeNoExistingTags) {
    return { kind: 'create', call };
  }
  return {
    kind: 'list-first',
    reason:
      'the key may already carry a managed tag with another value, and create may overwrite it (TAG_OVERWRITE is off)',
  };
}

/** A managed tag the key already has with another value, kept as it is. */
export interface TagConflict {
  /** The managed key, as the template writes it. */
  key: string;
  desired: string;
  /** The key as it exists on the KMS key (differs from `key` only in case for `case-variant`). */
  existingKey: string;
  existing: string;
  /**
   * `other-value`: same key, another value, and TAG_OVERWRITE is off.
   * `case-variant`: the key exists in another case (`Owner` vs `owner`); whether Huawei treats
   * them as one key is unverified, so it is never created or overwritten, only reported.
   */
  reason: 'other-value' | 'case-variant';
}

/** A managed tag whose value is replaced (TAG_OVERWRITE on). */
export interface TagReplacement {
  key: string;
  from: string;
  to: string;
}

export interface PlanTagsOptions {
  overwrite: boolean;
  semantics: TagCreateSemantics;
  /** Defaults to {@link MAX_TAGS_PER_KEY}. */
  maxTags?: number;
}

/** What the plan found for each desired tag; every desired tag is in exactly one list. */
export interface TagPlanSummary {
  /** Missing tags to create. */
  create: Tag[];
  /** Tags to replace (only when TAG_OVERWRITE is on). */
  replace: TagReplacement[];
  /** Tags that already hold the desired value. */
  unchanged: Tag[];
  /** Managed tags kept with another value, to report. */
  conflicts: TagConflict[];
}

/** Step 2: the decision once the key's tags are known. */
export type TagPlan =
  /** Nothing to send. `conflicts` may be non-empty (TAG_OVERWRITE off): report them. */
  | ({ kind: 'in-sync' } & TagPlanSummary)
  /** Send `calls` in order. `conflicts` may be non-empty: report them. */
  | ({ kind: 'apply'; calls: TagCall[]; resultingCount: number } & TagPlanSummary)
  /** Creating the missing tags would exceed the per-key limit: nothing is sent (all or nothing). */
  | ({ kind: 'over-limit'; limit: number; existingCount: number; resultingCount: number } & TagPlanSummary);

/**
 * Compares the desired tags with the key's existing tags and decides the calls.
 *
 * - Same key, same value: `unchanged`.
 * - Same key, other value: `replace` when `overwrite`, else `conflicts` (`other-value`).
 * - Key present only in another case: `conflicts` (`case-variant`), whatever `overwrite` says.
 * - Otherwise: `create`.
 * - Tags the template does not manage are never touched, and only they and the created tags
 *   count towards the limit.
 *
 * Calls: with `overwrites` semantics one `create` carries the missing and the replaced tags;
 * with `rejects`, the replaced tags are first deleted (with their old values), then created.
 */
export function planTags(desired: readonly Tag[], existing: readonly Tag[], options: PlanTagsOptions): TagPlan {
  const limit = options.maxTags ?? MAX_TAGS_PER_KEY;
  const exact = new Map<string, string>();
  const folded = new Map<string, Tag>();
  for (const tag of existing) {
    // A listing should not repeat a key; if it does, the first entry wins (and is what we compare with).
    if (!exact.has(tag.key)) exact.set(tag.key, tag.value);
    const lower = tag.key.toLowerCase();
    if (!folded.has(lower)) folded.set(lower, tag);
  }
  const summary: TagPlanSummary = { create: [], replace: [], unchanged: [], conflicts: [] };
  for (const tag of desired) {
    const current = exact.get(tag.key);
    if (current !== undefined) {
      if (current === tag.value) summary.unchanged.push(copyTag(tag));
      else if (options.overwrite) summary.replace.push({ key: tag.key, from: current, to: tag.value });
      else summary.conflicts.push(conflict(tag, tag.key, current, 'other-value'));
      continue;
    }
    const variant = folded.get(tag.key.toLowerCase());
    if (variant !== undefined) {
      summary.conflicts.push(conflict(tag, variant.key, variant.value, 'case-variant'));
      continue;
    }
    summary.create.push(copyTag(tag));
  }
  const existingCount = exact.size;
  const resultingCount = existingCount + summary.create.length;
  if (summary.create.length > 0 && resultingCount > limit) {
    return { kind: 'over-limit', limit, existingCount, resultingCount, ...summary };
  }
  const toCreate = [...summary.create, ...summary.replace.map((r) => ({ key: r.key, value: r.to }))];
  if (toCreate.length === 0) return { kind: 'in-sync', ...summary };
  const calls: TagCall[] = [];
  if (summary.replace.length > 0 && options.semantics === 'rejects') {
    calls.push({ action: 'delete', tags: summary.replace.map((r) => ({ key: r.key, value: r.from })) });
  }
  calls.push({ action: 'create', tags: toCreate });
  return { kind: 'apply', calls, resultingCount, ...summary };
}

function copyTag(tag: Tag): Tag {
  return { key: tag.key, value: tag.value };
}

function conflict(tag: Tag, existingKey: string, existing: string, reason: TagConflict['reason']): TagConflict {
  return { key: tag.key, desired: tag.value, existingKey, existing, reason };
}
