/**
 * What the `npm start` run promises about accounts (HUAWEICLOUD_ACCOUNTS): every KMS write was
 * made with the identity of the account that owns the project (the central AK/SK for the central
 * account, the agency's temporary AK/SK from STS for the second one), the second account's key
 * got its alias that way, and an event of an account outside the map, or one whose account was
 * forged, made no call at all. Read from the emulator's call log, the audit records and the DLQ.
 */
import type { CallRecord } from '../emulator/kms-emulator.ts';
import { PATH_ACCOUNTS, type PathAccountName } from './path-accounts.ts';
import type { KeyHops } from './path-hops.ts';
import type { DlqEntry } from './run-local.ts';

/** One verdict, as local/check-path.ts prints it. */
export interface AccountCheck {
  name: string;
  pass: boolean;
  detail: string;
}

/** The KMS calls that change something on a key: what an identity must be allowed to do. */
export const KMS_WRITES: ReadonlySet<string> = new Set(['createAlias', 'deleteAlias', 'createTags']);

/** The project of a KMS call: `/v1.0/{project_id}/kms/...`. */
export function projectOfCall(call: Pick<CallRecord, 'path'>): string | undefined {
  return /^\/v[\d.]+\/([^/]+)\/kms\//.exec(call.path)?.[1];
}

/** The account that owns a project of the run. */
export function accountOfProject(projectId: string | undefined): PathAccountName | undefined {
  return Object.values(PATH_ACCOUNTS).find((a) => a.projectId === projectId)?.name;
}

/** The temporary AKs STS issued to the central AK/SK (AssumeAgency answered 201). */
export function issuedToCentral(calls: readonly CallRecord[]): Set<string> {
  const issued = calls.filter(
    (c) =>
      c.operation === 'stsAssumeAgency' &&
      c.status === 201 &&
      c.principal === PATH_ACCOUNTS.security.ak &&
      c.issuedAk !== undefined,
  );
  return new Set(issued.map((c) => c.issuedAk ?? ''));
}

/** Who wrote: the central AK/SK, an account's own AK/SK, an STS temporary AK, or someone else. */
export function describePrincipal(principal: string, sts: ReadonlySet<string>): string {
  if (principal === PATH_ACCOUNTS.security.ak) return 'the central AK/SK';
  if (sts.has(principal)) return "the agency's temporary AK/SK from STS";
  const own = Object.values(PATH_ACCOUNTS).find((a) => a.ak === principal);
  return own === undefined ? 'an unknown identity' : `${own.name}'s own AK/SK`;
}

/** The function's writes in the project of each account, and whose identity made them. */
export interface AccountWrites {
  account: PathAccountName;
  writes: number;
  /** Writes made by an identity other than the account's. */
  wrong: CallRecord[];
}

/**
 * Every successful KMS write by project owner. The security account's team shares the central
 * AK/SK in this run (its hand-made alias is a write by that identity too); payments must see only
 * temporary AKs that STS issued to the central AK/SK; data (outside the map) must see none.
 */
export function writesByAccount(calls: readonly CallRecord[]): AccountWrites[] {
  const sts = issuedToCentral(calls);
  const allowed = (account: PathAccountName, principal: string): boolean =>
    account === 'security' ? principal === PATH_ACCOUNTS.security.ak : account === 'payments' && sts.has(principal);
  return Object.values(PATH_ACCOUNTS).map((a) => {
    const writes = calls.filter(
      (c) => KMS_WRITES.has(c.operation) && c.status >= 200 && c.status < 300 && projectOfCall(c) === a.projectId,
    );
    return { account: a.name, writes: writes.length, wrong: writes.filter((c) => !allowed(a.name, c.principal)) };
  });
}

/** The creation in the second account, the agency's writes, and the two events refused. */
export function checkAccounts(
  events: readonly KeyHops[],
  calls: readonly CallRecord[],
  dlq: readonly DlqEntry[],
): AccountCheck[] {
  const checks: AccountCheck[] = [];
  const sts = issuedToCentral(calls);
  const byAccount = writesByAccount(calls);
  const wrong = byAccount.flatMap((w) => w.wrong);
  checks.push({
    name: "every KMS write was made with its project's account identity (security: the central AK/SK; payments: the agency's temporary AK/SK from STS; data: none)",
    pass: wrong.length === 0 && byAccount.every((w) => w.account !== 'data' || w.writes === 0),
    detail:
      byAccount.map((w) => `${w.account} ${w.writes}`).join(', ') +
      ` writes; ${wrong.length} by another identity; ${sts.size} STS AssumeAgency with the central AK/SK`,
  });
  const second = events.filter(
    (e) => e.account === 'payments' && e.action.kind === 'createKey' && e.call.ok && e.relayed === undefined,
  );
  const byAgency = second.filter((e) => {
    const keyId = e.call.ok ? e.call.keyId : '';
    const write = calls.find((c) => c.operation === 'createAlias' && c.status === 201 && c.keyId === keyId);
    return (
      e.outcome === 'created' &&
      e.audit?.account === 'payments' &&
      e.expectedAlias !== undefined &&
      e.aliasesAfter.includes(e.expectedAlias) &&
      write !== undefined &&
      write.alias === e.expectedAlias &&
      sts.has(write.principal)
    );
  });
  checks.push({
    name: "the second account's key got its alias there, written by the agency the function assumed (STS, central AK/SK); its audit record names the account",
    pass: second.length > 0 && byAgency.length === second.length,
    detail: `${byAgency.length} of ${second.length} keys`,
  });
  const outside = events.filter((e) => e.account === 'data');
  const forged = events.filter((e) => e.action.kind === 'forgeTrace');
  // The forged trace names card-vault, whose real event made its one alias: a second CreateAlias
  // of that key would be the forged event's doing.
  const aliasWritesOf = (e: KeyHops) =>
    calls.filter((c) => c.operation === 'createAlias' && e.call.ok && c.keyId === e.call.keyId).length;
  const skipped = outside.filter(
    (e) =>
      e.ingestReason === 'enqueued' &&
      e.outcome === 'skipped' &&
      e.audit?.reason === 'account_not_configured' &&
      calls.every((c) => projectOfCall(c) !== PATH_ACCOUNTS.data.projectId || c.principal === PATH_ACCOUNTS.data.ak),
  );
  const refused = forged.filter(
    (e) =>
      e.ingestReason === 'enqueued' &&
      e.outcome === 'invalid' &&
      e.audit?.reason === 'account_mismatch' &&
      dlq.some((d) => d.reason === 'invalid:account_mismatch' && d.body.includes(e.relayed?.traceId ?? '?')) &&
      aliasWritesOf(e) === 1,
  );
  checks.push({
    name: 'an event of an account outside the map is skipped, a forged account is refused to the DLQ; neither wrote anything',
    pass: outside.length + forged.length > 0 && skipped.length === outside.length && refused.length === forged.length,
    detail: `${skipped.length} of ${outside.length} skipped (account_not_configured), ${refused.length} of ${forged.length} refused (account_mismatch)`,
  });
  return checks;
}
