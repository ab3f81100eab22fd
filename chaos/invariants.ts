// What a chaos run must prove once the queues have drained. Every check says exactly what it
// compares; none is loosened silently. The reasoning behind the alias-count check is in
// chaos/README.md ("created audits and aliases").
import type { CallRecord } from '../emulator/kms-emulator.ts';
import { LOCAL_ACCOUNT } from '../test/support/local-account.ts';
import type { InvocationReport } from '../local/event-source-runner.ts';
import { findCredentialPatterns, findSecretLeaks } from '../test/security/find-secret-leaks.ts';
import { BENIGN_FRAGMENTS } from '../test/security/known-secrets.ts';
import type { ChaosDlqEntry, ChaosRun } from './run-chaos.ts';
import type { ChaosMessage } from './scenario.ts';
import { checkDeletionsSettled, checkNoForeignAliasDeleted } from './deletion-invariants.ts';
import { checkNoTagOverwritten } from './tag-invariant.ts';
import { checkWritesByAccountIdentity } from './account-invariant.ts';

export interface InvariantCheck {
  name: string;
  pass: boolean;
  /** The numbers behind the verdict. */
  detail: string;
  /** Up to a few examples of what failed. */
  failures: string[];
}

export interface LostAnswer {
  keyId: string;
  alias: string;
  /** How the create's answer got lost, as proven from the call log, the audits and the runner. */
  how: 'client_gave_up_flagged' | 'instance_killed_before_answer' | 'answered_to_killed_instance' | 'unexplained';
}

export interface ChaosAnalysis {
  checks: InvariantCheck[];
  /** Aliases the function created (held at the end, seeded ones excluded). */
  aliasesCreated: number;
  createdAudits: number;
  lostAnswers: LostAnswer[];
  /** Valid keys left without their alias because every message of theirs ended in the DLQ as exhausted. */
  exhaustedKeys: string[];
  /** Messages that went to the DLQ only because retries ran out (redrive or failed:<transient> on the last receive). */
  exhaustedMessages: number;
  /** Messages both acknowledged after a decision and in the DLQ (possible only across receives). */
  inBothPlaces: number;
  leaksScanned: { lines: number; secrets: number };
}

const EXAMPLES = 5;

function check(name: string, failures: string[], detail: string): InvariantCheck {
  return { name, pass: failures.length === 0, detail, failures: failures.slice(0, EXAMPLES) };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string | undefined): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === undefined) continue;
    const list = out.get(k) ?? [];
    list.push(item);
    out.set(k, list);
  }
  return out;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const short = (id: string | undefined): string => (id ?? '?').slice(0, 8);

/** A DLQ entry that exists only because retries ran out: the queue's redrive, or the function on the last receive. */
export function isExhausted(entry: ChaosDlqEntry, maxReceiveCount: number): boolean {
  if (entry.reason === 'redrive') return true;
  return (
    entry.reason.startsWith('failed:') &&
    entry.detail.retryable === true &&
    Number(entry.detail.receive_count) >= maxReceiveCount
  );
}

/** Did this createAlias call write its alias? (201, or a hang that applied the write after the client left.) */
export function isAliasWrite(call: CallRecord, droppedHangFault: string): boolean {
  if (call.operation !== 'createAlias' || call.alias === undefined) return false;
  if (call.huaweiCode !== undefined || call.internalError !== undefined) return false;
  if (call.status === 201) return true;
  // Status 0 without an error code: the operation ran but its answer could not be sent (the
  // client had timed out or its instance was killed). A reset or a dropped hang never runs it.
  return call.status === 0 && call.fault !== 'reset' && call.fault !== droppedHangFault;
}

/**
 * Whether an instance that died (killed, timed out) may have sent `writer`: it held a message of
 * the key, started before the call reached the emulator, and that message had not yet been given
 * to another invocation. (A request sent just before the kill can reach the emulator a little
 * after it, when the main thread lags; the message itself comes back only after the visibility
 * timeout, so until then nothing else working on it could have sent the call.)
 */
function diedWhileSending(
  writer: CallRecord,
  keyMessageIds: ReadonlySet<string>,
  died: readonly InvocationReport[],
  all: readonly InvocationReport[],
): boolean {
  return died.some((d) => {
    const mine = d.messageIds.filter((id) => keyMessageIds.has(id));
    if (mine.length === 0 || writer.at < d.startedAt) return false;
    const next = all
      .filter((i) => i.startedAt > d.startedAt && i.messageIds.some((id) => mine.includes(id)))
      .reduce((min, i) => Math.min(min, i.startedAt), Number.POSITIVE_INFINITY);
    return writer.at <= next;
  });
}

