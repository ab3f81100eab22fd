/**
 * Gives a key the tags its template renders (issue 12 docs/huawei-kms.md#alias-api), over a {@link TagApi} port, as
 * ensure-alias.ts does for the alias. Pure decisions from lib/tags; only the port does I/O.
 *
 * The happy path of a live createKey event is one call (`create` with every tag), so that a new
 * key costs two calls in all with its alias. When that call fails with an error the key's
 * existing tags may explain (limit reached, tag key exists), the tags are listed and planned
 * once (lib/tags/plan-tags.ts); a second refusal is permanent. Backfill, reconcile, replays and
 * redeliveries list first, so that no tag is overwritten unless TAG_OVERWRITE asks.
 * docs/huawei-kms.md#key-tags
 */
import { KmsApiError } from '../errors/huawei-errors.ts';
import type { EventSource } from '../events/key-created.ts';
import type { TagReport } from '../outcome/outcome.ts';
import { classifyTagFailure, type TagFailureAction } from '../tags/classify-tag-failure.ts';
import { type Tag, type TagCall, type TagCreateSemantics, planFirstTagCall, planTags } from '../tags/plan-tags.ts';
import type { RunOperation } from './ensure-alias.ts';

export interface TagTarget {
  region: string;
  projectId: string;
  keyId: string;
}

/** The KMS tag operations the step needs (a port; the real one is the HTTP client). */
export interface TagApi {
  createTags(target: TagTarget, call: TagCall, signal: AbortSignal): Promise<{ requestId?: string | undefined }>;
  listTags(
    target: TagTarget,
    signal: AbortSignal,
  ): Promise<{ tags: Tag[]; requestId?: string | undefined; dropped?: number | undefined }>;
}

export interface EnsureTagsOptions {
  /** TAG_OVERWRITE. */
  overwrite: boolean;
  semantics: TagCreateSemantics;
  /** See {@link mayAssumeNoExistingTags}. */
  assumeNoExistingTags: boolean;
  maxTags?: number;
}

/**
 * `ok: false` is a permanent refusal of the tag step (the alias is untouched):
 * - `TAG_LIMIT`: the missing tags would take the key over its limit; nothing was sent.
 * - `INVALID_TAGS`: Huawei refused the tags; `ruleMismatch` when our rules had accepted them.
 */
export type EnsureTagsResult =
  | { ok: true; report: TagReport }
  | {
      ok: false;
      code: 'TAG_LIMIT' | 'INVALID_TAGS';
      reason: string;
      report: TagReport;
      ruleMismatch: boolean;
      cause?: KmsApiError;
    };

/** Event sources that announce a key the moment it is made (lib/events); `key-details` is a listing. */
const LIVE_SOURCES: ReadonlySet<EventSource> = new Set(['cts', 'functiongraph-cts', 'eventgrid', 'canonical']);

/**
 * Whether the direct `create` may skip the listing: only a live creation event, on its first
 * receive, can vouch that nobody has tagged the key yet (a redelivery may follow a partial run;
 * backfill and replays meet keys with history). The known risk: a tag typed into the console's
 * "Create key" dialog is overwritten if Huawei's `create` overwrites (docs/operations.md).
 */
export function mayAssumeNoExistingTags(source: EventSource, receiveCount: number): boolean {
  return LIVE_SOURCES.has(source) && receiveCount <= 1;
}

/** A new, empty report for `desired`. */
export function emptyTagReport(desired: readonly Tag[], status: TagReport['status'] = 'in_sync'): TagReport {
  return {
    status,
    desired: desired.map((t) => ({ ...t })),
    created: [],
    unchanged: [],
    replaced: [],
    conflicts: [],
    calls: 0,
    listed: false,
    requestIds: [],
  };
}

/**
 * Ensures `desired` on the key. Throws only what the retry classes decide (throttling, 5xx,
 * network, auth, key state): the message is then retried or filed like any KMS failure.
 * `report` is filled as the calls happen, so it holds what was done even when this throws.
 */
