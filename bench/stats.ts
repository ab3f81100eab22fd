// Summary statistics and the figure format shared by every benchmark: each figure is the
// median of several runs with its min and max, and each speed figure carries a ratio against a
// baseline measured in the same run (times are noisy on shared machines; ratios much less so).

export interface Spread {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export interface Figure {
  /** Benchmark section, e.g. `cold start`. */
  group: string;
  name: string;
  unit: string;
  value: Spread;
  /** The same-run baseline the value is compared with, when there is one. */
  baseline?: { name: string; value: Spread };
  /** value ÷ baseline, computed per run where runs pair up, then summarised. */
  ratio?: Spread;
  /** What the figure must satisfy, in words, and whether it does. */
  target?: { text: string; met: boolean };
  note?: string;
}

export function spread(samples: readonly number[]): Spread {
  if (samples.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, runs: 0 };
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted.at(-1)!, runs: sorted.length };
}

/** A constant as a spread (a bound or a configured limit, not a measurement). */
export function constant(value: number): Spread {
  return { median: value, min: value, max: value, runs: 1 };
}

export function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
