import { formatTable } from '../local/format-summary.ts';
import type { ChaosAnalysis } from './invariants.ts';
import { projectOfCall } from './account-invariant.ts';
import type { ChaosRun } from './run-chaos.ts';

const count = <T>(items: readonly T[], key: (item: T) => string): Array<[string, number]> => {
  const map = new Map<string, number>();
  for (const item of items) map.set(key(item), (map.get(key(item)) ?? 0) + 1);
  return [...map].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
};

const rows = (pairs: Array<[string, number]>): string[][] => pairs.map(([k, v]) => [k, String(v)]);

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

export function reproduceCommand(run: ChaosRun): string {
  return `npm run chaos -- --seed ${run.options.seed} --messages ${run.options.messages}${run.options.tokenMode ? ' --token-mode' : ''}`;
}

/** Messages, KMS calls and faults per account (HUAWEICLOUD_ACCOUNTS), and how the second one was reached. */
function accountLines(run: ChaosRun): string[] {
  const messages = run.scenario.messages;
  const kms = run.calls.filter((c) => c.operation !== 'iamToken' && c.operation !== 'stsAssumeAgency');
  const byAccount = run.accounts.map((a) => {
    const mine = messages.filter((m) => (m.account ?? (m.keyId === undefined ? undefined : 'security')) === a.name);
    const calls = kms.filter((c) => projectOfCall(c) === a.projectId);
    return [
      a.name,
      `${mine.length} (${((100 * mine.length) / Math.max(1, messages.length)).toFixed(1)}%)`,
      String(calls.length),
      String(calls.filter((c) => c.fault !== undefined).length),
      String(calls.filter((c) => c.status === 401).length),
    ];
  });
  const noKey = messages.filter((m) => m.account === undefined && m.keyId === undefined).length;
  const assumed = run.calls.filter((c) => c.operation === 'stsAssumeAgency');
  const iam = run.calls.filter((c) => c.operation === 'iamToken');
  const second = run.accounts.find((a) => a.name === 'payments');
  return [
    'Accounts (HUAWEICLOUD_ACCOUNTS: security central; payments by agency; outside not in the map)',
    formatTable(['account', 'messages', 'KMS calls', 'faulted', '401'], byAccount),
    `  ${noKey} messages name no key (broken bodies); ` +
      (second?.viaSts === true
        ? `payments reached by STS AssumeAgency with the central AK/SK: ${assumed.filter((c) => c.status === 201).length} of ${assumed.length} calls issued a temporary AK/SK`
        : `payments reached by IAM assume_role with the central IAM user: ${iam.filter((c) => c.principal === second?.principals[0] && c.status === 201).length} agency tokens issued of ${iam.length} token calls`),
  ];
}

