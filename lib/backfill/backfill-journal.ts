/**
 * The resume file of `kms-auto-alias backfill --resume FILE`: a JSON Lines journal, appended to
 * as the run goes, so an interrupted run (Ctrl-C, a crash, a closed laptop) loses at most the
 * key in flight. One record per line:
 *
 * - `start`: written once, first line: project, region and template it was written for;
 * - `resume`: each later run that continued it;
 * - `key`: the outcome of one key (the last record of a key wins);
 * - `cursor`: the list-keys marker the next run starts from (`null`: the first page). It only
 *   moves past a page once every key of that page, and of every page before it in the run, is
 *   settled (anything but `failed`), so failed keys are listed, and tried, again on resume;
 * - `complete`: every key was listed and settled.
 *
 * A torn last line (the process died while writing it) is ignored.
 */
import { appendFileSync, existsSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import * as z from 'zod';
import { ConfigError } from '../errors/app-error.ts';
import type { KeyResult } from './backfill-result.ts';

export const JOURNAL_KIND = 'kms-auto-alias/backfill';
export const JOURNAL_VERSION = 1;

const StartRecordSchema = z.object({
  type: z.literal('start'),
  kind: z.literal(JOURNAL_KIND),
  version: z.literal(JOURNAL_VERSION),
  project_id: z.string(),
  region: z.string(),
  template: z.string(),
  at: z.string(),
});
export type JournalStart = z.infer<typeof StartRecordSchema>;

const KeyRecordSchema = z.object({
  type: z.literal('key'),
  key_id: z.string().min(1),
  key_alias: z.string().optional(),
  outcome: z.enum(['created', 'already_present', 'would_create', 'skipped', 'conflict', 'failed']),
  alias: z.string().optional(),
  reason: z.string().optional(),
  existing_key_id: z.string().optional(),
  detail: z.string().optional(),
  // The tag outcome (TAG_TEMPLATE on), so that a key whose tags failed is tried again on resume.
  tags: z.enum(['applied', 'in_sync', 'conflict', 'would_apply', 'over_limit', 'invalid', 'failed']).optional(),
  tag_detail: z.string().optional(),
});

const RecordSchema = z.discriminatedUnion('type', [
  StartRecordSchema,
  z.object({ type: z.literal('resume'), at: z.string() }),
  KeyRecordSchema,
  z.object({ type: z.literal('cursor'), marker: z.string().nullable() }),
  z.object({ type: z.literal('complete'), at: z.string() }),
]);

/** What a journal says so far. */
export interface JournalState {
  start: JournalStart;
  /** Where the next run starts listing; undefined: the first page. */
  cursor: string | undefined;
  /** The last recorded result of every key. */
  results: Map<string, KeyResult>;
  complete: boolean;
  /** Runs that wrote to it (the first included). */
  runs: number;
}

export type ParseJournalResult = { ok: true; state: JournalState } | { ok: false; reason: string };

/** Reads a journal's text. Pure. */
export function parseJournal(text: string): ParseJournalResult {
  const lines = text.split('\n');
  const endsCleanly = text.endsWith('\n');
  let state: JournalState | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '') continue;
    const isLast = i === lines.length - 1;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      // Torn last line: the writer died mid-line; everything before it stands.
      if (isLast && !endsCleanly) break;
      return { ok: false, reason: `line ${i + 1} is not JSON` };
    }
    const parsed = RecordSchema.safeParse(json);
    if (!parsed.success)
      return { ok: false, reason: `line ${i + 1}: ${z.prettifyError(parsed.error).split('\n').join(' ')}` };
    const record = parsed.data;
    if (state === undefined) {
      if (record.type !== 'start') return { ok: false, reason: `line ${i + 1}: the first record must be "start"` };
      state = { start: record, cursor: undefined, results: new Map(), complete: false, runs: 1 };
      continue;
    }
    switch (record.type) {
      case 'start':
        return { ok: false, reason: `line ${i + 1}: a second "start" record` };
      case 'resume':
        state.runs += 1;
        state.complete = false;
        break;
      case 'key': {
        const { type: _type, ...result } = record;
        state.results.set(result.key_id, compactResult(result));
        break;
      }
      case 'cursor':
        state.cursor = record.marker ?? undefined;
        break;
      case 'complete':
        state.complete = true;
        break;
    }
  }
  if (state === undefined) return { ok: false, reason: 'it is empty' };
  return { ok: true, state };
}

