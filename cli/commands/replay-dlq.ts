import { SQSClient } from '@aws-sdk/client-sqs';
import { loadSqsConfig } from '../../lib/config/load-config.ts';
import { type ReplayReport, replayDlq } from '../../lib/replay/replay-dlq.ts';
import { type CliIo, EXIT, type ExitCode, UsageError } from '../cli-io.ts';
import { humanise, renderTable } from '../format-table.ts';
import type { Command } from '../parse-command-line.ts';
import { createProgress } from '../progress.ts';

type ReplayCommand = Extract<Command, { name: 'replay-dlq' }>;

function checkQueueUrl(flag: string, url: string): string {
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    throw new UsageError(
      `${flag} must be a queue URL (https://sqs.<region>.amazonaws.com/<account>/<name>), got ${JSON.stringify(url.slice(0, 80))}`,
    );
  }
  return url;
}

/**
 * Exit code: 130 interrupted; 1 when a send or a delete failed (a message stayed, or will come
 * back) or the run could not prove the queue drained; else 0.
 */
export function replayExitCode(
  report: Pick<ReplayReport, 'moved' | 'left' | 'interrupted'> & Partial<Pick<ReplayReport, 'undrained'>>,
): ExitCode {
  if (report.interrupted) return EXIT.interrupted;
  const failed =
    report.undrained === true ||
    report.left.some((m) => m.why === 'send_failed') ||
    report.moved.some((m) => m.delete_failed !== undefined);
  return failed ? EXIT.findings : EXIT.ok;
}

export async function runReplayCommand(command: ReplayCommand, io: CliIo): Promise<ExitCode> {
  const sqsConfig = loadSqsConfig(io.env);
  const fromFlag = command.from ?? sqsConfig.dlqUrl;
  if (fromFlag === undefined) throw new UsageError('--from QUEUE_URL is required when DLQ_URL is not set');
  const from = checkQueueUrl('--from', fromFlag);
  const to = checkQueueUrl('--to', command.to);
  if (from === to) throw new UsageError('--from and --to are the same queue');
  const accessKeyId = io.env['AWS_ACCESS_KEY_ID'];
  const secretAccessKey = io.env['AWS_SECRET_ACCESS_KEY'];
  const sessionToken = io.env['AWS_SESSION_TOKEN'];
  const sqs = new SQSClient({
    region: sqsConfig.awsRegion,
    // Local servers' queue URLs name hosts that do not resolve: always send to the endpoint.
    ...(sqsConfig.sqsEndpoint === undefined ? {} : { endpoint: sqsConfig.sqsEndpoint }),
    ...(accessKeyId && secretAccessKey
      ? { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } }
      : {}),
    maxAttempts: 3,
  });
  const progress = createProgress(io.stderr, 'replay-dlq');
  let report: ReplayReport;
  try {
    report = await replayDlq(
      {
        from,
        to,
        max: command.max,
        dryRun: command.dryRun,
        filters: command.filters,
        ...(command.waitSeconds === undefined ? {} : { waitSeconds: command.waitSeconds }),
      },
      {
        sqs,
        signal: io.signal,
        onProgress: (p) => progress.update(`${p.received} received, ${p.moved} moved, ${p.left} left`),
      },
    );
  } finally {
    progress.done();
    sqs.destroy();
  }
  io.stdout.write(command.json ? `${JSON.stringify(report, null, 2)}\n` : renderReplay(report));
  return replayExitCode(report);
}

function renderReplay(r: ReplayReport): string {
  const filter = r.filters.length === 0 ? '' : `, reasons starting with ${r.filters.join(' or ')}`;
  const out = [`Replay${r.dry_run ? ' (dry run)' : ''}: ${r.from} -> ${r.to}${filter}\n`];
  if (r.moved.length > 0) {
    out.push(
      `Moved (${r.moved.length}):`,
      renderTable(
        ['MESSAGE ID', 'REASON', 'KEY ID', 'NEW MESSAGE ID'],
        r.moved.map((m) => [
          m.message_id,
          m.reason,
          m.key_id ?? '',
          (m.delete_failed === undefined
            ? m.new_message_id
            : `${m.new_message_id} (DLQ delete failed: it will be sent again)`) +
            (m.body_redacted === true ? ' (body sent with a secret masked)' : ''),
        ]),
      ),
    );
  }
  if (r.left.length > 0) {
    out.push(
      `Left in the DLQ (${r.left.length}):`,
      renderTable(
        ['MESSAGE ID', 'REASON', 'KEY ID', 'WHY'],
        r.left.map((m) => [
          m.message_id,
          m.reason,
          m.key_id ?? '',
          m.detail === undefined ? humanise(m.why) : `${humanise(m.why)}: ${m.detail}`,
        ]),
      ),
    );
  }
  const failed = r.left.filter((m) => m.why === 'send_failed').length;
  out.push(
    `${r.received} received, ${r.moved.length} moved, ${r.left.length} left${failed > 0 ? ` (${failed} sends failed)` : ''}\n`,
  );
  if (r.interrupted) out.push('interrupted: messages received and not moved are still in the DLQ\n');
  if (r.undrained) out.push('not drained: messages already seen kept coming back; run it again to move the rest\n');
  if (r.release_failed > 0)
    out.push(`${r.release_failed} left messages stay hidden until their visibility timeout ends\n`);
  return out.join('\n');
}
