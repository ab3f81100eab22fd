import type { KeyTagsOutcome, KeyTagsResult } from './tag-key.ts';

/** How backfill ended for one key. */
export type KeyOutcome =
  /** The alias was created by this run. */
  | 'created'
  /** The key already had its alias. */
  | 'already_present'
  /** Dry run: the alias would be created. */
  | 'would_create'
  /** Not a key the convention applies to (`reason`: a `KeySkipReason`). */
  | 'skipped'
  /** The alias belongs to another key (`existing_key_id`); it is never moved. */
  | 'conflict'
  /** Naming failed (`missing_field`, `invalid_alias`) or KMS refused (`reason`: the error code). */
  | 'failed';

/** The tag fields are present only with TAG_TEMPLATE set (see tag-key.ts). */
export interface KeyResult extends Partial<KeyTagsResult> {
  key_id: string;
  /** The key's display name (KeyDetails `key_alias`), for people reading the report. */
  key_alias?: string;
  outcome: KeyOutcome;
  alias?: string;
  reason?: string;
  existing_key_id?: string;
  detail?: string;
}

export interface BackfillSummary {
  total: number;
  created: number;
  already_present: number;
  would_create: number;
  conflict: number;
  failed: number;
  /** Skipped keys by reason. */
  skipped: Record<string, number>;
  /** Keys by tag outcome; only with TAG_TEMPLATE set. */
  tags?: Partial<Record<KeyTagsOutcome, number>>;
}

/** A failure is the only outcome a resumed run tries again; every other one is settled. */
export function isSettled(result: KeyResult): boolean {
  return result.outcome !== 'failed' && result.tags !== 'failed';
}

/** Counts results by outcome (and skips by reason). */
export function summariseResults(results: Iterable<KeyResult>): BackfillSummary {
  const summary: BackfillSummary = {
    total: 0,
    created: 0,
    already_present: 0,
    would_create: 0,
    conflict: 0,
    failed: 0,
    skipped: {},
  };
  for (const r of results) {
    summary.total += 1;
    if (r.tags !== undefined) {
      summary.tags ??= {};
      summary.tags[r.tags] = (summary.tags[r.tags] ?? 0) + 1;
    }
    if (r.outcome === 'skipped') {
      const reason = r.reason ?? 'unknown';
      summary.skipped[reason] = (summary.skipped[reason] ?? 0) + 1;
    } else {
      summary[r.outcome] += 1;
    }
  }
  return summary;
}