/** Drops a torn last line (or ends a whole one), so the next record starts on a line of its own. */
function repairTail(path: string, text: string): void {
  const cut = text.lastIndexOf('\n') + 1;
  try {
    JSON.parse(text.slice(cut));
    appendFileSync(path, '\n', 'utf8');
  } catch {
    truncateSync(path, Buffer.byteLength(text.slice(0, cut)));
  }
}

type LooseKeyResult = { [K in keyof KeyResult]: KeyResult[K] | undefined };

/** Copies the fields that are set (the journal and the report never hold `undefined`). */
function compactResult(r: LooseKeyResult): KeyResult {
  const result: KeyResult = { key_id: r.key_id ?? '', outcome: r.outcome ?? 'failed' };
  if (r.key_alias !== undefined) result.key_alias = r.key_alias;
  if (r.alias !== undefined) result.alias = r.alias;
  if (r.reason !== undefined) result.reason = r.reason;
  if (r.existing_key_id !== undefined) result.existing_key_id = r.existing_key_id;
  if (r.detail !== undefined) result.detail = r.detail;
  if (r.tags !== undefined) result.tags = r.tags;
  if (r.tag_detail !== undefined) result.tag_detail = r.tag_detail;
  return result;
}

/** Appends records to a journal file; every write is synchronous, so the order on disk is the order of events. */
export interface Journal {
  readonly path: string;
  /** The journal as found when opened; undefined for a new file. */
  readonly previous: JournalState | undefined;
  begin(start: Omit<JournalStart, 'type' | 'kind' | 'version'>): void;
  recordKey(result: KeyResult): void;
  recordCursor(marker: string | undefined): void;
  recordComplete(at: string): void;
  /** Gives up the journal's lock (see {@link openJournal}); call once the run is over. */
  close(): void;
}

/**
 * Takes `PATH.lock` (created exclusively, holding this process's pid), so that a second run on
 * the same journal is refused instead of working on the same keys at the same time: that would
 * double the KMS calls the rate limit is meant to cap, interleave two runs' records, and two runs
 * starting a new file together would each write a "start" record, which no later run can resume.
 * A lock left by a process that no longer exists (killed with -9, a crash) is taken over.
 */
function lockJournal(path: string): () => void {
  const lockPath = `${path}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockPath, `${process.pid}\n`, { encoding: 'utf8', flag: 'wx' });
      return () => rmSync(lockPath, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = Number.parseInt(readFileSync(lockPath, 'utf8'), 10);
    if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) {
      throw new ConfigError(
        `--resume ${path} is in use by another backfill (process ${holder}); wait for it to end, or delete ${lockPath} if no backfill runs`,
      );
    }
    rmSync(lockPath, { force: true });
  }
  throw new ConfigError(`--resume ${path}: could not take ${lockPath}; delete it if no backfill runs`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Opens (or prepares to create) a journal, and locks it until `close()`.
 * @throws ConfigError when the file exists but is not a backfill journal, or another live run holds it.
 */
export function openJournal(path: string): Journal {
  let previous: JournalState | undefined;
  const unlock = lockJournal(path);
  try {
    if (existsSync(path)) {
      const text = readFileSync(path, 'utf8');
      if (text.trim() !== '') {
        const parsed = parseJournal(text);
        if (!parsed.ok) throw new ConfigError(`--resume ${path}: not a usable backfill journal (${parsed.reason})`);
        previous = parsed.state;
        if (!text.endsWith('\n')) repairTail(path, text);
      }
    }
  } catch (err) {
    unlock();
    throw err;
  }
  const append = (record: Record<string, unknown>): void => {
    appendFileSync(path, `${JSON.stringify(record)}\n`, 'utf8');
  };
  return {
    path,
    previous,
    begin(start) {
      if (previous === undefined) append({ type: 'start', kind: JOURNAL_KIND, version: JOURNAL_VERSION, ...start });
      else append({ type: 'resume', at: start.at });
    },
    recordKey: (result) => append({ type: 'key', ...compactResult(result) }),
    recordCursor: (marker) => append({ type: 'cursor', marker: marker ?? null }),
    recordComplete: (at) => append({ type: 'complete', at }),
    close: unlock,
  };
}
