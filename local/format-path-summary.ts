import { creationOf } from './check-path.ts';
import { formatDecisions, formatTable } from './format-summary.ts';
import type { KeyHops } from './path-hops.ts';
import { describePrincipal, issuedToCentral, writesByAccount } from './check-accounts.ts';
import { PATH_ACCOUNTS } from './path-accounts.ts';
import type { PathRunResult } from './run-path.ts';

const short = (id: string | undefined) => (id === undefined ? '-' : id.slice(0, 8));
const keyIdOf = (k: KeyHops) => (k.call.ok ? k.call.keyId : undefined);

function hopCells(k: KeyHops): string[] {
  if (k.relayed !== undefined) {
    return [
      short(keyIdOf(k)),
      k.action.kind === 'forgeTrace' ? '-' : 'ok',
      k.action.kind === 'forgeTrace' ? 'no: forged, relayed' : 'no: relayed',
      `${k.relayed.status} (token)`,
      k.ingestReason ?? 'NO',
      k.audit?.reason === undefined ? (k.outcome ?? 'NO') : `${k.outcome ?? 'NO'} (${String(k.audit.reason)})`,
      k.action.kind === 'forgeTrace' ? '(unchanged)' : k.aliasesAfter.join(', ') || '(none)',
    ];
  }
  if (!k.call.ok) {
    return [
      '-',
      `refused ${k.call.status} ${k.call.code}`,
      k.traceCode === undefined ? 'no trace' : `no (trace code ${k.traceCode})`,
      '-',
      '-',
      '-',
      '(none)',
    ];
  }
  const attempts = `${k.deliveryAttempts} attempt${k.deliveryAttempts === 1 ? '' : 's'}`;
  return [
    short(k.call.keyId),
    'ok',
    k.smnMessageId === undefined ? (k.traceCode === undefined ? 'no trace' : 'NO') : `yes ${short(k.smnMessageId)}`,
    k.deliveryStatus === undefined ? 'NO' : `${k.deliveryStatus} (${attempts})`,
    k.ingestReason ?? 'NO',
    k.outcome ?? 'NO',
    k.aliasesAfter.join(', ') || '(none)',
  ];
}

const pairs = (tags: ReadonlyArray<{ key: string; value: string }>) =>
  tags.map((t) => `${t.key}=${t.value}`).join(', ');

/** Tags the handler found holding another value and kept (TAG_OVERWRITE off), in words. */
function keptTags(k: KeyHops): string {
  const conflicts = k.audit?.tag_conflicts;
  if (!Array.isArray(conflicts) || conflicts.length === 0) return '';
  const held = conflicts
    .map((c: Record<string, unknown>) => `${String(c.existingKey ?? c.key)}=${String(c.existing)}`)
    .join(', ');
  return `; tags kept as they were: ${held} (TAG_OVERWRITE off)`;
}

