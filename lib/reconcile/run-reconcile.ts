import type { RunOperation } from '../core/ensure-alias.ts';
import type { KmsClient } from '../huawei/types.ts';
import { listAliases } from '../inventory/list-aliases.ts';
import { listKeys } from '../inventory/list-keys.ts';
import type { CompiledTemplate } from '../naming/compile-alias-template.ts';
import { type DriftReport, findDrift } from './find-drift.ts';
import { findTagDrift, type TagDriftItem } from './find-tag-drift.ts';
import type { TagApi } from '../core/ensure-tags.ts';
import { planKey } from '../inventory/plan-key.ts';
import type { CompiledTagTemplate } from '../tags/compiled-tag-template.ts';

export interface ReconcileDeps {
  kms: KmsClient;
  run: RunOperation;
  onProgress?: (progress: { stage: 'keys' | 'aliases' | 'tags'; listed: number }) => void;
  /** The tag listing; needed with `options.tagTemplate`. */
  tagApi?: TagApi | undefined;
}

export interface ReconcileOptions {
  projectId: string;
  region: string;
  template: CompiledTemplate;
  pageSize?: number;
  /** TAG_TEMPLATE set: each key that carries its alias has its tags listed (one call a key) and checked. */
  tagTemplate?: CompiledTagTemplate | undefined;
}

/**
 * Lists every key, then every alias, of one project and returns `findDrift` over them. Read-only.
 * Keys are listed first: a key created in between then shows with its alias or not at all,
 * never as a false "missing".
 * @throws the KMS error of a listing the retry policy gave up on.
 */
export async function runReconcile(options: ReconcileOptions, deps: ReconcileDeps): Promise<DriftReport> {
  const { projectId, region } = options;
  const keys = await listKeys(deps.kms, deps.run, {
    region,
    projectId,
    pageSize: options.pageSize,
    onPage: (listed) => deps.onProgress?.({ stage: 'keys', listed }),
  });
  const aliases = await listAliases(deps.kms, deps.run, {
    region,
    projectId,
    onPage: (listed) => deps.onProgress?.({ stage: 'aliases', listed }),
  });
  const report = findDrift(keys, aliases, options.template, { projectId, region });
  if (options.tagTemplate === undefined || deps.tagApi === undefined) return report;
  const holderOf = new Map(aliases.map((a) => [a.alias, a.key_id]));
  const tagDrift: TagDriftItem[] = [];
  let listed = 0;
  for (const details of keys) {
    const plan = planKey(details, options.template, { projectId, region });
    if (plan.kind !== 'alias' || holderOf.get(plan.alias) !== details.key_id) continue;
    const target = { region, projectId, keyId: details.key_id };
    const { tags } = await deps.run('listTags', (signal) => (deps.tagApi as TagApi).listTags(target, signal));
    listed += 1;
    deps.onProgress?.({ stage: 'tags', listed });
    const key = { key_id: details.key_id, key_alias: details.key_alias, event: plan.event, alias: plan.alias };
    tagDrift.push(...findTagDrift(options.tagTemplate, key, tags));
  }
  return { ...report, tag_drift: tagDrift, has_drift: report.has_drift || tagDrift.length > 0 };
}