export function checkInvariants(run: ChaosRun): ChaosAnalysis {
  const maxRC = run.options.maxReceiveCount;
  const messages = run.scenario.messages;
  const idOf = (m: ChaosMessage) => run.messageIds[m.index] ?? '';
  const messageById = new Map(messages.map((m) => [idOf(m), m]));
  const auditsById = groupBy(run.audits, (a) => str(a.message_id));
  const dlqById = groupBy(run.dlq, (e) => e.sourceMessageId);
  const keyMessages = new Map<string, Set<string>>();
  for (const m of messages) {
    if (m.keyId === undefined) continue;
    const set = keyMessages.get(m.keyId) ?? new Set<string>();
    set.add(idOf(m));
    keyMessages.set(m.keyId, set);
  }
  const checks: InvariantCheck[] = [];

  // 1. Drained.
  {
    const failures: string[] = [];
    if (run.leftInQueue !== 0) failures.push(`${run.leftInQueue} messages still in the source queue`);
    const unsent = messages.filter((m) => idOf(m) === '').length;
    if (unsent > 0) failures.push(`${unsent} messages have no SQS message id`);
    checks.push(
      check('the source queue drained completely', failures, `${run.leftInQueue} left of ${messages.length} sent`),
    );
  }

  // 2. Nothing in neither place; every DLQ disposition is really in the DLQ.
  const dlqMessageIds = new Set(run.dlq.map((e) => e.messageId));
  let inBothPlaces = 0;
  {
    const failures: string[] = [];
    let acked = 0;
    let dlqOnly = 0;
    for (const m of messages) {
      const id = idOf(m);
      const ack = (auditsById.get(id) ?? []).some((a) => a.disposition === 'ack');
      const inDlq = (dlqById.get(id) ?? []).length > 0;
      if (ack) acked += 1;
      if (inDlq && !ack) dlqOnly += 1;
      if (ack && inDlq) inBothPlaces += 1;
      if (!ack && !inDlq)
        failures.push(
          `message #${m.index} (${m.expect}, ${m.shape}) neither acknowledged after a decision nor in the DLQ`,
        );
    }
    for (const a of run.audits) {
      if (a.disposition === 'dlq' && !dlqMessageIds.has(str(a.dlq_message_id) ?? '')) {
        failures.push(
          `audit of ${short(str(a.message_id))} says dlq (${str(a.dlq_message_id)}) but the DLQ does not hold it`,
        );
      }
    }
    checks.push(
      check(
        'every message is acknowledged after a decision or in the DLQ (none in neither place)',
        failures,
        `${acked} acknowledged, ${dlqOnly} only in the DLQ, ${failures.length} in neither`,
      ),
    );
  }

  // 3. Acknowledged decisions are the right ones.
  {
    const failures: string[] = [];
    let n = 0;
    for (const a of run.audits) {
      if (a.disposition !== 'ack') continue;
      n += 1;
      const m = messageById.get(str(a.message_id) ?? '');
      if (m === undefined) {
        failures.push(`ack audit for unknown message ${str(a.message_id)}`);
      } else if (m.expect === 'alias') {
        if (
          (a.outcome !== 'created' && a.outcome !== 'already_present') ||
          a.alias !== m.alias ||
          a.key_id !== m.keyId
        ) {
          failures.push(`#${m.index}: acked as ${String(a.outcome)} ${String(a.alias)}, expected ${m.alias}`);
        }
      } else if (m.expect === 'skipped') {
        if (a.outcome !== 'skipped') failures.push(`#${m.index}: skipped trace acked as ${String(a.outcome)}`);
        else if (m.skipReason !== undefined && a.reason !== m.skipReason)
          failures.push(`#${m.index}: skipped as ${String(a.reason)}, expected ${m.skipReason}`);
      } else if (m.expect === 'released') {
        // The alias released, or none left to release (a duplicate, or a redelivery, got there first).
        if (a.outcome !== 'released' || a.key_id !== m.keyId || (a.alias !== undefined && a.alias !== m.alias)) {
          failures.push(
            `#${m.index}: deletion acked as ${String(a.outcome)} ${String(a.alias)}, expected released ${m.alias}`,
          );
        }
      } else {
        failures.push(`#${m.index} (${m.expect}) was acknowledged as ${String(a.outcome)} instead of going to the DLQ`);
      }
    }
    checks.push(
      check(
        'acknowledged messages got the right decision (alias for new keys and cancelled deletions, released for scheduled ones, skipped for other traces and for accounts outside the map)',
        failures,
        `${n} ack decisions`,
      ),
    );
  }

  // 4. DLQ reasons.
  let exhaustedMessages = 0;
  {
    const failures: string[] = [];
    const byReason = new Map<string, number>();
    for (const e of run.dlq) {
      byReason.set(e.reason, (byReason.get(e.reason) ?? 0) + 1);
      const m = messageById.get(e.sourceMessageId);
      if (m === undefined) {
        failures.push(`DLQ entry ${short(e.messageId)} (${e.reason}) names no message of the run`);
        continue;
      }
      if (e.body !== m.body) failures.push(`#${m.index}: DLQ body differs from the message body`);
      // The queue moved it without the function: no reason to check (counted in the table).
      if (e.reason === 'redrive') continue;
      if (m.expect === 'alias' || m.expect === 'skipped' || m.expect === 'released') {
        if (!isExhausted(e, maxRC)) {
          failures.push(
            `#${m.index} (${m.expect}) in the DLQ as ${e.reason} (receive ${String(e.detail.receive_count)}) before retries ran out`,
          );
        }
      } else if (e.reason !== m.dlqReason) {
        // An invalid, conflicting or permanently failing message must be decided as such: at
        // these fault rates a decision that keeps failing on every receive is itself a bug.
        failures.push(`#${m.index}: DLQ reason ${e.reason}, expected ${m.dlqReason}`);
      } else if (m.expect === 'conflict' && e.detail.existing_key_id !== m.holderKeyId) {
        failures.push(
          `#${m.index}: conflict names ${String(e.detail.existing_key_id)}, the holder is ${m.holderKeyId}`,
        );
      } else if (m.keyId !== undefined && e.detail.key_id !== m.keyId) {
        failures.push(`#${m.index}: DLQ record for key ${String(e.detail.key_id)}, expected ${m.keyId}`);
      }
    }
    for (const m of messages) {
      const entries = dlqById.get(idOf(m)) ?? [];
      if (entries.length > 0 && entries.every((e) => isExhausted(e, maxRC))) exhaustedMessages += 1;
    }
    const reasons = [...byReason].map(([r, n]) => `${r} ${n}`).join(', ');
    checks.push(
      check(
        'every DLQ record has the right reason: invalid:<why>, conflict naming the holder, failed:kms_key_disabled / _pending_deletion; a new key only as failed:<transient> on its last receive; redrive when the function never decided',
        failures,
        reasons || 'empty',
      ),
    );
  }

  // 5. Exactly once per DLQ-bound message (several times only across receives, same key).
  {
    const failures: string[] = [];
    let expected = 0;
    let several = 0;
    for (const m of messages) {
      const id = idOf(m);
      const entries = dlqById.get(id) ?? [];
      if (m.expect === 'invalid' || m.expect === 'conflict' || m.expect === 'permanent') {
        expected += 1;
        if (entries.length === 0) failures.push(`#${m.index} (${m.dlqReason}) is not in the DLQ`);
      }
      if (entries.length <= 1) continue;
      several += 1;
      const own = entries.filter((e) => e.reason !== 'redrive');
      const receives = new Set(own.map((e) => String(e.detail.receive_count)));
      const keys = new Set(own.map((e) => String(e.detail.key_id)));
      const received = run.runner.receives.get(id) ?? 0;
      if (receives.size !== own.length)
        failures.push(`#${m.index}: ${own.length} DLQ records from only ${receives.size} receives`);
      if (own.length > received) failures.push(`#${m.index}: ${own.length} DLQ records but received ${received} times`);
      if (entries.length - own.length > 1) failures.push(`#${m.index}: moved by the redrive more than once`);
      if (keys.size > 1) failures.push(`#${m.index}: DLQ records name different keys`);
    }
    checks.push(
      check(
        'each invalid, conflicting or permanently failing message is in the DLQ once (more only if received more, one record per receive, same key)',
        failures,
        `${expected} expected in the DLQ, ${several} there more than once`,
      ),
    );
  }

  /** Every message of the key ran out of retries into the DLQ: nothing was decided for it. */
  const keyExhausted = (keyId: string): boolean =>
    [...(keyMessages.get(keyId) ?? [])].every(
      (id) =>
        !(auditsById.get(id) ?? []).some((a) => a.disposition === 'ack') &&
        (dlqById.get(id) ?? []).every((e) => isExhausted(e, maxRC)),
    );

  // 6 + 7. Aliases in the emulator.
  const seeded = new Map<string, string[]>();
  for (const k of run.scenario.keys) seeded.set(k.keyId, [...k.seededAliases].sort());
  const exhaustedKeys: string[] = [];
  {
    const failures: string[] = [];
    for (const [keyId, alias] of run.scenario.expectedAliases) {
      const held = run.aliases.get(keyId) ?? [];
      // Besides its template alias, a key keeps what another actor planted on it.
      const want = [alias, ...(seeded.get(keyId) ?? [])].sort();
      if (JSON.stringify([...held].sort()) === JSON.stringify(want)) continue;
      const ids = [...(keyMessages.get(keyId) ?? [])];
      const allExhausted =
        !held.includes(alias) &&
        ids.every(
          (id) =>
            !(auditsById.get(id) ?? []).some((a) => a.disposition === 'ack') &&
            (dlqById.get(id) ?? []).every((e) => isExhausted(e, maxRC)),
        );
      if (allExhausted) exhaustedKeys.push(keyId);
      else failures.push(`key ${short(keyId)} holds [${held.join(', ')}], expected exactly [${want.join(', ')}]`);
    }
    checks.push(
      check(
        'every valid new key (and every key whose deletion was cancelled) holds exactly the alias the template gives, besides planted ones (a key whose every message ran out of retries into the DLQ may hold none; listed)',
        failures,
        `${run.scenario.expectedAliases.size} keys, ${exhaustedKeys.length} without alias because every message of theirs ran out of retries`,
      ),
    );
  }
  {
    const failures: string[] = [];
    let others = 0;
    for (const [keyId, held] of run.aliases) {
      if (run.scenario.expectedAliases.has(keyId)) continue;
      others += 1;
      // A key scheduled for deletion gives its template alias back (unless every message of it ran out of retries).
      const released = run.scenario.releasedAliases.get(keyId);
      const all = seeded.get(keyId) ?? [];
      const want = released === undefined || keyExhausted(keyId) ? all : all.filter((a) => a !== released);
      if (JSON.stringify([...held].sort()) !== JSON.stringify(want)) {
        failures.push(`key ${short(keyId)} holds [${held.join(', ')}], expected [${want.join(', ')}]`);
      }
    }
    checks.push(
      check(
        'no other alias was created: invalid, conflicting, disabled and pending-deletion keys hold none, conflict holders keep theirs, keys scheduled for deletion keep all but their template alias',
        failures,
        `${others} other keys checked`,
      ),
    );
  }

  // 8 + 9. Created audits against the aliases the function created (see README).
  const callsByRequestId = new Map(run.calls.map((c) => [c.requestId, c]));
  const writesByAlias = groupBy(
    run.calls.filter((c) => isAliasWrite(c, run.hangFaults.dropped)),
    (c) => c.alias,
  );
  // A created alias is audited as `created`, or, when the tag step failed after it, as a failure
  // whose alias_outcome is `created` (the 201's request id in alias_request_id).
  const created = run.audits
    .filter((a) => a.outcome === 'created' || a.alias_outcome === 'created')
    .map((a) => (a.outcome === 'created' ? a : { ...a, request_id: a.alias_request_id }));
  {
    const failures: string[] = [];
    const seen = new Set<string>();
    for (const a of created) {
      const alias = str(a.alias) ?? '';
      const call = callsByRequestId.get(str(a.request_id) ?? '');
      if (call === undefined)
        failures.push(`created ${alias}: request_id ${String(a.request_id)} is no call the emulator answered`);
      else if (
        call.operation !== 'createAlias' ||
        call.status !== 201 ||
        call.alias !== alias ||
        call.keyId !== a.key_id
      ) {
        failures.push(
          `created ${alias}: request ${short(call.requestId)} was ${call.operation} ${call.status} ${call.alias ?? ''}`,
        );
      }
      if (seen.has(alias)) failures.push(`${alias} reported created twice`);
      seen.add(alias);
    }
    for (const [alias, writes] of writesByAlias) {
      if (writes.length > 1) failures.push(`${alias} written by ${writes.length} calls`);
    }
    checks.push(
      check(
        'every created audit is proven by the 201 that wrote its alias (same request id, key and alias), and no alias is reported created twice',
        failures,
        `${created.length} created audits, ${seen.size} distinct aliases`,
      ),
    );
  }
  const lostAnswers: LostAnswer[] = [];
  let aliasesCreated = 0;
  {
    const failures: string[] = [];
    const createdAliases = new Set(created.map((a) => str(a.alias)));
    const died = run.invocations.filter((i) => i.result === 'killed' || i.result === 'timeout');
    for (const [keyId, held] of run.aliases) {
      const own = held.filter((a) => !(seeded.get(keyId) ?? []).includes(a));
      for (const alias of own) {
        aliasesCreated += 1;
        if (createdAliases.has(alias)) continue;
        const writer = writesByAlias.get(alias)?.[0];
        if (writer === undefined) {
          failures.push(`${alias} on ${short(keyId)}: held, but no createAlias call wrote it`);
          lostAnswers.push({ keyId, alias, how: 'unexplained' });
          continue;
        }
        const killed = diedWhileSending(writer, keyMessages.get(keyId) ?? new Set<string>(), died, run.invocations);
        // The function saw a CreateAlias of this key go unanswered (timeout, reset, 5xx) and said so.
        const flagged = run.audits.some((a) => a.key_id === keyId && a.create_outcome_unknown === true);
        let how: LostAnswer['how'] = 'unexplained';
        if (flagged) how = 'client_gave_up_flagged';
        else if (writer.status === 0 && killed) how = 'instance_killed_before_answer';
        else if (writer.status === 201 && killed) how = 'answered_to_killed_instance';
        lostAnswers.push({ keyId, alias, how });
        if (how === 'unexplained') {
          failures.push(
            `${alias} on ${short(keyId)}: written (status ${writer.status}${writer.fault ? `, ${writer.fault}` : ''}) with no created audit and no proof the answer was lost`,
          );
        }
      }
    }
    const lost = lostAnswers.length;
    if (created.length + lost !== aliasesCreated)
      failures.push(`${created.length} created + ${lost} lost ≠ ${aliasesCreated} aliases`);
    const by = (how: LostAnswer['how']) => lostAnswers.filter((l) => l.how === how).length;
    checks.push(
      check(
        'created audits = aliases the function created − creates whose answer was lost, each loss proven (flagged create_outcome_unknown, or its instance killed)',
        failures,
        `${created.length} = ${aliasesCreated} − ${lost} (client gave up, flagged: ${by('client_gave_up_flagged')}; instance killed before the answer: ${by('instance_killed_before_answer')}; 201 to a killed instance: ${by('answered_to_killed_instance')})`,
      ),
    );
  }

  // 10. One audit record per receive.
  {
    const failures: string[] = [];
    const byReceive = groupBy(run.audits, (a) => `${String(a.message_id)}#${String(a.receive_count)}`);
    for (const [k, list] of byReceive)
      if (list.length > 1) failures.push(`${list.length} audit records for receive ${k}`);
    for (const a of run.audits)
      if (!messageById.has(str(a.message_id) ?? '')) failures.push(`audit for unknown message ${String(a.message_id)}`);
    checks.push(
      check(
        'at most one audit record per message and receive',
        failures,
        `${run.audits.length} audit records for ${byReceive.size} receives`,
      ),
    );
  }

  // 11. Secrets.
  const dlqLines = run.dlq.map((e) => JSON.stringify(e));
  const secrets = [...run.secrets, ...run.issuedTokens];
  {
    const lines = [...run.logLines, ...dlqLines];
    const where = (line: number) =>
      line < run.logLines.length ? `log line ${line}` : `DLQ record ${line - run.logLines.length}`;
    const failures = [
      ...findSecretLeaks(lines, secrets, { ignore: BENIGN_FRAGMENTS }).map(
        (l) => `${l.length} characters of secret #${l.secret} (${l.form}) in ${where(l.line)}`,
      ),
      ...findCredentialPatterns(lines).map((p) => `${p.pattern} in ${where(p.line)}`),
      // The agency's temporary security tokens (STS) are not known to the run: their emulator prefix is.
      ...lines.flatMap((line, i) => (line.includes('emu-sts-') ? [`an STS security token in ${where(i)}`] : [])),
    ];
    checks.push(
      check(
        'no AK, SK, password or IAM token, whole or in part, in any log line or DLQ record',
        failures,
        `${run.logLines.length} log lines + ${dlqLines.length} DLQ records scanned for ${secrets.length} secrets`,
      ),
    );
  }

  // 12. The faults really happened (a run that injected nothing proves nothing).
  {
    const failures: string[] = [];
    const kms = run.calls.filter((c) => c.operation !== 'iamToken');
    const faulted = kms.filter((c) => c.fault !== undefined).length;
    const dlqFailed = run.dlqFaults.failed.status500 + run.dlqFaults.failed.reset + run.dlqFaults.failed.hang;
    const died = run.invocations.filter((i) => i.result === 'killed' || i.result === 'timeout').length;
    if (faulted === 0) failures.push('no KMS fault was injected');
    if (dlqFailed === 0) failures.push('no DLQ send failed');
    if (died === 0) failures.push('no instance was killed or timed out');
    if (run.options.tokenMode) {
      if (run.tokenExpiries.length === 0) failures.push('no token expiry happened');
      const first = run.tokenExpiries[0] ?? Number.POSITIVE_INFINITY;
      if (!run.calls.some((c) => c.at >= first && c.status === 401)) failures.push('no 401 after the token expiry');
    }
    if (!run.options.tokenMode) {
      if (run.rotations.length === 0) failures.push('no credential rotation happened');
      const rotated = run.rotations[0] ?? Number.POSITIVE_INFINITY;
      if (!run.calls.some((c) => c.at >= rotated && c.status === 401)) failures.push('no 401 after the rotation');
      // A 401 to the revoked central AK during the outage makes the function read the secret again
      // (a 401 to the agency's expired STS credentials makes it assume again instead), so that read must have
      // met the outage. Without one (on a loaded machine every message may sit out its
      // visibility timeout through it), the outage was not exercised: said, not failed.
      const outage = run.extensionOutage;
      const refusedDuring =
        outage !== undefined &&
        run.calls.some(
          (c) => c.at >= outage.from && c.at <= outage.to && c.status === 401 && c.principal === LOCAL_ACCOUNT.ak,
        );
      if (outage === undefined) failures.push('no extension outage happened');
      else if (outage.failedReads === 0 && refusedDuring) {
        failures.push('a KMS 401 during the extension outage, but no read met the outage');
      }
      if (run.tokenExpiries.length === 0) failures.push("the agency's STS credentials never expired");
    }
    checks.push(
      check(
        'the faults were injected',
        failures,
        `KMS ${faulted} of ${kms.length} calls (${((100 * faulted) / Math.max(1, kms.length)).toFixed(1)}%), DLQ ${dlqFailed} of ${run.dlqFaults.publishes} publishes, ${died} instances killed or timed out` +
          (run.options.tokenMode
            ? `, tokens expired ${run.tokenExpiries.length}×`
            : `, AK/SK rotated ${run.rotations.length}×, ${run.extensionOutage?.failedReads ?? 0} reads in the extension outage, STS credentials expired ${run.tokenExpiries.length}×`),
      ),
    );
  }

  // Key deletions (ON_KEY_DELETION=release): no foreign alias deleted, each deletion settled.
  checks.push(checkNoForeignAliasDeleted(run.scenario, run.calls, run.aliases));
  const sameBody = groupBy(messages, (m) => m.body);
  const conflictHolderOf = (index: number): string | undefined => {
    const m = messages[index];
    const all = m === undefined ? [] : (sameBody.get(m.body) ?? []);
    const entries = all.flatMap((x) => dlqById.get(idOf(x)) ?? []);
    return str(entries.find((e) => e.reason === 'conflict')?.detail.existing_key_id);
  };
  checks.push(checkDeletionsSettled(run.scenario, run.aliases, conflictHolderOf, keyExhausted));

  checks.push(checkNoTagOverwritten(run.tagWrites, /^(true|1|yes|on)$/i.test(run.options.env.TAG_OVERWRITE ?? '')));

  // Several accounts (HUAWEICLOUD_ACCOUNTS): each write by its project's account's identity.
  checks.push(checkWritesByAccountIdentity(run.accounts, run.calls));

  return {
    checks,
    aliasesCreated,
    createdAudits: created.length,
    lostAnswers,
    exhaustedKeys,
    exhaustedMessages,
    inBothPlaces,
    leaksScanned: { lines: run.logLines.length + dlqLines.length, secrets: secrets.length },
  };
}
