import type { Config } from '../../lib/config/load-config.ts';
import type { KeyDeletionApi } from '../../lib/core/handle-key-deletion.ts';
import { projectAccountsOf } from '../../lib/core/place-event.ts';
import type { BatchDeps } from '../../lib/core/process-batch.ts';
import { aliasPatternOf, conformsTo } from '../../lib/reconcile/alias-pattern.ts';
import { buildRuntime, type RuntimeOptions } from '../../lib/runtime/build-runtime.ts';
import { ASSUMED_TAG_CREATE_SEMANTICS } from '../../lib/tags/plan-tags.ts';

/** Where logs go, a shared SQS client, KMS client settings (see `RuntimeOptions`). */
export type BuildOverrides = RuntimeOptions;

/** What the create-key-alias function needs from the shared runtime (lib/runtime). */
export function buildDeps(config: Config, overrides: BuildOverrides = {}): BatchDeps {
  const runtime = buildRuntime(config, overrides);
  return {
    projects: config.projects,
    accounts: projectAccountsOf(config.accounts),
    template: config.aliasTemplate,
    templateSource: config.aliasTemplateSource,
    dryRun: config.dryRun,
    maxReceiveCount: config.maxReceiveCount,
    concurrency: config.concurrency,
    api: runtime.aliasApi,
    createRun: runtime.createRun,
    dlq: runtime.dlq(),
    deadlineMarginMs: config.deadlineMarginMs,
    logger: runtime.logger,
    metrics: runtime.metrics,
    keyDeletion: keyDeletionOf(config, runtime.keyDeletionApi),
    ...(config.tagTemplate === undefined
      ? {}
      : {
          tags: {
            template: config.tagTemplate,
            overwrite: config.tagOverwrite,
            semantics: ASSUMED_TAG_CREATE_SEMANTICS,
            api: runtime.tagApi,
          },
        }),
  };
}

/** ON_KEY_DELETION: the convention's aliases are those of ALIAS_TEMPLATE's shape (lib/reconcile/alias-pattern.ts). */
function keyDeletionOf(config: Config, api: KeyDeletionApi): NonNullable<BatchDeps['keyDeletion']> {
  const pattern = aliasPatternOf(config.aliasTemplate);
  return { mode: config.onKeyDeletion, conforms: (alias) => conformsTo(pattern, alias), api };
}
