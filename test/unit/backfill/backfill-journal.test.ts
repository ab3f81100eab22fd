import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openJournal, parseJournal } from '../../../lib/backfill/backfill-journal.ts';
import { summariseResults } from '../../../lib/backfill/backfill-result.ts';
import { ConfigError } from '../../../lib/errors/app-error.ts';

const start = {
  type: 'start',
  kind: 'kms-auto-alias/backfill',
  version: 1,
  project_id: 'p',
  region: 'r',
  template: 't',
  at: '2026-11-29T00:00:00.000Z',
};
const lines = (...records: object[]) => `${records.map((r) => JSON.stringify(r)).join('\n')}\n`;

describe('parseJournal()', () => {
  it('replays records: last result per key, last cursor, completion, runs', () => {
    const parsed = parseJournal(
      lines(
        start,
        { type: 'key', key_id: 'a', outcome: 'created', alias: 'alias/a' },
        { type: 'key', key_id: 'b', outcome: 'failed', reason: 'kms_unavailable' },
        { type: 'cursor', marker: '100' },
        { type: 'resume', at: 'later' },
        { type: 'key', key_id: 'b', outcome: 'already_present', alias: 'alias/b' },
        { type: 'complete', at: 'end' },
      ),
    );
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.state.cursor).toBe('100');
    expect(parsed.state.complete).toBe(true);
    expect(parsed.state.runs).toBe(2);
    expect([...parsed.state.results.values()]).toEqual([
      { key_id: 'a', outcome: 'created', alias: 'alias/a' },
      { key_id: 'b', outcome: 'already_present', alias: 'alias/b' },
    ]);
  });

  it('ignores a torn last line', () => {
    const text = `${lines(start, { type: 'key', key_id: 'a', outcome: 'created' })}{"type":"key","key_id":"b","outc`;
    const parsed = parseJournal(text);
    expect(parsed.ok && [...parsed.state.results.keys()]).toEqual(['a']);
  });

  it.each([
    ['', /empty/],
    [lines({ type: 'key', key_id: 'a', outcome: 'created' }), /first record must be "start"/],
    [`${lines(start)}garbage\n${lines({ type: 'complete', at: 'x' })}`, /line 2 is not JSON/],
    [lines(start, start), /second "start"/],
    [lines(start, { type: 'key', key_id: 'a', outcome: 'exploded' }), /line 2/],
    [lines({ ...start, version: 2 }), /line 1/],
  ])('refuses %j', (text, reason) => {
    const parsed = parseJournal(text);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toMatch(reason);
  });
});

describe('openJournal()', () => {
  const dir = mkdtempSync(join(tmpdir(), 'journal-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a start record once, then a resume record per later run', () => {
    const path = join(dir, 'runs.jsonl');
    const first = openJournal(path);
    expect(first.previous).toBeUndefined();
    first.begin({ project_id: 'p', region: 'r', template: 't', at: 'a' });
    first.recordKey({ key_id: 'k', outcome: 'created', alias: 'alias/k' });
    first.recordCursor(undefined);
    first.close();
    const second = openJournal(path);
    expect(second.previous?.results.get('k')).toEqual({ key_id: 'k', outcome: 'created', alias: 'alias/k' });
    second.begin({ project_id: 'p', region: 'r', template: 't', at: 'b' });
    const types = readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).type);
    expect(types).toEqual(['start', 'key', 'cursor', 'resume']);
    second.close();
  });

  it('refuses a journal another live run holds, and takes over the lock of a dead one', () => {
    const path = join(dir, 'locked.jsonl');
    const holder = openJournal(path);
    expect(() => openJournal(path)).toThrow(/is in use by another backfill \(process \d+\)/);
    holder.close();
    // A run killed with -9 leaves its lock behind; its pid no longer exists.
    writeFileSync(`${path}.lock`, '2147483646\n');
    const next = openJournal(path);
    expect(readFileSync(`${path}.lock`, 'utf8')).toBe(`${process.pid}\n`);
    next.close();
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('gives up the lock when the file is not a journal', () => {
    const path = join(dir, 'not-a-journal.jsonl');
    writeFileSync(path, 'garbage\n');
    expect(() => openJournal(path)).toThrow(ConfigError);
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('cuts a torn last line so the next record starts on its own line', () => {
    const path = join(dir, 'torn.jsonl');
    writeFileSync(path, `${lines(start)}{"type":"key","key_id":"x"`);
    const journal = openJournal(path);
    journal.recordKey({ key_id: 'y', outcome: 'skipped', reason: 'disabled' });
    journal.close();
    const reread = parseJournal(readFileSync(path, 'utf8'));
    expect(reread.ok && [...reread.state.results.keys()]).toEqual(['y']);
  });

  it('refuses a file that is not a journal', () => {
    const path = join(dir, 'other.json');
    writeFileSync(path, '{"hello": "world"}\n');
    expect(() => openJournal(path)).toThrow(ConfigError);
  });
});

describe('summariseResults()', () => {
  it('counts outcomes and skips by reason', () => {
    expect(
      summariseResults([
        { key_id: 'a', outcome: 'created' },
        { key_id: 'b', outcome: 'skipped', reason: 'disabled' },
        { key_id: 'c', outcome: 'skipped', reason: 'disabled' },
        { key_id: 'd', outcome: 'skipped', reason: 'default_key' },
        { key_id: 'e', outcome: 'conflict' },
        { key_id: 'f', outcome: 'failed' },
        { key_id: 'g', outcome: 'would_create' },
        { key_id: 'h', outcome: 'already_present' },
      ]),
    ).toEqual({
      total: 8,
      created: 1,
      already_present: 1,
      would_create: 1,
      conflict: 1,
      failed: 1,
      skipped: { disabled: 2, default_key: 1 },
    });
  });
});
