import { formatTable } from './format-summary.ts';
import type { KeyHops, PathRunResult } from './run-path.ts';

const short = (id: string | undefined) => (id === undefined ? '-' : id.slice(0, 8));

function hopCells(k: KeyHops): string[] {
  if (!k.created.ok) {
    return [
      '-',
      `refused ${k.created.status} ${k.created.code}`,
      k.traceCode === undefined ? 'no trace' : `no (trace code ${k.traceCode})`,
      '-',
      '-',
      '-',
      '(none)',
    ];
  }
  const attempts = `${k.deliveryAttempts} attempt${k.deliveryAttempts === 1 ? '' : 's'}`;
  return [
    short(k.created.keyId),
    'yes',
    k.smnMessageId === undefined ? (k.traceCode === undefined ? 'no trace' : 'NO') : `yes ${short(k.smnMessageId)}`,
    k.deliveryStatus === undefined ? 'NO' : `${k.deliveryStatus} (${attempts})`,
    k.ingestReason ?? 'NO',
    k.outcome ?? 'NO',
    k.aliases.join(', ') || '(none)',
  ];
}

/** The whole-path run: each key's hops, the ingest's requests, then the usual decisions and checks. */
export function formatPathSummary(r: PathRunResult): string {
  const out: string[] = [''];
  out.push(
    'Keys created in the emulated Huawei account, hop by hop',
    '(created: KMS createKey; notified: CTS published the trace to the SMN topic; delivered: SMN → ingest URL;',
    ' enqueued: the ingest verified it and sent it to the queue; decided: the queue handler)',
    formatTable(
      ['key name', 'key id', 'created', 'notified', 'delivered', 'enqueued', 'decided', 'aliases'],
      r.keys.map((k) => [k.keyAlias, ...hopCells(k)]),
    ),
    '',
  );
  const byKind = new Map<string, number>();
  for (const q of r.ingestRequests) {
    const name = `${q.method} ${q.smnType ?? '-'} → ${q.status} ${q.reason ?? ''}`.trimEnd();
    byKind.set(name, (byKind.get(name) ?? 0) + 1);
  }
  out.push(
    `Ingest (dist/ingest/handler.mjs at ${r.ingestUrl}, cold start ${r.ingestInitMs.toFixed(0)} ms)`,
    formatTable(
      ['request → answer', 'count'],
      [...byKind].sort().map(([k, v]) => [k, String(v)]),
    ),
    '',
    `CTS: ${r.cts.traces} traces, ${r.cts.notified} matched the notification, ${r.cts.published} published. ` +
      `SMN: ${r.smn.delivered} of ${r.smn.queued} messages delivered in ${r.smn.attempts} attempts, ${r.smn.dropped} dropped.`,
    '',
  );
  const counts = new Map<string, number>();
  for (const a of r.audits) {
    const name = `${String(a.outcome)} → ${String(a.disposition)}`;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  out.push(
    'Decisions (outcome → what happened to the message)',
    formatTable(
      ['decision', 'messages'],
      [...counts].sort().map(([k, v]) => [k, String(v)]),
    ),
    '',
    `Dead-letter queue: ${r.dlq.length} message${r.dlq.length === 1 ? '' : 's'}`,
    ...(r.dlq.length === 0 ? ['  (empty)'] : r.dlq.map((d) => `  ${d.reason}  ${d.errorCode}`)),
    '',
  );
  const s = r.runner;
  out.push(
    `Event source: ${s.invocations} invocations (${s.coldStarts} cold starts), ${s.received} receives, ${s.deleted} deleted, ` +
      `${s.reportedFailures} reported in batchItemFailures, ${s.timeouts} timeouts, ${(s.durationMs / 1000).toFixed(1)} s`,
    '',
    'Checks',
    ...r.checks.map((c) => `  ${c.pass ? 'PASS' : 'FAIL'}  ${c.name} (${c.detail})`),
  );
  return out.join('\n');
}
