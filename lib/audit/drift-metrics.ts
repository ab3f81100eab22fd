/**
 * The scheduled reconcile's metrics, as CloudWatch Embedded Metric Format documents (one per
 * project): the drift it found, by kind, so an alarm can fire on drift without a metric filter.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
import type { DriftKind } from '../reconcile/find-drift.ts';

/**
 * Metric names, per drift kind; `DriftFindings` is their sum (the one the alarm watches), without
 * `held_by_pending_deletion` unless the deployment releases aliases (see {@link DriftMetricsInput}).
 */
export const DRIFT_METRIC_NAMES: Record<DriftKind, string> = {
  missing: 'DriftMissingAliases',
  conflict: 'DriftConflicts',
  non_conforming: 'DriftNonConformingAliases',
  naming_failed: 'DriftNamingFailures',
  held_by_pending_deletion: 'DriftHeldByPendingDeletion',
};

export interface DriftMetricsInput {
  namespace: string;
  service: string;
  projectId: string;
  region: string;
  /** Undefined when the project could not be reconciled (then only ReconcileFailures is written). */
  counts: Record<DriftKind, number> | undefined;
  timestamp: number;
  /**
   * Whether aliases held by a key pending deletion count towards `DriftFindings`: only when the
   * deployment releases them (`ON_KEY_DELETION=release`), where one left means a release was
   * missed. With `keep` (the default) a key keeps its aliases through its pending window (7 to
   * 1096 days) by design: counted, the drift alarm would stay in alarm all that time. They are
   * written as `DriftHeldByPendingDeletion` either way.
   */
  heldByPendingDeletionIsDrift: boolean;
}

/** One EMF document for one project's reconcile: the drift counts, or a failure. */
export function driftMetricsDocument(input: DriftMetricsInput): Record<string, unknown> {
  const values: Record<string, number> = {};
  if (input.counts === undefined) {
    values.ReconcileFailures = 1;
  } else {
    let total = 0;
    for (const [kind, name] of Object.entries(DRIFT_METRIC_NAMES) as Array<[DriftKind, string]>) {
      values[name] = input.counts[kind];
      if (kind !== 'held_by_pending_deletion' || input.heldByPendingDeletionIsDrift) total += input.counts[kind];
    }
    values.DriftFindings = total;
    values.ReconcileFailures = 0;
  }
  return {
    _aws: {
      Timestamp: input.timestamp,
      CloudWatchMetrics: [
        {
          Namespace: input.namespace,
          Dimensions: [['Service'], ['Service', 'ProjectId', 'Region']],
          Metrics: Object.keys(values).map((Name) => ({ Name, Unit: 'Count' })),
        },
      ],
    },
    Service: input.service,
    ProjectId: input.projectId,
    Region: input.region,
    ...values,
  };
}
