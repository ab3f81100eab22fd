import type { Config } from '../../lib/config/load-config.ts';
import { projectAccountsOf } from '../../lib/core/place-event.ts';
import { buildRuntime } from '../../lib/runtime/build-runtime.ts';
import type { ReconcileFunctionDeps } from './app.ts';

/** What the reconcile function needs from the shared runtime (lib/runtime); it publishes nothing. */
export function buildReconcileDeps(
  config: Config,
  overrides: { write?: (line: string) => void } = {},
): ReconcileFunctionDeps {
  const runtime = buildRuntime(config, overrides);
  return {
    projects: config.projects,
    accounts: projectAccountsOf(config.accounts),
    template: config.aliasTemplate,
    kms: runtime.kms,
    createRun: (remainingMs) => runtime.createRun({ apiCalls: 0, retries: 0 }, remainingMs),
    logger: runtime.logger,
    metrics: runtime.metrics,
    releasesAliases: config.onKeyDeletion === 'release',
  };
}
