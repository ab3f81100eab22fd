import { describe, expect, it } from 'vitest';
import { backfillExitCode, summaryRows } from '../../../cli/commands/backfill.ts';
import { replayExitCode } from '../../../cli/commands/replay-dlq.ts';
import { EXIT } from '../../../cli/main.ts';
import type { BackfillSummary } from '../../../lib/backfill/backfill-result.ts';

const summary = (change: Partial<BackfillSummary> = {}): BackfillSummary => ({
  total: 3,
  created: 2,
  already_present: 1,
  would_create: 0,
  conflict: 0,
  failed: 0,
  skipped: {},
  ...change,
});

describe('exit codes', () => {
  it('are the documented numbers', () => {
    expect(EXIT).toEqual({ ok: 0, findings: 1, usage: 2, unavailable: 3, interrupted: 130 });
  });

  it.each<[string, boolean, Partial<BackfillSummary>, number]>([
    ['all settled', false, {}, 0],
    ['skips only', false, { skipped: { disabled: 4 } }, 0],
    ['a conflict', false, { conflict: 1 }, 1],
    ['a failure', false, { failed: 1 }, 1],
    ['interrupted, even with failures', true, { failed: 1 }, 130],
  ])('backfill: %s', (_, interrupted, change, code) => {
    expect(backfillExitCode({ interrupted, summary: summary(change) })).toBe(code);
  });

  it.each<[string, Parameters<typeof replayExitCode>[0], number]>([
    [
      'everything moved',
      { interrupted: false, moved: [{ message_id: 'a', reason: 'conflict', new_message_id: 'b' }], left: [] },
      0,
    ],
    [
      'only filtered out',
      { interrupted: false, moved: [], left: [{ message_id: 'a', reason: 'conflict', why: 'filtered_out' }] },
      0,
    ],
    [
      'a send failed',
      { interrupted: false, moved: [], left: [{ message_id: 'a', reason: 'conflict', why: 'send_failed' }] },
      1,
    ],
    [
      'a delete failed',
      {
        interrupted: false,
        moved: [{ message_id: 'a', reason: 'x', new_message_id: 'b', delete_failed: 'boom' }],
        left: [],
      },
      1,
    ],
    ['interrupted', { interrupted: true, moved: [], left: [] }, 130],
  ])('replay-dlq: %s', (_, report, code) => {
    expect(replayExitCode(report)).toBe(code);
  });
});

describe('summaryRows()', () => {
  it('lists would-create for a dry run and skips by reason', () => {
    expect(
      summaryRows(summary({ would_create: 2, created: 0, skipped: { disabled: 1, default_key: 2 } }), true),
    ).toEqual([
      ['would create', '2'],
      ['already present', '1'],
      ['skipped: default key', '2'],
      ['skipped: disabled', '1'],
      ['conflict', '0'],
      ['failed', '0'],
      ['total', '3'],
    ]);
  });
});
