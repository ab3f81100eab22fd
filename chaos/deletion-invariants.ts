// Issue 12, deleted keys give their names back (ON_KEY_DELETION=release): what the chaos run must
// prove about key deletions, read from the emulator's call log and its final state.
import type { CallRecord } from '../emulator/kms-emulator.ts';
import type { ChaosScenario } from './scenario.ts';

interface Check {
  name: string;
  pass: boolean;
  detail: string;
  failures: string[];
}

const EXAMPLES = 5;
const short = (id: string | undefined): string => (id ?? '?').slice(0, 8);

/**
 * "No alias deleted that the convention did not make": every DeleteAlias the function sent (the
 * emulator logs the aliases each body named, whatever the answer or the fault) named only the
 * template alias of the very key it was sent for; and every alias another actor planted on a key
 * whose deletion was scheduled or cancelled is still on that key.
 */
export function checkNoForeignAliasDeleted(
  scenario: ChaosScenario,
  calls: readonly CallRecord[],
  aliases: ReadonlyMap<string, readonly string[]>,
): Check {
  const convention = new Map<string, string>();
  for (const m of scenario.messages)
    if (m.keyId !== undefined && m.alias !== undefined) convention.set(m.keyId, m.alias);
  const failures: string[] = [];
  const deletes = calls.filter((c) => c.operation === 'deleteAlias');
  let named = 0;
  for (const c of deletes) {
    const own = c.keyId === undefined ? undefined : convention.get(c.keyId);
    for (const alias of c.aliases ?? []) {
      named += 1;
      if (alias !== own)
        failures.push(
          `DeleteAlias ${short(c.requestId)} of key ${short(c.keyId)} named ${alias} (its convention alias: ${own ?? 'none'})`,
        );
    }
  }
  let planted = 0;
  for (const key of scenario.keys) {
    for (const alias of key.plantedAliases) {
      planted += 1;
      if (!(aliases.get(key.keyId) ?? []).includes(alias))
        failures.push(`${alias}, planted on key ${short(key.keyId)}, is gone`);
    }
  }
  const answered = deletes.filter((c) => c.status === 204).length;
  return {
    name: "no alias deleted that the convention did not make: every DeleteAlias named only its key's template alias, and every alias planted by another actor survived",
    pass: failures.length === 0,
    detail: `${deletes.length} DeleteAlias calls (${answered} answered 204) naming ${named} aliases; ${planted} planted aliases checked`,
    failures: failures.slice(0, EXAMPLES),
  };
}

/**
 * Each deletion ends as ON_KEY_DELETION=release promises: a key scheduled for deletion without its
 * template alias; a cancelled one with it again, unless another key took the name meanwhile, and
 * then its message is a conflict in the DLQ naming that key. `exhausted(keyId)`: every message of
 * the key ran out of retries into the DLQ (the one excuse, listed).
 */
export function checkDeletionsSettled(
  scenario: ChaosScenario,
  aliases: ReadonlyMap<string, readonly string[]>,
  conflictHolderOf: (messageIndex: number) => string | undefined,
  exhausted: (keyId: string) => boolean,
): Check {
  const failures: string[] = [];
  let released = 0;
  let restored = 0;
  let conflicts = 0;
  let excused = 0;
  for (const m of scenario.messages) {
    if (m.traceName === undefined || m.keyId === undefined || m.alias === undefined || m.duplicateOf !== undefined)
      continue;
    const held = aliases.get(m.keyId) ?? [];
    if (m.expect === 'released') {
      if (!held.includes(m.alias)) released += 1;
      else if (exhausted(m.keyId)) excused += 1;
      else failures.push(`key ${short(m.keyId)} scheduled for deletion still holds ${m.alias}`);
    } else if (m.expect === 'alias') {
      if (held.includes(m.alias)) restored += 1;
      else if (exhausted(m.keyId)) excused += 1;
      else failures.push(`key ${short(m.keyId)}, deletion cancelled, does not hold ${m.alias} again`);
    } else if (m.expect === 'conflict') {
      const holder = conflictHolderOf(m.index);
      if (holder === m.holderKeyId && !held.includes(m.alias)) conflicts += 1;
      else
        failures.push(
          `key ${short(m.keyId)}, deletion cancelled, name taken by ${short(m.holderKeyId)}: DLQ conflict names ${short(holder)}`,
        );
    }
  }
  return {
    name: 'a key scheduled for deletion ends without its template alias; a cancelled one ends with it again, or (name taken meanwhile) its message is a conflict in the DLQ naming the key that took it',
    pass: failures.length === 0,
    detail: `${released} released, ${restored} re-created, ${conflicts} conflicts, ${excused} left as they were because every message ran out of retries`,
    failures: failures.slice(0, EXAMPLES),
  };
}
