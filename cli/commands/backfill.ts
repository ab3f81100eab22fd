import { resolve } from 'node:path';
import { openJournal } from '../../lib/backfill/backfill-journal.ts';
import type { BackfillSummary, KeyResult } from '../../lib/backfill/backfill-result.ts';
import { type BackfillReport, runBackfill } from '../../lib/backfill/run-backfill.ts';
import { ConfigError } from '../../lib/errors/app-error.ts';
import { type CliIo, EXIT, type ExitCode, UsageError } from '../cli-io.ts';
import { describeError } from '../describe-error.ts';
import { humanise, renderTable } from '../format-table.ts';
import { loadOperatorTargets, type OperatorTarget } from '../load-operator-config.ts';
import type { Command } from '../parse-command-line.ts';
import { createProgress } from '../progress.ts';
import { type CliKmsDeps, createCliKmsDeps } from './kms-deps.ts';
import { ASSUMED_TAG_CREATE_SEMANTICS } from '../../lib/tags/plan-tags.ts';

type BackfillCommand = Extract<Command, { name: 'backfill' }>;

/** Exit code of a backfill: interrupted, findings (conflicts, failures, over all runs), or ok. */
export function backfillExitCode(
  report: Pick<BackfillReport, 'interrupted' | 'summary'> & Partial<Pick<BackfillReport, 'stopped'>>,
): ExitCode {
  if (report.interrupted) return EXIT.interrupted;
  // KMS kept throttling: the run proved nothing about the keys it did not start (docs/cli.md: 3).
  if (report.stopped !== undefined) return EXIT.unavailable;
  const tags = report.summary.tags ?? {};
  // Tag conflicts, over-limit and invalid tag sets are findings, as alias conflicts are.
  const tagFindings = (tags.conflict ?? 0) + (tags.over_limit ?? 0) + (tags.invalid ?? 0) + (tags.failed ?? 0);
  return report.summary.conflict + report.summary.failed + tagFindings > 0 ? EXIT.findings : EXIT.ok;
}

/**
 * `backfill`: the projects of `--project`, else every configured one (of `--account`), one after
 * another through one runtime, so each account is called with its own credentials and limit.
 */
