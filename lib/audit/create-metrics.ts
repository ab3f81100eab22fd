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
  /** ON_KEY_DELETION=release: a key scheduled for deletion gave its convention aliases back. */
  released: 'AliasesReleased',
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
  /** Further counts, written only once seen (the tag metrics: TAG_TEMPLATE off adds none). */
  extraCounts?: Readonly<Record<string, number>> | undefined;
}

export interface BatchMetrics {
  record(message: MessageMetrics): void;
  /**
   * Writes one EMF document per project and region seen (more when a metric holds over
   * {@link MAX_VALUES_PER_METRIC} values), then forgets them.
   */
  flush(write: (document: Record<string, unknown>) => void, now?: number): void;
}

/**
 * EMF accepts at most 100 values in one metric's array: a larger array makes CloudWatch reject
 * the whole document (EMF specification, "MetricDirective" limits). A big batch (the local runner,
 * a replay) can hold more lag values than that, so they are split over several documents.
 */
export const MAX_VALUES_PER_METRIC = 100;

function chunk<T>(values: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}

const COUNTS = [...Object.values(METRIC_NAMES), 'Retries', 'KmsApiCalls', 'DlqSends', 'DlqSendFailures'] as const;

const COUNT_SET: ReadonlySet<string> = new Set(COUNTS);

function add(counts: Map<string, number>, name: string, n: number): void {
  counts.set(name, (counts.get(name) ?? 0) + n);
}

export function createBatchMetrics(namespace: string, service: string): BatchMetrics {
  interface Group {
    projectId: string | undefined;
    region: string | undefined;
    counts: Map<string, number>;
    lags: number[];
  }
  const groups = new Map<string, Group>();
  /** The group the last message went to: a batch's messages are mostly of one project and region. */
  let last: Group | undefined;
  return {
    record(m) {
      let group =
        last !== undefined &&
        m.projectId !== undefined &&
        m.region !== undefined &&
        last.projectId === m.projectId &&
        last.region === m.region
          ? last
          : undefined;
      if (group === undefined) {
        const key = m.projectId === undefined || m.region === undefined ? '' : `${m.projectId}/${m.region}`;
        group = groups.get(key);
        if (group === undefined) {
          group =
            key === ''
              ? { projectId: undefined, region: undefined, counts: new Map(), lags: [] }
              : { projectId: m.projectId, region: m.region, counts: new Map(), lags: [] };
          groups.set(key, group);
        }
      }
      last = group;
      const counts = group.counts;
      add(counts, METRIC_NAMES[m.outcome], 1);
      add(counts, 'Retries', m.retries);
      add(counts, 'KmsApiCalls', m.apiCalls);
      add(counts, 'DlqSends', m.dlqSent ? 1 : 0);
      add(counts, 'DlqSendFailures', m.dlqFailed ? 1 : 0);
      if (m.lagMs !== undefined) group.lags.push(m.lagMs);
      if (m.extraCounts !== undefined) for (const name in m.extraCounts) add(counts, name, m.extraCounts[name] ?? 0);
    },
    flush(write, now = Date.now()) {
      for (const group of groups.values()) {
        const withProject = group.projectId !== undefined;
        const document = (metrics: Array<{ Name: string; Unit: string }>, values: Record<string, unknown>) => ({
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
        const counts: Record<string, unknown> = {};
        const names: string[] = [...COUNTS, ...[...group.counts.keys()].filter((n) => !COUNT_SET.has(n))];
        for (const name of names) counts[name] = group.counts.get(name) ?? 0;
        const lagChunks = chunk(group.lags, MAX_VALUES_PER_METRIC);
        const countMetrics = names.map((Name) => ({ Name, Unit: 'Count' }));
        const lagMetric = { Name: 'AliasLag', Unit: 'Milliseconds' };
        // The counts and the first lag values in one document, each further 100 lags in their own.
        const [first, ...rest] = lagChunks;
        write(
          document(
            first === undefined ? countMetrics : [...countMetrics, lagMetric],
            first === undefined ? counts : { ...counts, AliasLag: first },
          ),
        );
        for (const lags of rest) write(document([lagMetric], { AliasLag: lags }));
      }
      groups.clear();
      last = undefined;
    },
  };
}
