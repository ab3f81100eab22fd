import type { CliOutput } from './cli-io.ts';

export interface Progress {
  /** A transient status: redrawn in place on a terminal (at most 10 times a second), dropped otherwise. */
  update(text: string): void;
  /** A step worth a line of its own (a page done), on a terminal and in logs alike. */
  step(text: string): void;
  /** Clears the live line. */
  done(): void;
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
      stderr.write(`\r\x1b[K${prefix}: ${text}`);
      shown = true;
    },
    step(text) {
      clear();
      stderr.write(`${prefix}: ${text}\n`);
    },
    done: clear,
  };
}
