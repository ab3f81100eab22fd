import type { AliasEntity, KeyDetails } from '../huawei/types.ts';
import type { KeyScope } from '../inventory/key-created-from-details.ts';
import { planKey } from '../inventory/plan-key.ts';
import type { CompiledTemplate } from '../naming/compile-alias-template.ts';
import { aliasPatternOf, conformsTo } from './alias-pattern.ts';
import type { TagDriftItem } from './find-tag-drift.ts';

export const DRIFT_KINDS = [
  'missing',
  'conflict',
  'non_conforming',
  'naming_failed',
  'held_by_pending_deletion',
] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

interface DriftBase {
  key_id: string;
  /** The key's display name, for people reading the report. */
  key_alias?: string;
}

/** One finding. Every kind means the project does not follow the convention. */
export type DriftItem =
  /** The key lacks its alias and no key holds it: `backfill` would create it. */
  | (DriftBase & { kind: 'missing'; expected_alias: string; also_expected_by?: string[] })
  /** Another key holds the key's alias; nothing creates or moves it. */
  | (DriftBase & { kind: 'conflict'; expected_alias: string; held_by: string })
  /** An alias of the key, other than its expected one, that the template could never produce. */
  | (DriftBase & { kind: 'non_conforming'; alias: string; expected_alias?: string })
  /** The template cannot name the key (`MISSING_FIELD`, `INVALID_ALIAS`). */
  | (DriftBase & { kind: 'naming_failed'; code: string; reason: string })
  /**
   * A key pending deletion still holds an alias of the template's shape: a replacement key under
   * the same name would conflict. `ON_KEY_DELETION=release` gives such names back when the
   * deletion is scheduled; this finds those scheduled before (or under `keep`).
   */
  | (DriftBase & { kind: 'held_by_pending_deletion'; alias: string; scheduled_deletion_date?: string });

export interface DriftReport {
  project_id: string;
  region: string;
  template: string;
  /** Keys listed. */
  keys: number;
  /** Keys the convention applies to (enabled customer keys in the default keystore). */
  checked: number;
  /** Checked keys without any finding. */
  in_order: number;
  /** Keys not checked, by reason (see `keySkipOf`). */
  skipped: Record<string, number>;
  /** Aliases listed in the project. */
  aliases: number;
  counts: Record<DriftKind, number>;
  /** In listing order of the keys. */
  drift: DriftItem[];
  /** TAG_TEMPLATE on: the managed tags of every key that carries its alias (run-reconcile.ts). */
  tag_drift?: TagDriftItem[];
  has_drift: boolean;
}

/**
 * The read-only drift check, as a pure function of what KMS listed. For each key the
 * convention applies to (`planKey`, the same decision backfill makes):
 * - its expected alias is held by the key: in order; by another key: `conflict`; by none:
 *   `missing` (with `also_expected_by` when other keys derive the same alias);
 * - the template cannot name it: `naming_failed`;
 * - each of its other aliases that does not match the template's shape (`aliasPatternOf`):
 *   `non_conforming`. Aliases that look like the template's output but are not the expected
 *   one (a key renamed since, an older filter) are left alone.
 * Skipped keys (default, disabled, pending, dedicated keystore) and their aliases are not checked,
 * except that a key pending deletion holding aliases of the template's shape is reported
 * (`held_by_pending_deletion`).
 */
export function findDrift(
  keys: readonly KeyDetails[],
  aliases: readonly AliasEntity[],
  template: CompiledTemplate,
  scope: KeyScope,
): DriftReport {
  const pattern = aliasPatternOf(template);
  const holderOf = new Map<string, string>();
  const aliasesOf = new Map<string, string[]>();
  for (const a of aliases) {
    holderOf.set(a.alias, a.key_id);
    const list = aliasesOf.get(a.key_id) ?? [];
    list.push(a.alias);
    aliasesOf.set(a.key_id, list);
  }
  const plans = keys.map((details) => ({ details, plan: planKey(details, template, scope) }));
  const expectedBy = new Map<string, string[]>();
  for (const { details, plan } of plans) {
    if (plan.kind !== 'alias') continue;
    expectedBy.set(plan.alias, [...(expectedBy.get(plan.alias) ?? []), details.key_id]);
  }

  const drift: DriftItem[] = [];
  const skipped: Record<string, number> = {};
  let checked = 0;
  let inOrder = 0;
  for (const { details, plan } of plans) {
    if (plan.kind === 'skip') {
      skipped[plan.reason] = (skipped[plan.reason] ?? 0) + 1;
      if (plan.reason === 'pending_deletion') drift.push(...heldByPendingDeletion(details, aliasesOf, pattern));
      continue;
    }
    checked += 1;
    const base: DriftBase = { key_id: details.key_id };
    if (details.key_alias !== undefined && details.key_alias !== '') base.key_alias = details.key_alias;
    const found: DriftItem[] = [];
    let expected: string | undefined;
    if (plan.kind === 'naming_failed') {
      found.push({ ...base, kind: 'naming_failed', code: plan.code, reason: plan.reason });
    } else {
      expected = plan.alias;
      const holder = holderOf.get(expected);
      if (holder !== undefined && holder !== details.key_id) {
        found.push({ ...base, kind: 'conflict', expected_alias: expected, held_by: holder });
      } else if (holder === undefined) {
        const others = (expectedBy.get(expected) ?? []).filter((id) => id !== details.key_id);
        found.push({
          ...base,
          kind: 'missing',
          expected_alias: expected,
          ...(others.length > 0 ? { also_expected_by: others } : {}),
        });
      }
    }
    for (const alias of (aliasesOf.get(details.key_id) ?? []).toSorted()) {
      if (alias === expected || conformsTo(pattern, alias)) continue;
      found.push({
        ...base,
        kind: 'non_conforming',
        alias,
        ...(expected === undefined ? {} : { expected_alias: expected }),
      });
    }
    if (found.length === 0) inOrder += 1;
    drift.push(...found);
  }
  const counts = Object.fromEntries(DRIFT_KINDS.map((k) => [k, drift.filter((d) => d.kind === k).length])) as Record<
    DriftKind,
    number
  >;
  return {
    project_id: scope.projectId,
    region: scope.region,
    template: template.source,
    keys: keys.length,
    checked,
    in_order: inOrder,
    skipped,
    aliases: aliases.length,
    counts,
    drift,
    has_drift: drift.length > 0,
  };
}

/** The aliases of the template's shape still held by a key pending deletion, sorted. */
function heldByPendingDeletion(
  details: KeyDetails,
  aliasesOf: ReadonlyMap<string, string[]>,
  pattern: RegExp,
): DriftItem[] {
  const base: DriftBase = { key_id: details.key_id };
  if (details.key_alias !== undefined && details.key_alias !== '') base.key_alias = details.key_alias;
  const date = details.scheduled_deletion_date;
  return (aliasesOf.get(details.key_id) ?? [])
    .filter((alias) => conformsTo(pattern, alias))
    .toSorted()
    .map((alias) => ({
      ...base,
      kind: 'held_by_pending_deletion' as const,
      alias,
      ...(date === undefined || date === '' ? {} : { scheduled_deletion_date: date }),
    }));
}