export async function ensureTags(
  api: TagApi,
  target: TagTarget,
  desired: readonly Tag[],
  run: RunOperation,
  options: EnsureTagsOptions,
  report: TagReport = emptyTagReport(desired),
): Promise<EnsureTagsResult> {
  const send = async (call: TagCall): Promise<void> => {
    report.calls += 1;
    const sent = await run('createTags', (signal) => api.createTags(target, call, signal));
    if (sent.requestId !== undefined) report.requestIds.push(sent.requestId);
  };
  const first = planFirstTagCall(desired, options);
  if (first.kind === 'none') return { ok: true, report };
  if (first.kind === 'create') {
    try {
      await send(first.call);
    } catch (err) {
      const action = tagFailureActionOf(err);
      if (action === 'not-a-tag-failure') throw err;
      if (action === 'invalid-tags') return refused(report, err as KmsApiError, true);
      return listAndApply(api, target, desired, run, options, report, send, true);
    }
    report.created = first.call.tags;
    report.status = 'applied';
    return { ok: true, report };
  }
  return listAndApply(api, target, desired, run, options, report, send, false);
}

async function listAndApply(
  api: TagApi,
  target: TagTarget,
  desired: readonly Tag[],
  run: RunOperation,
  options: EnsureTagsOptions,
  report: TagReport,
  send: (call: TagCall) => Promise<void>,
  afterRefusal: boolean,
): Promise<EnsureTagsResult> {
  report.calls += 1;
  report.listed = true;
  const listed = await run('listTags', (signal) => api.listTags(target, signal));
  if (listed.requestId !== undefined) report.requestIds.push(listed.requestId);
  if (listed.dropped !== undefined && listed.dropped > 0) report.droppedFromListing = listed.dropped;
  // A direct create refused while the key holds one of our tag keys with another value is Huawei
  // showing the `rejects` reading (docs/huawei-kms.md#key-tags, unverified): plan for it.
  const held = new Map(listed.tags.map((t) => [t.key, t.value]));
  const rejects = afterRefusal && desired.some((t) => held.has(t.key) && held.get(t.key) !== t.value);
  const plan = planTags(desired, listed.tags, {
    overwrite: options.overwrite,
    semantics: rejects ? 'rejects' : options.semantics,
    ...(options.maxTags === undefined ? {} : { maxTags: options.maxTags }),
  });
  report.unchanged = plan.unchanged;
  report.conflicts = plan.conflicts;
  if (plan.kind === 'over-limit') {
    return {
      ok: false,
      code: 'TAG_LIMIT',
      reason: `key ${target.keyId} has ${plan.existingCount} tags; adding ${plan.create.length} would make ${plan.resultingCount}, over the limit of ${plan.limit}`,
      report,
      ruleMismatch: false,
    };
  }
  if (plan.kind === 'apply') {
    for (const call of plan.calls) {
      try {
        await send(call);
      } catch (err) {
        const action = tagFailureActionOf(err);
        if (action === 'not-a-tag-failure') throw err;
        // Listed and planned once already: a second refusal is permanent, never a loop.
        return refused(report, err as KmsApiError, action === 'invalid-tags');
      }
    }
    report.created = plan.create;
    report.replaced = plan.replace;
  }
  report.status = plan.conflicts.length > 0 ? 'conflict' : plan.kind === 'apply' ? 'applied' : 'in_sync';
  return { ok: true, report };
}

function tagFailureActionOf(err: unknown): TagFailureAction {
  if (!(err instanceof KmsApiError)) return 'not-a-tag-failure';
  return classifyTagFailure({ status: err.status, code: err.huaweiCode, message: err.huaweiMessage });
}

function refused(report: TagReport, err: KmsApiError, ruleMismatch: boolean): EnsureTagsResult {
  const code = err.huaweiCode === undefined ? `HTTP ${err.status}` : err.huaweiCode;
  return {
    ok: false,
    code: 'INVALID_TAGS',
    reason: `Huawei refused the tags (${code}${err.huaweiMessage === undefined ? '' : `: ${err.huaweiMessage}`})`,
    report,
    ruleMismatch,
    cause: err,
  };
}
