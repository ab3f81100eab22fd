// The table `npm run bench` prints: one row per figure, grouped by benchmark.
import type { Figure, Spread } from './stats.ts';

function num(n: number, unit: string): string {
  if (!Number.isFinite(n)) return '–';
  const abs = Math.abs(n);
  const digits = unit === '×' || (abs > 0 && abs < 1) ? (abs < 0.1 ? 3 : 2) : abs < 10 ? 2 : abs < 100 ? 1 : 0;
  return n.toFixed(digits);
}

function range(s: Spread, unit: string): string {
  return s.runs <= 1 ? '' : `${num(s.min, unit)}–${num(s.max, unit)}`;
}

export function formatTable(figures: readonly Figure[]): string {
  const header = ['Figure', 'Median', 'Min–max', 'Baseline (same run)', 'Ratio (min–max)', 'Target', ''];
  const rows: string[][] = [];
  let group = '';
  for (const f of figures) {
    if (f.group !== group) {
      group = f.group;
      rows.push([`[${group}]`, '', '', '', '', '', '']);
    }
    const unit = f.unit === '×' ? '×' : ` ${f.unit}`;
    rows.push([
      f.name,
      `${num(f.value.median, f.unit)}${unit}`,
      range(f.value, f.unit),
      f.baseline === undefined ? '' : `${f.baseline.name}: ${num(f.baseline.value.median, f.unit)}${unit}`,
      f.ratio === undefined
        ? ''
        : `${num(f.ratio.median, '×')}×${f.ratio.runs > 1 ? ` (${num(f.ratio.min, '×')}–${num(f.ratio.max, '×')})` : ''}`,
      f.target?.text ?? '',
      f.target === undefined ? '' : f.target.met ? 'MET' : 'NOT MET',
    ]);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** The notes under the table: what each ratio means, where it is not obvious. */
export function formatNotes(figures: readonly Figure[]): string {
  return figures
    .filter((f) => f.note !== undefined)
    .map((f) => `- ${f.group} / ${f.name.trim()}: ${f.note}`)
    .join('\n');
}