export async function runBackfillCommand(command: BackfillCommand, io: CliIo): Promise<ExitCode> {
  const targets = loadOperatorTargets(io.env, command);
  const [first] = targets;
  if (first === undefined) throw new UsageError('no project configured: pass --project');
  if (command.resume !== undefined && targets.length > 1) {
    throw new UsageError(
      `--resume keeps one project's progress, and ${targets.length} projects are configured: pick one with --project`,
    );
  }
  const journal =
    command.resume === undefined ? undefined : openJournal(resolve(io.cwd ?? process.cwd(), command.resume));
  // The journal's lock is given up however the run ends (a thrown listing error included).
  try {
    const deps = createCliKmsDeps(first, io, command.rate);
    const reports: Array<{ target: OperatorTarget; report: BackfillReport; calls: number }> = [];
    // With several projects, one that cannot be listed (KMS refusing it, its account's credentials
    // broken) is named and the others still run: throwing would hide what the earlier projects
    // created and skip the later ones. The exit code is then 3, the worst (docs/cli.md).
    const failures: Array<{ project_id: string; region: string; account: string | undefined; error: string }> = [];
    for (const target of targets) {
      if (io.signal?.aborted === true && reports.length + failures.length > 0) break;
      const before = deps.meter.apiCalls;
      let report: BackfillReport;
      try {
        report = await backfillProject(target, command, deps, journal, io);
      } catch (err) {
        if (targets.length === 1 || err instanceof UsageError || err instanceof ConfigError) throw err;
        failures.push({
          project_id: target.projectId,
          region: target.region,
          account: target.account,
          error: describeError(err),
        });
        continue;
      }
      reports.push({ target, report, calls: deps.meter.apiCalls - before });
      if (report.interrupted || report.stopped !== undefined) break;
    }
    const only = reports.length === 1 && targets.length === 1 ? reports[0] : undefined;
    if (command.json) {
      const totals = { kms_calls: deps.meter.apiCalls, retries: deps.meter.retries, rate: deps.rate };
      const body =
        only !== undefined
          ? { ...only.report, ...totals }
          : {
              projects: [...reports.map((r) => ({ ...r.report, account: r.target.account })), ...failures],
              ...totals,
            };
      io.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
    } else {
      for (const r of reports) io.stdout.write(renderBackfill(r.report, r.calls, deps.rate, r.target.account));
      for (const f of failures) io.stdout.write(`Backfill: ${couldNotRun(f)}\n\n`);
      if (only === undefined) {
        io.stdout.write(
          `${reports.length} of ${targets.length} projects walked; ${deps.meter.apiCalls} KMS calls in all\n`,
        );
      }
    }
    const interrupted = reports.find((r) => r.report.interrupted);
    const last = reports.at(-1)?.report;
    if (interrupted !== undefined) {
      io.stderr.write(
        command.resume === undefined
          ? 'interrupted: run the command again (keys already aliased are found in one call each), or use --resume FILE next time\n'
          : `interrupted: run the same command again to continue from ${command.resume}\n`,
      );
    } else if (last?.stopped === 'throttled') {
      io.stderr.write(
        `stopped: KMS kept throttling after the retries; run the same command again later, with a lower --rate (now ${deps.rate}/s)${command.resume === undefined ? '' : `, to continue from ${command.resume}`}\n`,
      );
    } else if (last !== undefined && !last.complete && command.resume !== undefined && last.summary.failed > 0) {
      io.stderr.write(`${keys(last.summary.failed)} failed: run the same command again to retry them\n`);
    }
    for (const f of failures) io.stderr.write(`kms-auto-alias backfill: ${couldNotRun(f)}\n`);
    const codes = reports.map((r) => backfillExitCode(r.report));
    return codes.includes(EXIT.interrupted)
      ? EXIT.interrupted
      : failures.length > 0 || codes.includes(EXIT.unavailable)
        ? EXIT.unavailable
        : codes.includes(EXIT.findings)
          ? EXIT.findings
          : EXIT.ok;
  } finally {
    journal?.close();
  }
}

async function backfillProject(
  target: OperatorTarget,
  command: BackfillCommand,
  deps: CliKmsDeps,
  journal: ReturnType<typeof openJournal> | undefined,
  io: CliIo,
): Promise<BackfillReport> {
  const where = target.account === undefined ? '' : ` ${target.account}/${target.projectId}`;
  const progress = createProgress(io.stderr, `${command.dryRun ? 'backfill (dry run)' : 'backfill'}${where}`);
  if (journal?.previous !== undefined) {
    const p = journal.previous;
    progress.step(
      `resuming ${command.resume}: ${keys(p.results.size)} recorded over ${p.runs} ${p.runs === 1 ? 'run' : 'runs'}${p.complete ? ', complete' : ''}`,
    );
  }
  try {
    return await runBackfill(
      {
        projectId: target.projectId,
        region: target.region,
        template: target.config.aliasTemplate,
        dryRun: command.dryRun,
        ...(command.pageSize === undefined ? {} : { pageSize: command.pageSize }),
        tags:
          target.config.tagTemplate === undefined
            ? undefined
            : {
                template: target.config.tagTemplate,
                overwrite: target.config.tagOverwrite,
                semantics: ASSUMED_TAG_CREATE_SEMANTICS,
              },
      },
      {
        kms: deps.kms,
        api: deps.api,
        tagApi: deps.tagApi,
        run: deps.run,
        journal,
        signal: io.signal,
        onProgress: (p) =>
          progress.update(`page ${p.page}: ${p.decided} keys decided (${p.last.key_id} ${humanise(p.last.outcome)})`),
        onPage: (p) =>
          progress.step(
            `page ${p.page}: ${keys(p.keys)}, ${p.listed} listed so far${p.failed > 0 ? `, ${p.failed} failed` : ''}`,
          ),
      },
    );
  } finally {
    progress.done();
  }
}