/** The convention's work in plain words: tags, released names, a name reused, a deletion cancelled. */
function conventionLines(r: PathRunResult): string[] {
  const out: string[] = [];
  const created = r.events.filter((k) => k.action.kind === 'createKey' && k.call.ok && k.relayed === undefined);
  const template = r.config.tagTemplate === undefined ? 'TAG_TEMPLATE unset: tags off' : 'TAG_TEMPLATE';
  out.push(`Tags of the new keys (${template})`);
  if (r.config.tagTemplate !== undefined) {
    out.push(
      formatTable(
        ['key name', 'key id', 'tags on the key'],
        created.map((k) => [k.keyAlias, short(keyIdOf(k)), pairs(k.tagsAfter) || '(none)']),
      ),
    );
  }
  out.push('');
  if (!r.deletionPhases) {
    out.push('Deleted keys (ON_KEY_DELETION=keep): not shown; with release, deleted keys give their names back.', '');
    return out;
  }
  out.push('Deleted keys give their names back (ON_KEY_DELETION=release)');
  for (const k of r.events) {
    const own = creationOf(r.events, k.keyAlias)?.expectedAlias ?? '?';
    if (k.action.kind === 'scheduleKeyDeletion') {
      const kept = k.aliasesAfter.length === 0 ? '' : `; kept ${k.aliasesAfter.join(', ')} (not the convention's)`;
      out.push(
        k.outcome === 'released' && k.alias !== undefined
          ? `  released ${k.alias} from key ${short(keyIdOf(k))} (${k.keyAlias}, scheduled for deletion)${kept}`
          : `  NOT released: ${k.keyAlias} (${short(keyIdOf(k))}) scheduled for deletion, decided ${k.outcome ?? 'nothing'}`,
      );
    } else if (k.action.kind === 'createKey' && k.action.replaces !== undefined) {
      const old = creationOf(r.events, k.action.replaces);
      const reused = k.expectedAlias !== undefined && k.expectedAlias === old?.expectedAlias;
      const holds = k.expectedAlias !== undefined && k.aliasesAfter.includes(k.expectedAlias);
      out.push(
        holds
          ? `  ${k.expectedAlias} now on new key ${short(keyIdOf(k))} (${k.keyAlias})` +
              (reused
                ? `, the name ${k.action.replaces} (${short(old === undefined ? undefined : keyIdOf(old))}) gave back`
                : ' (the template gives it a name of its own)')
          : `  NOT reused: new key ${k.keyAlias} (${short(keyIdOf(k))}) decided ${k.outcome ?? 'nothing'}, holds ${k.aliasesAfter.join(', ') || 'no alias'}`,
      );
    } else if (k.action.kind === 'cancelKeyDeletion') {
      const back = k.aliasesAfter.includes(own) && (k.outcome === 'created' || k.outcome === 'already_present');
      out.push(
        back
          ? `  deletion of ${k.keyAlias} cancelled: ${own} ${k.outcome === 'created' ? 're-created' : 'still'} on key ${short(keyIdOf(k))}${keptTags(k)}`
          : `  NOT restored: deletion of ${k.keyAlias} (${short(keyIdOf(k))}) cancelled, decided ${k.outcome ?? 'nothing'}`,
      );
    }
  }
  out.push('');
  return out;
}

/** The accounts in plain words: how each is reached, who wrote the second account's alias, what was refused. */
function accountLines(r: PathRunResult): string[] {
  const out: string[] = ['One deployment, two accounts (HUAWEICLOUD_ACCOUNTS)'];
  const sts = issuedToCentral(r.emulator.calls);
  const assumed = r.emulator.calls.filter((c) => c.operation === 'stsAssumeAgency' && c.status === 201).length;
  for (const a of Object.values(PATH_ACCOUNTS)) {
    const how =
      a.access === undefined
        ? 'not in the map'
        : a.access.kind === 'central'
          ? 'the central AK/SK'
          : `agency ${a.access.agency}, assumed with the central AK/SK at STS (${assumed} AssumeAgency call${assumed === 1 ? '' : 's'} in the run: wire's and the function's)`;
    out.push(`  ${a.name.padEnd(8)} account ${short(a.domainId)}, project ${short(a.projectId)} (${a.region}): ${how}`);
  }
  for (const k of r.events) {
    const keyId = keyIdOf(k);
    if (k.account === 'payments' && k.action.kind === 'createKey' && k.relayed === undefined) {
      const write = r.emulator.calls.find(
        (c) => c.operation === 'createAlias' && c.status === 201 && c.keyId === keyId,
      );
      out.push(
        write === undefined
          ? `  NOT aliased: ${k.keyAlias} (${short(keyId)}) in account payments, decided ${k.outcome ?? 'nothing'}`
          : `  ${write.alias} created on key ${short(keyId)} (${k.keyAlias}) in account payments by ${describePrincipal(write.principal, sts)}` +
              ` (the call log's principal ${write.principal.slice(0, 6)}…, not the central AK, not payments' own);` +
              ` audit record: account ${String(k.audit?.account ?? '?')}`,
      );
    } else if (k.account === 'data') {
      out.push(
        `  ${k.keyAlias} (${short(keyId)}) in account data, outside the map, relayed with the token: ${k.outcome ?? 'not decided'}` +
          ` (${String(k.audit?.reason ?? '?')}), no call to KMS`,
      );
    } else if (k.action.kind === 'forgeTrace') {
      out.push(
        `  a copy of ${k.keyAlias}'s trace claiming account ${k.action.claims}: ${k.outcome ?? 'not decided'} (${String(k.audit?.reason ?? '?')}),` +
          ` sent to the DLQ; the credentials were never the event's to choose`,
      );
    }
  }
  const writes = writesByAccount(r.emulator.calls);
  out.push(
    `  KMS writes by account: ${writes.map((w) => `${w.account} ${w.writes}${w.wrong.length > 0 ? ` (${w.wrong.length} by ANOTHER identity)` : ''}`).join(', ')}`,
    '',
  );
  return out;
}

