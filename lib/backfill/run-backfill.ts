import pLimit from 'p-limit';
import { type AliasApi, ensureAlias, type RunOperation } from '../core/ensure-alias.ts';
import { outcomeOfError } from '../core/process-message.ts';
import { ConfigError } from '../errors/app-error.ts';
import type { KeyDetails, KmsClient } from '../huawei/types.ts';
import { aliasHolders, listAliases } from '../inventory/list-aliases.ts';
import { listKeyPages } from '../inventory/list-keys.ts';
import { planKey } from '../inventory/plan-key.ts';
import type { CompiledTemplate } from '../naming/compile-alias-template.ts';
import type { Journal } from './backfill-journal.ts';
import { type BackfillSummary, isSettled, type KeyResult, summariseResults } from './backfill-result.ts';
import { tagKey, type TagSettings } from './tag-key.ts';
import type { TagApi } from '../core/ensure-tags.ts';

export interface BackfillOptions {
  projectId: string;
  region: string;
  template: CompiledTemplate;
  /** List and decide, create nothing: the alias listing tells `would_create` from `already_present`. */
  dryRun: boolean;
  /** Keys per list-keys page; default 100. */
  pageSize?: number;
  /** Keys worked on at once within a page; default 4. The client's rate limit is the real cap. */
  concurrency?: number;
  /** TAG_TEMPLATE set: every key with its alias also gets its tags (listed first; see tag-key.ts). */
  tags?: TagSettings | undefined;
}

export interface BackfillProgress {
  /** 1-based page number of this run. */
  page: number;
  /** Keys listed so far in this run. */
  listed: number;
  /** Keys decided so far in this run. */
  decided: number;
  last: KeyResult;
}

export interface BackfillDeps {
  /** The HTTP client, already rate-limited (list-keys, and list-aliases for a dry run). */
  kms: KmsClient;
  /** The port `ensureAlias` uses: the same idempotent create as the handler. */
  api: AliasApi;
  /** Every KMS call goes through it (the retry policy). */
  run: RunOperation;
  /** The tag calls; needed with `options.tags`. */
  tagApi?: TagApi | undefined;
  /** Progress is persisted here; a journal written before is resumed. Not for dry runs. */
  journal?: Journal | undefined;
  /** Aborting stops starting keys; keys in flight finish and are recorded. */
  signal?: AbortSignal | undefined;
  onProgress?: (progress: BackfillProgress) => void;
  /** After each page: its 1-based number, its keys, the keys listed so far in this run, and its failures. */
  onPage?: (page: { page: number; keys: number; listed: number; failed: number }) => void;
  now?: () => Date;
}

export interface BackfillReport {
  project_id: string;
  region: string;
  template: string;
  dry_run: boolean;
  /** Every key was listed and every one settled (nothing failed, nothing left to do). */
  complete: boolean;
  /** Stopped by the signal before the end; resume with the journal. */
  interrupted: boolean;
  /** Stopped starting keys because KMS kept throttling after the retries; resume later. */
  stopped?: 'throttled';
  /** Keys settled by earlier runs of the journal, not worked on again. */
  earlier_keys: number;
  /** This run's results, in listing order. */
  results: KeyResult[];
  /** This run only. */
  run_summary: BackfillSummary;
  /** The whole backfill: this run plus the journal's earlier runs. */
  summary: BackfillSummary;
  journal?: string;
}

/**
 * Gives every enabled, customer key of one project the alias the convention asks for: pages
 * through list-keys, skips what `planKey` skips (with a reason), and calls `ensureAlias` (one
 * call on the happy path, never moving an alias) for the rest. With a journal, every decision is
 * appended as it is made and a later run continues where this one stopped (see backfill-journal.ts).
 *
 * @throws ConfigError when the journal was written for another project, region or template, or
 *   with `dryRun`; the KMS error of a list-keys call the retry policy gave up on. Errors of
 *   single keys never throw: they are `failed` results.
 */