function couldNotRun(f: { project_id: string; region: string; account: string | undefined; error: string }): string {
  const of = f.account === undefined ? '' : `account ${f.account}, `;
  return `${of}project ${f.project_id} (${f.region}): could not run: ${f.error}`;
}

function keys(n: number): string {
  return `${n} ${n === 1 ? 'key' : 'keys'}`;
}

function describeResult(r: KeyResult): string {
  const alias = describeAliasResult(r);
  if (r.tags === undefined) return alias;
  const conflicts = (r.tag_conflicts ?? []).map((c) => `${c.existingKey}=${c.existing} kept (wanted ${c.desired})`);
  const tagged = [humanise(r.tags), ...(r.tags_written ?? []), ...conflicts, ...(r.tag_detail ? [r.tag_detail] : [])];
  return `${alias}; tags: ${tagged.join(', ')}`;
}

function describeAliasResult(r: KeyResult): string {
  switch (r.outcome) {
    case 'created':
    case 'already_present':
    case 'would_create':
      return r.alias ?? '';
    case 'skipped':
      return r.reason ?? '';
    case 'conflict':
      return `${r.alias ?? ''} is held by ${r.existing_key_id ?? '?'}`;
    case 'failed':
      return `${r.reason ?? 'failed'}: ${r.detail ?? ''}`;
  }
}

/** The summary as rows: every outcome with a count, skips by reason. */
export function summaryRows(summary: BackfillSummary, dryRun: boolean): string[][] {
  const rows: string[][] = [];
  if (dryRun) rows.push(['would create', String(summary.would_create)]);
  else rows.push(['created', String(summary.created)]);
  rows.push(['already present', String(summary.already_present)]);
  for (const [reason, n] of Object.entries(summary.skipped).sort())
    rows.push([`skipped: ${humanise(reason)}`, String(n)]);
  rows.push(
    ['conflict', String(summary.conflict)],
    ['failed', String(summary.failed)],
    ['total', String(summary.total)],
  );
  for (const [outcome, n] of Object.entries(summary.tags ?? {}).sort())
    rows.push([`tags: ${humanise(outcome)}`, String(n)]);
  return rows;
}

function renderBackfill(report: BackfillReport, calls: number, rate: number, account: string | undefined): string {
  const out: string[] = [];
  const what = report.dry_run ? 'Backfill dry run' : 'Backfill';
  const of = account === undefined ? '' : `account ${account}, `;
  out.push(`${what}: ${of}project ${report.project_id} (${report.region}), template ${report.template}\n`);
  if (report.results.length > 0) {
    out.push(
      renderTable(
        ['KEY ID', 'NAME', 'OUTCOME', 'ALIAS / REASON'],
        report.results.map((r) => [r.key_id, r.key_alias ?? '', humanise(r.outcome), describeResult(r)]),
      ),
    );
  } else {
    out.push('No key to work on in this run.\n');
  }
  out.push('');
  if (report.earlier_keys > 0)
    out.push(
      `${keys(report.earlier_keys)} settled by earlier runs (${report.journal ?? 'journal'}); the summary counts every run.\n`,
    );
  out.push(renderTable(['OUTCOME', 'KEYS'], summaryRows(report.summary, report.dry_run)));
  const attention = report.summary.conflict + report.summary.failed;
  const state = report.interrupted
    ? 'interrupted'
    : report.stopped === 'throttled'
      ? 'stopped: KMS kept throttling'
      : report.dry_run
        ? 'dry run, nothing changed'
        : report.complete
          ? `complete${attention > 0 ? `, ${keys(attention)} ${attention === 1 ? 'needs' : 'need'} attention` : ''}`
          : 'incomplete';
  out.push(`\n${state}; ${calls} KMS calls at up to ${rate}/s\n`);
  return out.join('\n').replace(/\n{3,}/g, '\n\n');
}
