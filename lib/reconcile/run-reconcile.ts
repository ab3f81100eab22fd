import type { RunOperation } from '../core/ensure-alias.ts';
import type { KmsClient } from '../huawei/types.ts';
import { listAliases } from '../inventory/list-aliases.ts';
import { listKeys } from '../inventory/list-keys.ts';
import type { CompiledTemplate } from '../naming/compile-alias-template.ts';
import { type DriftReport, findDrift } from './find-drift.ts';

export interface ReconcileDeps {
  kms: KmsClient;
  run: RunOperation;
  onProgress?: (progress: { stage: 'keys' | 'aliases'; listed: number }) => void;
}

export interface ReconcileOptions {
  projectId: string;
  region: string;
  template: CompiledTemplate;
  pageSize?: number;
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
  return findDrift(keys, aliases, options.template, { projectId, region });
}
