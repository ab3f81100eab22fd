import type { ListedAlias } from './ensure-alias.ts';

/** Which of a key's aliases a scheduled deletion gives back, and which it leaves alone. */
export interface ReleasePlan {
  /** The key's own aliases that the convention could have made: these are deleted. */
  release: string[];
  /** The key's other aliases (made by hand, or by an older template): never touched. */
  keep: string[];
  /** Entries of other keys in the listing (a server ignoring the `key_id` filter): never touched. */
  foreign: number;
}

/**
 * Pure: splits a key's listed aliases into those the convention made (they match `pattern`, the
 * shape of the alias template, lib/reconcile/alias-pattern.ts) and the rest. Only entries that
 * name this very key are considered, so another key's alias can never be released, whatever the
 * listing holds. Sorted and de-duplicated, so the DeleteAlias body is stable across retries.
 *
 * @example planRelease([{alias:'alias/prod/app', keyId:'k'}, {alias:'alias/mine', keyId:'k'}], 'k', /^alias\/prod\/[a-z]+$/)
 * // { release: ['alias/prod/app'], keep: ['alias/mine'], foreign: 0 }
 */
export function planRelease(
  listed: readonly ListedAlias[],
  keyId: string,
  conforms: (alias: string) => boolean,
): ReleasePlan {
  const release = new Set<string>();
  const keep = new Set<string>();
  let foreign = 0;
  for (const entry of listed) {
    if (entry.keyId !== keyId) {
      foreign += 1;
      continue;
    }
    (conforms(entry.alias) ? release : keep).add(entry.alias);
  }
  return { release: [...release].sort(), keep: [...keep].sort(), foreign };
}
