import type { Context } from 'aws-lambda';
import type { InvocationContext, Logger } from '../../lib/audit/create-logger.ts';
import { driftMetricsDocument } from '../../lib/audit/drift-metrics.ts';
import type { RunOperation } from '../../lib/core/ensure-alias.ts';
import type { ProjectAccount } from '../../lib/core/place-event.ts';
import { toErrorSummary } from '../../lib/errors/app-error.ts';
import type { KmsClient } from '../../lib/huawei/types.ts';
import type { CompiledTemplate } from '../../lib/naming/compile-alias-template.ts';
import type { DriftKind } from '../../lib/reconcile/find-drift.ts';
import { runReconcile } from '../../lib/reconcile/run-reconcile.ts';

export interface ReconcileFunctionDeps {
  projects: ReadonlyMap<string, string>;
  /** Project id → account (HUAWEICLOUD_ACCOUNTS), named in the log lines; absent with one account. */
  accounts?: ReadonlyMap<string, ProjectAccount> | undefined;
  template: CompiledTemplate;
  kms: KmsClient;
  /** The retry policy, bound to the invocation's remaining time. */
  createRun: (remainingMs: () => number) => RunOperation;
  logger: Logger;
  /** EMF namespace and Service dimension of the drift metrics (docs/operations.md); none when absent. */
  metrics?: { namespace: string; service: string };
  /** ON_KEY_DELETION=release: an alias still held by a key pending deletion is drift the alarm counts (drift-metrics.ts). */
  releasesAliases?: boolean;
  now?: () => number;
}

export interface ReconcileFunctionResult {
  projects: Array<{
    project_id: string;
    region: string;
    account?: string;
    drift: number;
    counts: Record<DriftKind, number>;
  }>;
}

/**
 * The scheduled reconcile: `runReconcile` (the code behind `kms-auto-alias reconcile`) for every
 * configured project. Read-only; it publishes nothing. Per project it logs one
 * `log_type: "reconcile"` line (counts) and one `log_type: "drift"` line per finding, so a
 * Logs Insights query can list the findings without parsing a large document, and one EMF
 * document per project (`DriftFindings` and one metric per kind), which the stack's drift alarm
 * watches. A project whose listing fails is logged (and counted as `ReconcileFailures`) and the
 * others still run; the invocation then fails, so Lambda's Errors metric (and its alarm) shows it.
 */
export function createReconcileHandler(deps: ReconcileFunctionDeps) {
  return async (
    _event: unknown,
    context: Pick<Context, 'getRemainingTimeInMillis'> & InvocationContext,
  ): Promise<ReconcileFunctionResult> => {
    deps.logger.addContext(context);
    const now = deps.now ?? Date.now;
    const writeMetrics = (projectId: string, region: string, counts: Record<DriftKind, number> | undefined) => {
      if (deps.metrics === undefined) return;
      deps.logger.metrics(
        driftMetricsDocument({
          ...deps.metrics,
          projectId,
          region,
          counts,
          timestamp: now(),
          heldByPendingDeletionIsDrift: deps.releasesAliases === true,
        }),
      );
    };
    const run = deps.createRun(() => context.getRemainingTimeInMillis());
    const result: ReconcileFunctionResult = { projects: [] };
    const failed: string[] = [];
    for (const [projectId, region] of deps.projects) {
      const name = deps.accounts?.get(projectId)?.name;
      const account = name === undefined ? {} : { account: name };
      try {
        const report = await runReconcile({ projectId, region, template: deps.template }, { kms: deps.kms, run });
        const { drift, ...summary } = report;
        deps.logger.info('reconcile report', { log_type: 'reconcile', ...account, ...summary });
        for (const item of drift)
          deps.logger.warn('drift', { log_type: 'drift', ...account, project_id: projectId, region, ...item });
        writeMetrics(projectId, region, report.counts);
        result.projects.push({ project_id: projectId, region, ...account, drift: drift.length, counts: report.counts });
      } catch (err) {
        deps.logger.error('reconcile failed', {
          log_type: 'reconcile',
          ...account,
          project_id: projectId,
          region,
          error: toErrorSummary(err),
        });
        writeMetrics(projectId, region, undefined);
        failed.push(projectId);
      }
    }
    if (failed.length > 0) {
      throw new Error(`reconcile failed for ${failed.length} of ${deps.projects.size} projects: ${failed.join(', ')}`);
    }
    return result;
  };
}
