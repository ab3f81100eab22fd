/**
 * What the `npm start` run promises, checked from what the emulator, SMN, the ingest and the queue
 * handler recorded: every created key got its alias and tags through the whole path, a deleted
 * key gave back only the convention's alias, a new key took the released name, a cancelled
 * deletion got its alias back, and nothing was lost on the way.
 */
import type { KmsEmulator } from '../emulator/kms-emulator.ts';
import type { Config } from '../lib/config/load-config.ts';
import { aliasPatternOf, conformsTo } from '../lib/reconcile/alias-pattern.ts';
import { checkAccounts } from './check-accounts.ts';
import { SERVED_ACCOUNTS } from './path-accounts.ts';
import type { IngestRequestSeen } from './ingest-server.ts';
import type { KeyHops } from './path-hops.ts';
import type { DlqEntry } from './run-local.ts';

export interface PathCheck {
  name: string;
  pass: boolean;
  detail: string;
}

/** An alias a person gave a key through the API (not the convention). */
export interface HandMadeAlias {
  keyAlias: string;
  keyId: string | undefined;
  alias: string;
  ok: boolean;
}

export interface WireStep {
  argv: string[];
  exitCode: number;
  output: string;
}

/** The parts of a run the checks read. */
export interface PathEvidence {
  events: readonly KeyHops[];
  handMade: readonly HandMadeAlias[];
  /** False when ON_KEY_DELETION=keep: the deletion phases did not run. */
  deletionPhases: boolean;
  wire: readonly WireStep[];
  ingestRequests: readonly IngestRequestSeen[];
  audits: ReadonlyArray<Record<string, unknown>>;
  dlq: readonly DlqEntry[];
  emulator: KmsEmulator;
  config: Config;
  smn: { queued: number; delivered: number; dropped: number; attempts: number };
}

/** The createKey event that made the key of this display name (the first phase's). */
export function creationOf(events: readonly KeyHops[], keyAlias: string): KeyHops | undefined {
  return events.find((e) => e.action.kind === 'createKey' && e.keyAlias === keyAlias && e.call.ok);
}

export function checkPath(r: PathEvidence): PathCheck[] {
  const checks: PathCheck[] = [];
  const [apply, check] = r.wire;
  // wire walks every project of HUAWEICLOUD_ACCOUNTS: each served account's project is wired.
  const wired = SERVED_ACCOUNTS.filter(
    (a) =>
      r.emulator.smn
        .topics(a.projectId)
        .some((t) => r.emulator.smn.subscriptions(t.topic_urn).some((sub) => sub.status === 1)) &&
      r.emulator.cts.notifications(a.projectId).some((n) => n.status === 'enabled'),
  );
  checks.push({
    name: "wire set up topic, subscription and notification in every account's project; wire --check is healthy",
    pass:
      apply?.exitCode === 0 &&
      check?.exitCode === 0 &&
      (check?.output.includes('Healthy.') ?? false) &&
      wired.length === SERVED_ACCOUNTS.length,
    detail: `exit ${apply?.exitCode} then ${check?.exitCode}; ${wired.map((a) => a.name).join(' and ')} wired`,
  });
  const confirmed = r.ingestRequests.filter(
    (q) => q.smnType === 'SubscriptionConfirmation' && q.reason === 'subscription_confirmed',
  );
  checks.push({
    name: "the ingest confirmed SMN's subscription (signed SubscriptionConfirmation)",
    pass: confirmed.length >= 1,
    detail: `${confirmed.length} confirmed`,
  });
  // Keys of the accounts the deployment serves, announced through SMN (a relayed one is not).
  const made = r.events.filter((k) => k.action.kind === 'createKey' && k.call.ok && k.relayed === undefined);
  const viaPath = made.filter(
    (k) =>
      k.smnMessageId !== undefined &&
      k.ingestReason === 'enqueued' &&
      k.outcome === 'created' &&
      k.expectedAlias !== undefined &&
      k.alias === k.expectedAlias &&
      k.aliasesAfter.length === 1 &&
      k.aliasesAfter[0] === k.expectedAlias,
  );
  checks.push({
    name: 'every created key got its alias via CTS → SMN → ingest → queue → handler',
    pass: made.length > 0 && viaPath.length === made.length,
    detail: `${viaPath.length} of ${made.length} keys`,
  });
  checks.push(checkTags(r, made));
  const refused = r.events.filter((k) => !k.call.ok);
  checks.push({
    name: 'a refused createKey is traced but not notified (filter code = 200)',
    pass: refused.every((k) => k.traceCode !== undefined && k.traceCode !== '200' && k.smnMessageId === undefined),
    detail: `${refused.length} refused`,
  });
  checks.push(...checkDeletions(r));
  checks.push({
    name: 'every SMN delivery landed, none dropped',
    pass: r.smn.dropped === 0 && r.smn.delivered === r.smn.queued,
    detail: `${r.smn.delivered} delivered of ${r.smn.queued}, ${r.smn.attempts} attempts`,
  });
  const enqueued = r.ingestRequests.filter((q) => q.reason === 'enqueued').length;
  const final = r.audits.filter((a) => a.disposition !== 'retry');
  checks.push({
    name: 'one final decision per enqueued message',
    pass: final.length === enqueued,
    detail: `${final.length} decisions for ${enqueued} messages`,
  });
  checks.push(...checkAccounts(r.events, r.emulator.calls, r.dlq));
  const forged = r.events.filter((e) => e.action.kind === 'forgeTrace').length;
  const other = r.dlq.filter((d) => d.reason !== 'invalid:account_mismatch');
  checks.push({
    name: 'nothing else in the DLQ (only the forged event, invalid:account_mismatch)',
    pass: other.length === 0 && r.dlq.length === forged,
    detail: `${r.dlq.length} messages, ${forged} forged`,
  });
  return checks;
}