/** The table the chaos run prints. */
export function formatChaosReport(run: ChaosRun, analysis: ChaosAnalysis): string {
  const o = run.options;
  const out: string[] = [];
  out.push(
    `Chaos run: seed ${o.seed}, ${o.messages} messages, ${o.tokenMode ? 'IAM token' : 'AK/SK from Secrets Manager'} auth, ` +
      `${o.concurrency} instances, batches of ${o.batchSize}, function timeout ${o.timeoutMs} ms, visibility ${o.visibilityTimeoutS} s, maxReceiveCount ${o.maxReceiveCount}`,
    `KMS faults on ${(o.kmsFaultRate * 100).toFixed(0)}% of calls, ${(o.dlqFaultRate * 100).toFixed(0)}% of DLQ publishes fail, ` +
      `${(o.killRate * 100).toFixed(0)}% of invocations killed part way; request timeout ${o.env.REQUEST_TIMEOUT_MS} ms`,
    '',
  );

  out.push(
    'Workload',
    formatTable(['kind', 'messages'], rows(Object.entries(run.scenario.composition).sort((a, b) => b[1] - a[1]))),
    '',
  );

  out.push(...accountLines(run), '');

  out.push(
    'Decisions (every audit record: outcome → disposition)',
    formatTable(
      ['decision', 'records'],
      rows(
        count(
          run.audits,
          (a) =>
            `${String(a.outcome)}${a.outcome === 'failed' ? `:${String(a.reason)}` : ''} → ${String(a.disposition)}`,
        ),
      ),
    ),
    '',
  );

  // API calls per key, from the emulator's own log.
  const perKey = new Map<string, number>();
  let projectListings = 0;
  const kmsCalls = run.calls.filter((c) => c.operation !== 'iamToken');
  for (const c of kmsCalls) {
    if (c.keyId === undefined) projectListings += 1;
    else perKey.set(c.keyId, (perKey.get(c.keyId) ?? 0) + 1);
  }
  const perKeySorted = [...perKey.values()].sort((a, b) => a - b);
  const mean = perKeySorted.reduce((s, n) => s + n, 0) / Math.max(1, perKeySorted.length);
  out.push(
    'KMS API calls (emulator log: operation, answer)',
    formatTable(
      ['operation answer', 'calls'],
      rows(
        count(
          run.calls,
          (c) =>
            `${c.operation} ${c.status === 0 ? 'no answer' : c.status}${c.huaweiCode ? ` ${c.huaweiCode}` : ''}${c.fault ? ` [${c.fault}]` : ''}`,
        ),
      ),
    ),
    `API calls per key: ${perKey.size} keys, mean ${mean.toFixed(2)}, p50 ${percentile(perKeySorted, 50)}, p95 ${percentile(perKeySorted, 95)}, max ${percentile(perKeySorted, 100)}; ` +
      `${projectListings} project-wide listAliases calls (conflict checks)`,
    '',
  );

  const retries = run.audits.reduce((s, a) => s + (typeof a.retries === 'number' ? a.retries : 0), 0);
  const retryLines = run.logLines
    .map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        return undefined;
      }
    })
    .filter((r): r is Record<string, unknown> => r?.message === 'retrying');
  out.push(
    `Retries: ${retries} in audit records; in-invocation retries by kind (debug log):`,
    formatTable(
      ['operation kind', 'retries'],
      rows(count(retryLines, (r) => `${String(r.operation)} ${String(r.kind)}`)),
    ),
    '',
  );

  out.push(
    `Dead-letter queue: ${run.dlq.length} records`,
    formatTable(['reason', 'records'], rows(count(run.dlq, (e) => e.reason))),
    '',
  );

  const receives = [...run.runner.receives.values()];
  const redelivered = receives.filter((n) => n > 1).length;
  const r = run.runner;
  const died = run.invocations.filter((i) => i.result === 'killed' || i.result === 'timeout');
  out.push(
    `Redeliveries: ${redelivered} messages received more than once; ${r.received} receives for ${run.scenario.messages.length} messages (max ${Math.max(0, ...receives)} receives); ` +
      `${r.reportedFailures} returned in batchItemFailures; ${run.dlq.filter((e) => e.reason === 'redrive').length} moved by the queue's redrive`,
    `Event source: ${r.invocations} invocations (${r.coldStarts} cold starts), ${r.killed} killed part way, ${r.timeouts} timed out, ${r.errors} errors; ${died.length} instances lost`,
    `DLQ sends: ${run.dlqFaults.publishes} publishes (${run.dlqFaults.attempts} HTTP attempts); failed by the proxy: ` +
      `${run.dlqFaults.failed.status500} × HTTP 500, ${run.dlqFaults.failed.reset} × reset, ${run.dlqFaults.failed.hang} × hang (abandoned by the function at its deadline)`,
    `Keys visible only after a delay: ${run.delayedKeysSeenInvisible} answered KMS.0207 first` +
      (o.tokenMode
        ? `; IAM tokens: ${run.issuedTokens.length} issued, all expired ${run.tokenExpiries.length}× mid-run`
        : `; AK/SK rotated ${run.rotations.length}× mid-run (old AK revoked at once, the extension serving it from cache a while), ` +
          `then an extension outage of ${run.extensionOutage === undefined ? 0 : run.extensionOutage.to - run.extensionOutage.from} ms (500s, hangs, refused connections) that ${run.extensionOutage?.failedReads ?? 0} reads met; the agency's STS credentials expired ${run.tokenExpiries.length}× mid-run`),
    '',
  );

  out.push(
    'Created audits and aliases (see chaos/README.md): an alias whose create answer was lost is found later and audited',
    '"already_present" (flagged create_outcome_unknown when this invocation saw the create go unanswered), so the count that',
    'must hold is: created audits = aliases the function created − lost answers, with every lost answer proven from the',
    "emulator's call log, the audit records and the runner's kill log.",
    `  ${analysis.createdAudits} created audits = ${analysis.aliasesCreated} aliases created − ${analysis.lostAnswers.length} lost answers; ` +
      `${analysis.exhaustedMessages} messages in the DLQ only because retries ran out; ${analysis.exhaustedKeys.length} valid keys left without alias by that; ` +
      `${analysis.inBothPlaces} messages both acknowledged and in the DLQ`,
    '',
  );

  out.push('Invariants');
  for (const c of analysis.checks) {
    out.push(`  ${c.pass ? 'PASS' : 'FAIL'}  ${c.name}`, `        ${c.detail}`);
    for (const f of c.failures) out.push(`        ✗ ${f}`);
  }
  const passed = analysis.checks.every((c) => c.pass);
  out.push(
    '',
    `${passed ? 'PASS' : 'FAIL'}: ${analysis.checks.filter((c) => c.pass).length}/${analysis.checks.length} invariants hold; ${(run.durationMs / 1000).toFixed(1)} s`,
    `seed ${o.seed}; reproduce the same workload and fault draws with: ${reproduceCommand(run)}`,
  );
  return out.join('\n');
}
