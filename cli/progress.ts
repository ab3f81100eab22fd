import type { CliOutput } from './cli-io.ts';

export interface Progress {
  /** A transient status: redrawn in place on a terminal (at most 10 times a second), dropped otherwise. */
  update(text: string): void;
  /** A step worth a line of its own (a page done), on a terminal and in logs alike. */
  step(text: string): void;
  /** Clears the live line. */
  done(): void;
}

/** Columns assumed when a terminal does not say its width (the VT100 default). */
const DEFAULT_COLUMNS = 80;

/** Terminal columns of one code point: 2 for East Asian wide and fullwidth forms and emoji, 0 for combining marks. */
function widthOf(codePoint: number): number {
  if (codePoint < 0x20 || (codePoint >= 0x300 && codePoint <= 0x36f) || codePoint === 0x200d) return 0;
  if (
    (codePoint >= 0x1100 && codePoint <= 0x115f) ||
    (codePoint >= 0x2e80 && codePoint <= 0xa4cf) ||
    (codePoint >= 0xac00 && codePoint <= 0xd7a3) ||
    (codePoint >= 0xf900 && codePoint <= 0xfaff) ||
    (codePoint >= 0xfe30 && codePoint <= 0xfe4f) ||
    (codePoint >= 0xff00 && codePoint <= 0xff60) ||
    (codePoint >= 0xffe0 && codePoint <= 0xffe6) ||
    (codePoint >= 0x1f300 && codePoint <= 0x1faff) ||
    (codePoint >= 0x20000 && codePoint <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

/**
 * `text` cut to at most `columns - 1` terminal columns, with `…` where it was cut. One column is
 * left free: a line that fills the last column makes many terminals wrap the cursor, and `\r`
 * then returns to the second row, so every redraw would leave a stale line behind.
 */
export function fitToWidth(text: string, columns: number): string {
  const flat = text.replace(/[\r\n\t]+/g, ' ');
  const limit = Math.max(1, columns - 1);
  let used = 0;
  let out = '';
  for (const char of flat) {
    const width = widthOf(char.codePointAt(0) ?? 0);
    if (used + width > limit) {
      // Make room for the ellipsis (1 column).
      while (used + 1 > limit && out.length > 0) {
        const last = Array.from(out).at(-1) ?? '';
        out = out.slice(0, out.length - last.length);
        used -= widthOf(last.codePointAt(0) ?? 0);
      }
      return `${out}…`;
    }
    out += char;
    used += width;
  }
  return out;
}

/** Progress on stderr, so stdout stays the table or the JSON document. */
export function createProgress(stderr: CliOutput, prefix: string, now: () => number = Date.now): Progress {
  const live = stderr.isTTY === true;
  let shown = false;
  let lastDraw = 0;
  const clear = (): void => {
    if (shown) stderr.write('\r\x1b[K');
    shown = false;
  };
  return {
    update(text) {
      if (!live || now() - lastDraw < 100) return;
      lastDraw = now();
      // Read the width at each draw: the terminal may have been resized.
      const columns = stderr.columns !== undefined && stderr.columns > 0 ? stderr.columns : DEFAULT_COLUMNS;
      stderr.write(`\r\x1b[K${fitToWidth(`${prefix}: ${text}`, columns)}`);
      shown = true;
    },
    step(text) {
      clear();
      stderr.write(`${prefix}: ${text}\n`);
    },
    done: clear,
  };
}
