import type { DriftItem, DriftReport } from '../../lib/reconcile/find-drift.ts';
import { runReconcile } from '../../lib/reconcile/run-reconcile.ts';
import { ConfigError } from '../../lib/errors/app-error.ts';
import { type CliIo, EXIT, type ExitCode, UsageError } from '../cli-io.ts';
import { describeError } from '../describe-error.ts';
import { humanise, renderTable } from '../format-table.ts';
import { loadOperatorTargets } from '../load-operator-config.ts';
import type { Command } from '../parse-command-line.ts';
import { createProgress } from '../progress.ts';
import { createCliKmsDeps } from './kms-deps.ts';

type ReconcileCommand = Extract<Command, { name: 'reconcile' }>;

/** `reconcile`: the projects of `--project`, else every configured one (of `--account`), read-only. */
export async function runReconcileCommand(command: ReconcileCommand, io: CliIo): Promise<ExitCode> {
  const targets = loadOperatorTargets(io.env, command);
  const [first] = targets;
  if (first === undefined) throw new UsageError('no project configured: pass --project');
  const deps = createCliKmsDeps(first, io, command.rate);
  const reports: Array<{ report: DriftReport; account: string | undefined }> = [];
  // One project that cannot be read (its agency broken, KMS refusing it) must not hide the drift
  // of the others: with several projects each is tried, the failure is reported in its place and
  // the exit code is the worst (3 over 1), as docs/cli.md says. A lone project still just throws.
  const failures: Array<{ project_id: string; region: string; account: string | undefined; error: string }> = [];
  for (const target of targets) {
    const where = target.account === undefined ? '' : ` ${target.account}/${target.projectId}`;
    const progress = createProgress(io.stderr, `reconcile${where}`);
    try {
      const report = await runReconcile(
        {
          projectId: target.projectId,
          region: target.region,
          template: target.config.aliasTemplate,
          ...(command.pageSize === undefined ? {} : { pageSize: command.pageSize }),
          tagTemplate: target.config.tagTemplate,
        },
        {
          kms: deps.kms,
          run: deps.run,
          tagApi: deps.tagApi,
          onProgress: (p) => progress.step(`${p.listed} ${p.stage === 'tags' ? 'keys with tags' : p.stage} listed`),
        },
      );
      reports.push({ report, account: target.account });
    } catch (err) {
      if (targets.length === 1 || err instanceof UsageError || err instanceof ConfigError) throw err;
      const failure = { project_id: target.projectId, region: target.region, account: target.account };
      failures.push({ ...failure, error: describeError(err) });
    } finally {
      progress.done();
    }
  }
  const [only] = reports;
  if (command.json) {
    const body =
      targets.length === 1 && only !== undefined
        ? only.report
        : { projects: [...reports.map((r) => ({ ...r.report, account: r.account })), ...failures] };
    io.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
  } else {
    for (const r of reports) io.stdout.write(renderDrift(r.report, r.account));
    for (const f of failures) io.stdout.write(`Reconcile: ${couldNotRun(f)}\n`);
  }
  for (const f of failures) io.stderr.write(`kms-auto-alias reconcile: ${couldNotRun(f)}\n`);
  if (failures.length > 0) return EXIT.unavailable;
  return reports.some((r) => r.report.has_drift) ? EXIT.findings : EXIT.ok;
}

function couldNotRun(f: { project_id: string; region: string; account: string | undefined; error: string }): string {
  const of = f.account === undefined ? '' : `account ${f.account}, `;
  return `${of}project ${f.project_id} (${f.region}): could not run: ${f.error}`;
}

function driftRow(d: DriftItem): string[] {
  const name = d.key_alias ?? '';
  switch (d.kind) {
    case 'missing':
      return [
        d.key_id,
        name,
        'missing',
        d.expected_alias,
        d.also_expected_by ? `also expected by ${d.also_expected_by.join(', ')}` : 'backfill would create it',
      ];
    case 'conflict':
      return [d.key_id, name, 'conflict', d.expected_alias, `held by ${d.held_by}`];
    case 'held_by_pending_deletion':
      return [d.key_id, name, 'pending deletion', d.alias, 'ON_KEY_DELETION=release would give it back'];
    case 'non_conforming':
      return [
        d.key_id,
        name,
        'non-conforming',
        d.alias,
        d.expected_alias === undefined ? 'not from the template' : `expected ${d.expected_alias}`,
      ];
    case 'naming_failed':
      return [d.key_id, name, 'naming failed', '', `${d.code}: ${d.reason}`];
  }
}

function renderDrift(r: DriftReport, account: string | undefined): string {
  const of = account === undefined ? '' : `account ${account}, `;
  const out: string[] = [`Reconcile: ${of}project ${r.project_id} (${r.region}), template ${r.template}\n`];
  out.push(
    r.drift.length === 0
      ? 'No drift.\n'
      : renderTable(['KEY ID', 'NAME', 'DRIFT', 'ALIAS', 'DETAIL'], r.drift.map(driftRow)),
  );
  const skipped = Object.entries(r.skipped)
    .sort()
    .map(([reason, n]) => [`  skipped: ${humanise(reason)}`, String(n)]);
  out.push(
    renderTable(
      ['', 'COUNT'],
      [
        ['keys listed', String(r.keys)],
        ['  checked', String(r.checked)],
        ['  in order', String(r.in_order)],
        ...skipped,
        ['aliases listed', String(r.aliases)],
        ['missing', String(r.counts.missing)],
        ['conflict', String(r.counts.conflict)],
        ['non-conforming', String(r.counts.non_conforming)],
        ['naming failed', String(r.counts.naming_failed)],
        ['held by a key pending deletion', String(r.counts.held_by_pending_deletion)],
      ],
    ),
  );
  if (r.tag_drift !== undefined) {
    out.push(
      r.tag_drift.length === 0
        ? 'No tag drift.\n'
        : renderTable(
            ['KEY ID', 'NAME', 'TAG DRIFT', 'TAG', 'EXPECTED', 'FOUND / REASON'],
            r.tag_drift.map((d) => [
              d.key_id,
              d.key_alias ?? '',
              humanise(d.kind),
              d.tag ?? '',
              d.expected ?? '',
              d.found ?? d.reason ?? '(absent)',
            ]),
          ),
    );
  }
  out.push(r.has_drift ? `drift found: ${r.drift.length + (r.tag_drift?.length ?? 0)} findings\n` : 'no drift\n');
  return out.join('\n');
}
