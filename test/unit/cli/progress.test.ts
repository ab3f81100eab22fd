import { describe, expect, it } from 'vitest';
import { createProgress, fitToWidth } from '../../../cli/progress.ts';

/** Terminal columns a string takes, for the characters these tests use. */
const columnsOf = (s: string) => [...s].reduce((n, c) => n + (/[\u4e00-\u9fff]/.test(c) ? 2 : 1), 0);

describe('createProgress()', () => {
  it.each([20, 40, 80])('never draws a live line as wide as a %i-column terminal (it would wrap)', (columns) => {
    const chunks: string[] = [];
    let t = 0;
    const progress = createProgress(
      { write: (c: string) => chunks.push(c), isTTY: true, columns },
      'backfill cn-north-4',
      () => (t += 1_000),
    );
    progress.update(`page 12: 1,234 keys listed, 56 created, 7 already present, key ${'x'.repeat(100)}`);
    progress.update('short');
    const drawn = chunks.map((c) => c.replace('\r\x1b[K', ''));
    expect(drawn[0]?.endsWith('…')).toBe(true);
    for (const line of drawn) expect(columnsOf(line)).toBeLessThan(columns);
    // A short status is drawn whole where it fits.
    if (columns > 'backfill cn-north-4: short'.length) expect(drawn[1]).toBe('backfill cn-north-4: short');
    else expect(drawn[1]?.endsWith('…')).toBe(true);
  });

  it('assumes 80 columns when the terminal does not say', () => {
    const chunks: string[] = [];
    createProgress({ write: (c: string) => chunks.push(c), isTTY: true }, 'p', () => 1_000).update('y'.repeat(200));
    expect(columnsOf(chunks[0]?.replace('\r\x1b[K', '') ?? '')).toBe(79);
  });
});

describe('fitToWidth()', () => {
  it('counts wide characters as two columns and flattens newlines', () => {
    expect(fitToWidth('密钥密钥密钥', 6)).toBe('密钥…');
    expect(columnsOf(fitToWidth('密钥密钥密钥', 6))).toBeLessThan(6);
    expect(fitToWidth('a\nb', 10)).toBe('a b');
    expect(fitToWidth('abcdef', 7)).toBe('abcdef');
    expect(fitToWidth('abcdefg', 7)).toBe('abcde…');
  });
});
