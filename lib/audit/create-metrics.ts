/**
 * CloudWatch Embedded Metric Format: metrics written as one structured log line per batch and
 * project, which CloudWatch Logs turns into metrics with no extra network call. Written by hand
 * rather than with Powertools Metrics: the format is a documented JSON shape (about 40 lines
 * here) and the handler's cold start is a measured target.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */

export const METRIC_NAMES = {
  created: 'AliasesCreated',
  already_present: 'AliasesAlreadyPresent',
  skipped: 'EventsSkipped',
  conflict: 'AliasConflicts',
  invalid: 'InvalidEvents',
  failed: 'Failures',
} as const;

export interface MessageMetrics {
  outcome: keyof typeof METRIC_NAMES;
  projectId: string | undefined;
  region: string | undefined;
  retries: number;
  apiCalls: number;
  dlqSent: boolean;
  dlqFailed: boolean;
  /** Key creation to alias, for created aliases. */
  lagMs: number | undefined;
}

export interface BatchMetrics {
  record(message: MessageMetrics): void;
  /** Writes one EMF document per project and region seen, then forgets them. */
  flush(write: (document: Record<string, unknown>) => void, now?: number): void;
}

const COUNTS = [...Object.values(METRIC_NAMES), 'Retries', 'KmsApiCalls', 'DlqSends', 'DlqSendFailures'] as const;

export function createBatchMetrics(namespace: string, service: string): BatchMetrics {
  interface Group {
    projectId: string | undefined;
    region: string | undefined;
    counts: Map<string, number>;
    lags: number[];
  }
  const groups = new Map<string, Group>();
  return {
    record(m) {
      const key = m.projectId === undefined || m.region === undefined ? '' : `${m.projectId}/${m.region}`;
      let group = groups.get(key);
      if (group === undefined) {
        group =
          key === ''
            ? { projectId: undefined, region: undefined, counts: new Map(), lags: [] }
            : { projectId: m.projectId, region: m.region, counts: new Map(), lags: [] };
        groups.set(key, group);
      }
      const counts = group.counts;
      const add = (name: string, n: number) => counts.set(name, (counts.get(name) ?? 0) + n);
      add(METRIC_NAMES[m.outcome], 1);
      add('Retries', m.retries);
      add('KmsApiCalls', m.apiCalls);
      add('DlqSends', m.dlqSent ? 1 : 0);
      add('DlqSendFailures', m.dlqFailed ? 1 : 0);
      if (m.lagMs !== undefined) group.lags.push(m.lagMs);
    },
    flush(write, now = Date.now()) {
      for (const group of groups.values()) {
        const withProject = group.projectId !== undefined;
        const metrics = [
          ...COUNTS.map((Name) => ({ Name, Unit: 'Count' })),
          ...(group.lags.length > 0 ? [{ Name: 'AliasLag', Unit: 'Milliseconds' }] : []),
        ];
        const values: Record<string, unknown> = {};
        for (const name of COUNTS) values[name] = group.counts.get(name) ?? 0;
        if (group.lags.length > 0) values.AliasLag = group.lags;
        write({
          _aws: {
            Timestamp: now,
            CloudWatchMetrics: [
              {
                Namespace: namespace,
                Dimensions: withProject ? [['Service'], ['Service', 'ProjectId', 'Region']] : [['Service']],
                Metrics: metrics,
              },
            ],
          },
          Service: service,
          ...(withProject ? { ProjectId: group.projectId, Region: group.region } : {}),
          ...values,
        });
      }
      groups.clear();
    },
  };
}
