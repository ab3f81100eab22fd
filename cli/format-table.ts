/**
 * A plain-text table: a header row, then one row per item, columns padded to the widest cell.
 * No colours and no box drawing, so it pastes into tickets and diffs cleanly.
 *
 * @example renderTable(['KEY', 'OUTCOME'], [['k1', 'created']])
 * // 'KEY  OUTCOME\nk1   created\n'
 */
export function renderTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${[line(headers), ...rows.map(line)].join('\n')}\n`;
}

/** `default_key` → `default key`, for people. */
export function humanise(code: string): string {
  return code.replaceAll('_', ' ');
}