function checkTags(r: PathEvidence, made: readonly KeyHops[]): PathCheck {
  const name = 'every created key carries the tags TAG_TEMPLATE gives it, in the same message as its alias';
  if (r.config.tagTemplate === undefined) return { name, pass: true, detail: 'TAG_TEMPLATE unset: tags off' };
  const tagged = made.filter(
    (k) =>
      k.audit?.tags_status === 'applied' &&
      k.expectedTags !== undefined &&
      k.expectedTags.every((t) => k.tagsAfter.some((held) => held.key === t.key && held.value === t.value)),
  );
  return {
    name,
    pass: made.length > 0 && tagged.length === made.length,
    detail: `${tagged.length} of ${made.length} keys`,
  };
}

function checkDeletions(r: PathEvidence): PathCheck[] {
  const release = 'a key scheduled for deletion gave back the alias the convention made, and only that one';
  const reuse = 'a new key took the name a deleted key gave back';
  const cancel = 'a cancelled deletion gave the key its alias back';
  if (!r.deletionPhases) {
    const detail = 'not run: ON_KEY_DELETION=keep';
    return [release, reuse, cancel].map((name) => ({ name, pass: true, detail }));
  }
  const checks: PathCheck[] = [];
  const pattern = aliasPatternOf(r.config.aliasTemplate);
  const scheduled = r.events.filter((e) => e.action.kind === 'scheduleKeyDeletion');
  const released = scheduled.filter((e) => {
    const name = creationOf(r.events, e.keyAlias)?.expectedAlias;
    const keepers = r.handMade.filter((h) => h.ok && h.keyAlias === e.keyAlias && !conformsTo(pattern, h.alias));
    return (
      e.call.ok &&
      e.ingestReason === 'enqueued' &&
      e.outcome === 'released' &&
      name !== undefined &&
      e.alias === name &&
      !e.aliasesAfter.includes(name) &&
      keepers.every((h) => e.aliasesAfter.includes(h.alias))
    );
  });
  // The emulator's call log: every DeleteAlias named only aliases the convention gave that key.
  const convention = new Set(
    r.events.flatMap((e) => (e.call.ok && e.expectedAlias !== undefined ? [`${e.call.keyId} ${e.expectedAlias}`] : [])),
  );
  const deletes = r.emulator.calls.filter((c) => c.operation === 'deleteAlias');
  const foreign = deletes.flatMap((c) => (c.aliases ?? []).filter((a) => !convention.has(`${c.keyId} ${a}`)));
  checks.push({
    name: release,
    pass: scheduled.length > 0 && released.length === scheduled.length && foreign.length === 0,
    detail: `${released.length} of ${scheduled.length} released; ${deletes.length} DeleteAlias calls, ${foreign.length} aliases deleted the convention did not make`,
  });
  const replacements = r.events.filter((e) => e.action.kind === 'createKey' && e.action.replaces !== undefined);
  let sameName = 0;
  const reused = replacements.filter((e) => {
    if (e.action.kind !== 'createKey' || e.action.replaces === undefined) return false;
    const old = creationOf(r.events, e.action.replaces)?.expectedAlias;
    const got = e.outcome === 'created' && e.expectedAlias !== undefined && e.aliasesAfter.includes(e.expectedAlias);
    if (old === undefined || e.expectedAlias !== old) return got;
    sameName += 1;
    return got;
  });
  checks.push({
    name: reuse,
    pass: replacements.length > 0 && reused.length === replacements.length,
    detail:
      sameName === replacements.length
        ? `${reused.length} of ${replacements.length}`
        : `${reused.length} of ${replacements.length} got their alias; the template gives ${replacements.length - sameName} of them a name of their own`,
  });
  const cancelled = r.events.filter((e) => e.action.kind === 'cancelKeyDeletion');
  const restored = cancelled.filter((e) => {
    const name = creationOf(r.events, e.keyAlias)?.expectedAlias;
    return (
      e.ingestReason === 'enqueued' &&
      (e.outcome === 'created' || e.outcome === 'already_present') &&
      name !== undefined &&
      e.alias === name &&
      e.aliasesAfter.includes(name)
    );
  });
  checks.push({
    name: cancel,
    pass: cancelled.length > 0 && restored.length === cancelled.length,
    detail: `${restored.length} of ${cancelled.length}`,
  });
  return checks;
}