export async function runBackfill(options: BackfillOptions, deps: BackfillDeps): Promise<BackfillReport> {
  const { projectId, region, template, dryRun } = options;
  const now = deps.now ?? (() => new Date());
  const journal = deps.journal;
  const previous = journal?.previous;
  if (journal !== undefined && dryRun)
    throw new ConfigError('a dry run changes nothing, so it has nothing to resume: drop --resume');
  if (previous !== undefined) checkJournalScope(previous.start, options, journal?.path ?? '');

  const combined = new Map<string, KeyResult>(previous?.results ?? []);
  const settledBefore = new Set([...combined.values()].filter(isSettled).map((r) => r.key_id));
  const report = (results: KeyResult[], complete: boolean, interrupted: boolean): BackfillReport => ({
    project_id: projectId,
    region,
    template: template.source,
    dry_run: dryRun,
    complete,
    interrupted,
    earlier_keys: settledBefore.size,
    results,
    run_summary: summariseResults(results),
    summary: summariseResults(combined.values()),
    ...(journal === undefined ? {} : { journal: journal.path }),
  });
  if (previous?.complete === true) return report([], true, false);

  journal?.begin({ project_id: projectId, region, template: template.source, at: now().toISOString() });
  const holders = dryRun ? aliasHolders(await listAliases(deps.kms, deps.run, { region, projectId })) : undefined;
  const limit = pLimit(options.concurrency ?? 4);
  const results: KeyResult[] = [];
  let listed = 0;
  let blocked = false;
  let reachedEnd = false;
  let interrupted = false;
  // KMS still throttling after the retry policy gave up: every further key would only add load to
  // the per-user limit the live function shares (docs/huawei-kms.md#rate-limits), and fail the
  // same way. Stop starting keys, as on Ctrl-C; the cursor stays before this page.
  let stopped: 'throttled' | undefined;
  const isThrottled = (r: KeyResult): boolean =>
    (r.outcome === 'failed' && r.reason === 'kms_throttled') ||
    (r.tags === 'failed' && r.tag_detail?.startsWith('KMS_THROTTLED') === true);

  const decide = async (details: KeyDetails): Promise<KeyResult> => {
    const base: KeyResult = { key_id: details.key_id, outcome: 'failed' };
    if (details.key_alias !== undefined && details.key_alias !== '') base.key_alias = details.key_alias;
    const plan = planKey(details, template, { projectId, region });
    if (plan.kind === 'skip') return { ...base, outcome: 'skipped', reason: plan.reason, detail: plan.detail };
    if (plan.kind === 'naming_failed')
      return { ...base, outcome: 'failed', reason: plan.code.toLowerCase(), detail: plan.reason };
    const alias = plan.alias;
    const withTags = async (result: KeyResult): Promise<KeyResult> => {
      if (options.tags === undefined || deps.tagApi === undefined) return result;
      const target = { region, projectId, keyId: details.key_id };
      return { ...result, ...(await tagKey(options.tags, deps.tagApi, deps.run, plan.event, alias, target, dryRun)) };
    };
    if (holders !== undefined) {
      const holder = holders.get(alias);
      if (holder === details.key_id) return withTags({ ...base, outcome: 'already_present', alias });
      if (holder !== undefined) return { ...base, outcome: 'conflict', alias, existing_key_id: holder };
      // A later key deriving the same alias would conflict with this one.
      holders.set(alias, details.key_id);
      return withTags({ ...base, outcome: 'would_create', alias });
    }
    try {
      const ensured = await ensureAlias(deps.api, { region, projectId, keyId: details.key_id, alias }, deps.run);
      return await withTags({ ...base, outcome: ensured.status, alias });
    } catch (err) {
      const outcome = outcomeOfError(err, alias);
      if (outcome.kind === 'conflict')
        return { ...base, outcome: 'conflict', alias, existing_key_id: outcome.existingKeyId };
      const reason = outcome.kind === 'failed' ? outcome.reason : outcome.kind;
      const detail = 'detail' in outcome ? outcome.detail : '';
      return { ...base, outcome: 'failed', alias, reason, detail };
    }
  };

  const isSettledNow = (keyId: string): boolean => {
    const r = combined.get(keyId);
    return settledBefore.has(keyId) || (r !== undefined && isSettled(r));
  };
  /** One pass over list-keys from `marker`; `moveCursor`: journal the cursor as pages settle. */
  const sweep = async (marker: string | undefined, moveCursor: boolean): Promise<void> => {
    reachedEnd = false;
    for await (const page of listKeyPages(deps.kms, deps.run, {
      region,
      projectId,
      marker,
      ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }),
    })) {
      listed += page.keys.length;
      const pageResults: Array<KeyResult | undefined> = page.keys.map(() => undefined);
      await Promise.all(
        page.keys.map((details, i) =>
          limit(async () => {
            if (isSettledNow(details.key_id) || deps.signal?.aborted === true || stopped !== undefined) return;
            const result = await decide(details);
            if (isThrottled(result)) stopped = 'throttled';
            pageResults[i] = result;
            combined.set(result.key_id, result);
            journal?.recordKey(result);
            deps.onProgress?.({
              page: page.index + 1,
              listed,
              decided: results.length + pageResults.filter(Boolean).length,
              last: result,
            });
          }),
        ),
      );
      for (const r of pageResults) if (r !== undefined) results.push(r);
      const pageSettled = page.keys.every((k) => isSettledNow(k.key_id));
      if (!pageSettled) blocked = true;
      const failed = pageResults.filter((r) => r !== undefined && !isSettled(r)).length;
      deps.onPage?.({ page: page.index + 1, keys: page.keys.length, listed, failed });
      if (page.nextMarker === undefined) reachedEnd = true;
      // The cursor never passes a page with an unsettled key: a resumed run lists it again.
      if (moveCursor && !blocked && !reachedEnd) journal?.recordCursor(page.nextMarker);
      if (deps.signal?.aborted === true) {
        interrupted = !(reachedEnd && pageSettled);
        return;
      }
      if (stopped !== undefined) return;
    }
  };

  await sweep(previous?.cursor, true);
  // A resumed run started at a stored marker. Huawei does not document what list-keys' marker is
  // (docs/huawei-kms.md#listing-keys); if it is a position, a key purged from an earlier page
  // between the runs shifts a key the first run never saw to before the cursor, and it would be
  // missed for good. So before calling the backfill complete, list from the first page once more:
  // settled keys cost no call, only the listing is paid again.
  if (previous?.cursor !== undefined && reachedEnd && !blocked && !interrupted && stopped === undefined) {
    await sweep(undefined, false);
  }
  const complete = reachedEnd && !blocked && !interrupted && stopped === undefined;
  if (complete) journal?.recordComplete(now().toISOString());
  return { ...report(results, complete, interrupted), ...(stopped === undefined ? {} : { stopped }) };
}

function checkJournalScope(
  start: { project_id: string; region: string; template: string },
  options: BackfillOptions,
  path: string,
): void {
  const mismatches: string[] = [];
  if (start.project_id !== options.projectId) mismatches.push(`project ${start.project_id} (now ${options.projectId})`);
  if (start.region !== options.region) mismatches.push(`region ${start.region} (now ${options.region})`);
  if (start.template !== options.template.source)
    mismatches.push(`template ${start.template} (now ${options.template.source})`);
  if (mismatches.length > 0) {
    throw new ConfigError(
      `--resume ${path} was written for ${mismatches.join(', ')}; use another file to start a new backfill`,
    );
  }
}
