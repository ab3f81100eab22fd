// Issue 12, one deployment for many accounts: "an event can never choose the credentials". Read
// from the emulator's call log: every KMS write in a project was made by the identity configured
// for that project's account (HUAWEICLOUD_ACCOUNTS), whatever the event claimed.
import type { CallRecord } from '../emulator/kms-emulator.ts';
import type { ChaosAccountIdentity } from './run-chaos.ts';

interface Check {
  name: string;
  pass: boolean;
  detail: string;
  failures: string[];
}

const EXAMPLES = 5;

/** The KMS calls that change a key: CreateAlias, DeleteAlias, tag create. */
const WRITES: ReadonlySet<string> = new Set(['createAlias', 'deleteAlias', 'createTags']);

/** The project of a KMS call, from its path `/v1.0/{project_id}/kms/...`. */
export function projectOfCall(call: Pick<CallRecord, 'path'>): string | undefined {
  return /^\/v[\d.]+\/([^/]+)\/kms\//.exec(call.path)?.[1];
}

/**
 * Every KMS write, whatever its answer (a refused or faulted call was still sent with some
 * identity), named in the call log a principal the write's project allows: one of the account's
 * fixed principals, or for an agency reached through STS a temporary AK that AssumeAgency issued
 * (201) to one of the account's STS callers. Counts the writes per account, and how many used STS.
 */
export function checkWritesByAccountIdentity(
  accounts: readonly ChaosAccountIdentity[],
  calls: readonly CallRecord[],
): Check {
  const issuedBy = new Map<string, string>();
  for (const c of calls) {
    if (c.operation === 'stsAssumeAgency' && c.status === 201 && c.issuedAk !== undefined)
      issuedBy.set(c.issuedAk, c.principal);
  }
  const byProject = new Map(accounts.map((a) => [a.projectId, a]));
  const failures: string[] = [];
  const counts = new Map<string, number>(accounts.map((a) => [a.name, 0]));
  let viaSts = 0;
  for (const c of calls) {
    if (!WRITES.has(c.operation)) continue;
    const project = projectOfCall(c);
    const account = project === undefined ? undefined : byProject.get(project);
    if (account === undefined) {
      failures.push(`${c.operation} ${c.requestId.slice(0, 8)} in project ${project ?? '?'}, of no account of the run`);
      continue;
    }
    counts.set(account.name, (counts.get(account.name) ?? 0) + 1);
    const caller = issuedBy.get(c.principal);
    const bySts = account.viaSts && caller !== undefined && account.stsCallers.includes(caller);
    if (bySts) viaSts += 1;
    if (!bySts && !account.principals.includes(c.principal)) {
      failures.push(
        `${c.operation} ${c.requestId.slice(0, 8)} in account ${account.name} (key ${(c.keyId ?? '?').slice(0, 8)}) by ${c.principal === '' ? 'no identity' : caller === undefined ? 'an identity not of that account' : 'a temporary AK issued to another caller'}`,
      );
    }
  }
  return {
    name: "every KMS write (CreateAlias, DeleteAlias, tags) in a project was made by that project's account's identity: an event never chose the credentials",
    pass: failures.length === 0,
    detail:
      [...counts].map(([name, n]) => `${name} ${n}`).join(', ') +
      ' writes' +
      (accounts.some((a) => a.viaSts)
        ? `; ${viaSts} with a temporary AK from STS AssumeAgency (${issuedBy.size} issued)`
        : `; by ${accounts.flatMap((a) => a.principals).join(', ')}`),
    failures: failures.slice(0, EXAMPLES),
  };
}
