/**
 * The tag step of backfill (issue 12 docs/huawei-kms.md#alias-api): for a key that has (or would get) its alias, render its
 * tags and ensure them. Keys met by backfill have a history, so the tags are always listed first
 * (`assumeNoExistingTags: false`): one call for a key in sync, two when tags are missing.
 */
import { emptyTagReport, ensureTags, type TagApi } from '../core/ensure-tags.ts';
import type { RunOperation } from '../core/ensure-alias.ts';
import { toErrorSummary } from '../errors/app-error.ts';
import type { KeyCreated } from '../events/key-created.ts';
import type { CompiledTagTemplate } from '../tags/compiled-tag-template.ts';
import { planTags, type TagCall, type TagConflict, type TagCreateSemantics } from '../tags/plan-tags.ts';
import { renderTags } from '../tags/render-tags.ts';

export interface TagSettings {
  template: CompiledTagTemplate;
  /** TAG_OVERWRITE. */
  overwrite: boolean;
  semantics: TagCreateSemantics;
}

/** How backfill ended for one key's tags. */
export type KeyTagsOutcome =
  | 'applied'
  | 'in_sync'
  | 'conflict'
  | 'would_apply'
  | 'over_limit'
  | 'invalid'
  /** A KMS failure (throttling, 5xx...): the key is not settled, a resumed run tries it again. */
  | 'failed';

export interface KeyTagsResult {
  tags: KeyTagsOutcome;
  /** `key=value` written (or, in a dry run, to write). */
  tags_written?: string[];
  tag_conflicts?: TagConflict[];
  /** Dry run: the calls that would be sent. */
  tag_calls?: TagCall[];
  tag_detail?: string;
}

/** Renders and ensures (or, with `dryRun`, lists and plans) one key's tags. Never throws. */
export async function tagKey(
  settings: TagSettings,
  api: TagApi,
  run: RunOperation,
  event: KeyCreated,
  alias: string,
  target: { region: string; projectId: string; keyId: string },
  dryRun: boolean,
): Promise<KeyTagsResult> {
  const rendered = renderTags(settings.template, event, alias);
  if (!rendered.ok) return { tags: 'invalid', tag_detail: rendered.reason };
  try {
    if (dryRun) {
      const listed = await run('listTags', (signal) => api.listTags(target, signal));
      const plan = planTags(rendered.tags, listed.tags, settings);
      const conflicts = plan.conflicts.length > 0 ? { tag_conflicts: plan.conflicts } : {};
      if (plan.kind === 'over-limit') {
        return {
          tags: 'over_limit',
          tag_detail: `${plan.resultingCount} tags, over the limit of ${plan.limit}`,
          ...conflicts,
        };
      }
      if (plan.kind === 'in-sync') return { tags: plan.conflicts.length > 0 ? 'conflict' : 'in_sync', ...conflicts };
      const written = plan.calls.filter((c) => c.action === 'create').flatMap((c) => c.tags);
      return {
        tags: 'would_apply',
        tags_written: written.map((t) => `${t.key}=${t.value}`),
        tag_calls: plan.calls,
        ...conflicts,
      };
    }
    const report = emptyTagReport(rendered.tags);
    const result = await ensureTags(
      api,
      target,
      rendered.tags,
      run,
      { ...settings, assumeNoExistingTags: false },
      report,
    );
    const conflicts = report.conflicts.length > 0 ? { tag_conflicts: report.conflicts } : {};
    if (!result.ok)
      return { tags: result.code === 'TAG_LIMIT' ? 'over_limit' : 'invalid', tag_detail: result.reason, ...conflicts };
    const written = [...report.created, ...report.replaced.map((r) => ({ key: r.key, value: r.to }))];
    return {
      tags: report.status === 'planned' ? 'in_sync' : report.status,
      ...(written.length > 0 ? { tags_written: written.map((t) => `${t.key}=${t.value}`) } : {}),
      ...conflicts,
    };
  } catch (err) {
    const error = toErrorSummary(err);
    return { tags: 'failed', tag_detail: `${error.code}: ${error.message}` };
  }
}
