import { describe, expect, it } from 'vitest';
import { createBatchMetrics, MAX_VALUES_PER_METRIC, type MessageMetrics } from '../../../lib/audit/create-metrics.ts';

const base: MessageMetrics = {
  outcome: 'created',
  projectId: 'p1',
  region: 'cn-north-4',
  retries: 0,
  apiCalls: 1,
  dlqSent: false,
  dlqFailed: false,
  lagMs: 1500,
};

describe('createBatchMetrics()', () => {
  it('writes one EMF document per project and region, with counts and lag values', () => {
    const metrics = createBatchMetrics('KmsAutoAlias', 'kms-auto-alias-prod');
    metrics.record(base);
    metrics.record({ ...base, lagMs: 2500, retries: 2, apiCalls: 3 });
    metrics.record({ ...base, outcome: 'conflict', lagMs: undefined, apiCalls: 3, dlqSent: true });
    metrics.record({
      ...base,
      outcome: 'invalid',
      projectId: undefined,
      region: undefined,
      apiCalls: 0,
      lagMs: undefined,
      dlqFailed: true,
    });
    const docs: Array<Record<string, unknown>> = [];
    metrics.flush((d) => docs.push(d), 1_000);

    expect(docs).toHaveLength(2);
    const [project, none] = docs;
    expect(project).toMatchObject({
      Service: 'kms-auto-alias-prod',
      ProjectId: 'p1',
      Region: 'cn-north-4',
      AliasesCreated: 2,
      AliasConflicts: 1,
      Retries: 2,
      KmsApiCalls: 7,
      DlqSends: 1,
      AliasLag: [1500, 2500],
      _aws: {
        Timestamp: 1_000,
        CloudWatchMetrics: [
          { Namespace: 'KmsAutoAlias', Dimensions: [['Service'], ['Service', 'ProjectId', 'Region']] },
        ],
      },
    });
    expect(none).toMatchObject({
      InvalidEvents: 1,
      DlqSendFailures: 1,
      _aws: { CloudWatchMetrics: [{ Dimensions: [['Service']] }] },
    });
    expect(none).not.toHaveProperty('ProjectId');
    // Every metric a document declares has a value in it (EMF rejects the document otherwise).
    for (const doc of docs) {
      const declared =
        (doc._aws as { CloudWatchMetrics: Array<{ Metrics: Array<{ Name: string }> }> }).CloudWatchMetrics[0]
          ?.Metrics ?? [];
      for (const m of declared) expect(doc[m.Name]).toBeDefined();
      // Plain data, as the logger's metrics() takes it (written without looking for Errors).
      expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
    }
  });

  it('counts messages of projects and regions that alternate each in its own document', () => {
    const metrics = createBatchMetrics('N', 'S');
    const sequence: Array<[string | undefined, string | undefined]> = [
      ['p1', 'r1'],
      ['p2', 'r1'],
      ['p1', 'r1'],
      ['p1', 'r2'],
      [undefined, undefined],
      ['p1', undefined],
      ['p1', 'r1'],
    ];
    for (const [projectId, region] of sequence) metrics.record({ ...base, projectId, region });
    const docs: Array<Record<string, unknown>> = [];
    metrics.flush((d) => docs.push(d));
    // Once flushed, the group last counted into is forgotten with the others.
    metrics.record(base);
    metrics.flush((d) => docs.push(d));
    expect(docs.map((d) => [d.ProjectId, d.Region, d.AliasesCreated])).toEqual([
      ['p1', 'r1', 3],
      ['p2', 'r1', 1],
      ['p1', 'r2', 1],
      [undefined, undefined, 2],
      ['p1', 'cn-north-4', 1],
    ]);
  });

  it('forgets what it flushed', () => {
    const metrics = createBatchMetrics('N', 'S');
    metrics.record(base);
    metrics.flush(() => undefined);
    const docs: unknown[] = [];
    metrics.flush((d) => docs.push(d));
    expect(docs).toEqual([]);
  });

  it('never puts more than 100 values in one metric of one document (EMF limit)', () => {
    const metrics = createBatchMetrics('N', 'S');
    for (let i = 0; i < 250; i++) metrics.record({ ...base, lagMs: i });
    const docs: Array<Record<string, unknown>> = [];
    metrics.flush((d) => docs.push(d), 5);
    expect(MAX_VALUES_PER_METRIC).toBe(100);
    expect(docs).toHaveLength(3);
    const lags = docs.map((d) => d.AliasLag as number[]);
    expect(lags.map((l) => l.length)).toEqual([100, 100, 50]);
    expect(lags.flat()).toEqual(Array.from({ length: 250 }, (_, i) => i));
    // The counts are written once, not once per document.
    expect(docs[0]).toMatchObject({ AliasesCreated: 250, ProjectId: 'p1' });
    for (const doc of docs.slice(1)) {
      expect(doc).not.toHaveProperty('AliasesCreated');
      expect(doc).toMatchObject({ ProjectId: 'p1', Region: 'cn-north-4', Service: 'S' });
    }
    for (const doc of docs) {
      const directive = (doc._aws as { CloudWatchMetrics: Array<{ Metrics: Array<{ Name: string }> }> })
        .CloudWatchMetrics[0];
      for (const m of directive?.Metrics ?? []) {
        const value = doc[m.Name];
        expect(value).toBeDefined();
        if (Array.isArray(value)) expect(value.length).toBeLessThanOrEqual(100);
      }
    }
  });
});
