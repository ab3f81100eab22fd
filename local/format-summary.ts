import type { LocalRunResult } from './run-local.ts';

/** A table with left-aligned columns, the way `column -t` would print it. */
export function formatTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const text = (value: unknown): string => (value === undefined || value === null ? '' : String(value));

/**
 * How long a detail may be on a progress line or in the DLQ table before it is cut: long enough
 * for the details the handler writes today (ids included, up to about 170 characters) to stay
 * whole, since their point is often in their last words ("is not in the configured accounts").
 */
const DETAIL_MAX = 200;

/**
 * `value` cut to at most `max` characters at a word boundary, ending in `…`. A text with no space
 * in its second half (one long token, such as an id) is returned whole: cutting it would only
 * leave a fragment.
 */
export function clipAtWord(value: string, max: number): string {
  if (value.length <= max) return value;
  const head = value.slice(0, max);
  const space = head.lastIndexOf(' ');
  if (space < max / 2) return value;
  return `${head.slice(0, space).replace(/[\s,;:(]+$/, '')}…`;
}

/** One human line per audit record, printed as the decisions happen. */
export function formatAuditLine(a: Record<string, unknown>): string {
  const outcome = text(a.outcome).padEnd(15);
  const key = text(a.key_id).slice(0, 8).padEnd(8) || '-'.padEnd(8);
  const reason = text(a.reason) || text(a.error_code);
  const what = a.alias !== undefined ? text(a.alias) : reason;
  // The reason is said once: not again in the brackets when it already stands in for the alias.
  const label = a.alias !== undefined ? reason : '';
  const detail = clipAtWord(text(a.detail), DETAIL_MAX);
  const because = [label, detail].filter((part) => part !== '').join(': ');
  const why = a.outcome === 'created' || a.outcome === 'already_present' || because === '' ? '' : ` (${because})`;
  const cost = `${text(a.api_calls)} call${a.api_calls === 1 ? '' : 's'}, ${text(a.duration_ms)} ms, → ${text(a.disposition)}`;
  return `  ${outcome} ${key}  ${what}${why}  [${cost}]`;
}

export function formatSummary(result: LocalRunResult): string {
  const out: string[] = [''];
  const byKey = new Map<string, Record<string, unknown>>();
  for (const a of result.audits) if (typeof a.key_id === 'string') byKey.set(a.key_id, a);
  if (result.emulator !== undefined) {
    const rows = result.emulator.state
      .keys()
      .map((k) => [
        k.key_id,
        k.key_alias,
        (result.aliases.get(k.key_id) ?? []).join(', ') || '(none)',
        text(byKey.get(k.key_id)?.outcome) || '-',
      ]);
    out.push('Keys and their aliases', formatTable(['key id', 'key name', 'aliases', 'last decision'], rows), '');
  }
  out.push(...formatDecisions(result.audits));
  out.push(
    `Dead-letter queue: ${result.dlq.length} message${result.dlq.length === 1 ? '' : 's'}`,
    result.dlq.length === 0
      ? '  (empty)'
      : formatTable(
          ['reason', 'error code', 'key id', 'detail'],
          result.dlq.map((d) => [
            d.reason,
            d.errorCode,
            text(d.detail.key_id) || '-',
            clipAtWord(text(d.detail.detail), DETAIL_MAX),
          ]),
        ),
    '',
  );
  if (result.calls.size > 0) {
    out.push(
      'KMS API calls',
      formatTable(
        ['operation status', 'calls'],
        [...result.calls].sort().map(([k, v]) => [k, String(v)]),
      ),
      '',
    );
  }
  const r = result.runner;
  const redelivered = [...r.receives.values()].filter((n) => n > 1).length;
  out.push(
    `Event source: ${r.invocations} invocations (${r.coldStarts} cold starts), ${r.received} receives, ${r.deleted} deleted, ` +
      `${r.reportedFailures} reported in batchItemFailures, ${redelivered} redelivered, ${r.timeouts} timeouts, ${(r.durationMs / 1000).toFixed(1)} s`,
    '',
  );
  out.push('Checks', ...result.checks.map((c) => `  ${c.pass ? 'PASS' : 'FAIL'}  ${c.name} (${c.detail})`));
  return out.join('\n');
}

/** The audit records counted by outcome and disposition: the "Decisions" block of both summaries. */
export function formatDecisions(audits: ReadonlyArray<Record<string, unknown>>): string[] {
  const counts = new Map<string, number>();
  for (const a of audits) {
    const name = `${text(a.outcome)} → ${text(a.disposition)}`;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return [
    'Decisions (outcome → what happened to the message)',
    formatTable(
      ['decision', 'messages'],
      [...counts].sort().map(([k, v]) => [k, String(v)]),
    ),
    '',
  ];
}
