import { describe, expect, it } from 'vitest';
import { humanise, renderTable } from '../../../cli/format-table.ts';
import { createProgress } from '../../../cli/progress.ts';

describe('renderTable()', () => {
  it('pads columns to the widest cell and trims line ends', () => {
    expect(
      renderTable(
        ['KEY', 'OUTCOME', 'ALIAS'],
        [
          ['k1', 'created', 'alias/a'],
          ['key-22', 'skipped', ''],
        ],
      ),
    ).toBe('KEY     OUTCOME  ALIAS\nk1      created  alias/a\nkey-22  skipped\n');
  });

  it('humanises codes', () => {
    expect(humanise('pending_deletion')).toBe('pending deletion');
  });
});

describe('createProgress()', () => {
  it('redraws one line on a terminal and prints steps on their own line', () => {
    let out = '';
    let clock = 0;
    const progress = createProgress(
      { write: (s: string) => (out += s), isTTY: true },
      'backfill',
      () => (clock += 200),
    );
    progress.update('1 key');
    progress.step('page 1 done');
    progress.done();
    expect(out).toBe('\r\x1b[Kbackfill: 1 key\r\x1b[Kbackfill: page 1 done\n');
  });

  it('prints only steps elsewhere', () => {
    let out = '';
    const progress = createProgress({ write: (s: string) => (out += s) }, 'reconcile');
    progress.update('ignored');
    progress.step('11 keys listed');
    progress.done();
    expect(out).toBe('reconcile: 11 keys listed\n');
  });
});