/** The whole-path run: each call's hops, the convention's work, the ingest's requests, the decisions and checks. */
export function formatPathSummary(r: PathRunResult): string {
  const out: string[] = [''];
  out.push(
    'KMS calls in the emulated Huawei accounts, hop by hop',
    '(KMS: the API call; notified: CTS published its trace to the SMN topic; delivered: SMN → ingest URL;',
    ' enqueued: the ingest verified it and sent it to the queue; decided: the queue handler;',
    ' aliases: what the key holds once its phase was drained)',
    formatTable(
      [
        'phase',
        'account',
        'call',
        'key name',
        'key id',
        'KMS',
        'notified',
        'delivered',
        'enqueued',
        'decided',
        'aliases',
      ],
      r.events.map((k) => [String(k.phase), k.account, k.action.kind, k.keyAlias, ...hopCells(k)]),
    ),
    ...r.handMade.map(
      (h) =>
        `By hand (not through the path): ${h.alias} given to ${h.keyAlias} (${short(h.keyId)})${h.ok ? '' : ', REFUSED'}`,
    ),
    '',
    ...accountLines(r),
    ...conventionLines(r),
  );
  const byKind = new Map<string, number>();
  for (const q of r.ingestRequests) {
    const name = `${q.method} ${q.smnType ?? '-'} → ${q.status} ${q.reason ?? ''}`.trimEnd();
    byKind.set(name, (byKind.get(name) ?? 0) + 1);
  }
  out.push(
    `Ingest (dist/ingest/handler.mjs at ${r.ingestUrl}, cold start ${r.ingestInitMs.toFixed(0)} ms)`,
    formatTable(
      ['request → answer', 'count'],
      [...byKind].sort().map(([k, v]) => [k, String(v)]),
    ),
    '',
    `CTS: ${r.cts.traces} traces, ${r.cts.notified} matched the notification, ${r.cts.published} published. ` +
      `SMN: ${r.smn.delivered} of ${r.smn.queued} messages delivered in ${r.smn.attempts} attempts, ${r.smn.dropped} dropped.`,
    '',
  );
  out.push(
    ...formatDecisions(r.audits),
    `Dead-letter queue: ${r.dlq.length} message${r.dlq.length === 1 ? '' : 's'}`,
    ...(r.dlq.length === 0 ? ['  (empty)'] : r.dlq.map((d) => `  ${d.reason}  ${d.errorCode}`)),
    '',
  );
  const s = r.runner;
  out.push(
    `Event source: ${s.invocations} invocations (${s.coldStarts} cold starts), ${s.received} receives, ${s.deleted} deleted, ` +
      `${s.reportedFailures} reported in batchItemFailures, ${s.timeouts} timeouts, ${(s.durationMs / 1000).toFixed(1)} s ` +
      `(${r.phases.length} drains, one per phase)`,
    '',
    'Checks',
    ...r.checks.map((c) => `  ${c.pass ? 'PASS' : 'FAIL'}  ${c.name} (${c.detail})`),
  );
  return out.join('\n');
}
