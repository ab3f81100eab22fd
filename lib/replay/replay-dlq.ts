import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { describeDlqMessage, type DlqMessageInfo, matchesFilter } from './describe-dlq-message.ts';

export interface ReplayOptions {
  /** The DLQ. */
  from: string;
  /** The source queue the handler reads. */
  to: string;
  /** Move at most this many messages. */
  max?: number | undefined;
  /** Receive and report, move nothing. */
  dryRun: boolean;
  /** Reason prefixes (see `matchesFilter`); empty: every message. */
  filters: readonly string[];
  /** Long-poll wait of each receive, 0–20 s. Default 1: an empty answer then really means empty. */
  waitSeconds?: number;
  /** How long received messages stay hidden while the run lasts. Default 300 s. */
  visibilityTimeoutSeconds?: number;
}

export interface ReplayDeps {
  sqs: Pick<SQSClient, 'send'>;
  /** Aborting stops receiving; messages already received are settled and released. */
  signal?: AbortSignal | undefined;
  onProgress?: (progress: { received: number; moved: number; left: number }) => void;
}

export interface MovedMessage extends DlqMessageInfo {
  message_id: string;
  /** The message id in the source queue. */
  new_message_id: string;
  /** The DLQ delete failed: the message will show up in the DLQ again (a duplicate the handler shrugs off). */
  delete_failed?: string;
}

export type LeftWhy = 'filtered_out' | 'dry_run' | 'max_reached' | 'send_failed' | 'interrupted';

export interface LeftMessage extends DlqMessageInfo {
  message_id: string;
  why: LeftWhy;
  detail?: string;
}

export interface ReplayReport {
  from: string;
  to: string;
  dry_run: boolean;
  filters: string[];
  received: number;
  moved: MovedMessage[];
  left: LeftMessage[];
  /** Left messages whose visibility could not be reset: they reappear when the timeout ends. */
  release_failed: number;
  /** The signal stopped the run; received messages not yet moved were left. */
  interrupted: boolean;
}

const SEND_ATTRIBUTES = ['MessageGroupId', 'MessageDeduplicationId'] as const;

/**
 * Moves DLQ records back to the source queue: for each message, SendMessage of the original
 * body to `to`, and only once that send succeeded, DeleteMessage from `from`. A message is never
 * deleted without a successful send, so none is lost: at worst (the delete fails) it is sent
 * twice, which the handler's idempotent create absorbs. Messages left in the DLQ (filtered out,
 * dry run, over `max`, or their send failed) are kept hidden while the run lasts, so a receive
 * never returns them twice, then made visible again.
 */
export async function replayDlq(options: ReplayOptions, deps: ReplayDeps): Promise<ReplayReport> {
  const { sqs } = deps;
  const max = options.max ?? Number.POSITIVE_INFINITY;
  const report: ReplayReport = {
    from: options.from,
    to: options.to,
    dry_run: options.dryRun,
    filters: [...options.filters],
    received: 0,
    moved: [],
    left: [],
    release_failed: 0,
    interrupted: false,
  };
  // A function, not a property read: TypeScript would keep the loop condition's narrowing.
  const aborted = (): boolean => deps.signal?.aborted === true;
  const seen = new Set<string>();
  const toRelease: Array<{ id: string; handle: string }> = [];
  const leave = (message: Message, info: DlqMessageInfo, why: LeftWhy, detail?: string): void => {
    report.left.push({
      message_id: message.MessageId ?? '',
      ...info,
      why,
      ...(detail === undefined ? {} : { detail }),
    });
    if (message.ReceiptHandle !== undefined)
      toRelease.push({ id: String(toRelease.length), handle: message.ReceiptHandle });
  };

  try {
    while (report.moved.length < max && !aborted()) {
      const page = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: options.from,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: options.waitSeconds ?? 1,
          VisibilityTimeout: options.visibilityTimeoutSeconds ?? 300,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
        }),
      );
      const fresh = (page.Messages ?? []).filter((m) => m.MessageId !== undefined && !seen.has(m.MessageId));
      if (fresh.length === 0) break;
      for (const message of fresh) {
        seen.add(message.MessageId ?? '');
        report.received += 1;
        const info = describeDlqMessage(message);
        if (aborted()) leave(message, info, 'interrupted');
        else if (!matchesFilter(info.reason, options.filters)) leave(message, info, 'filtered_out');
        else if (options.dryRun) leave(message, info, 'dry_run');
        else if (report.moved.length >= max) leave(message, info, 'max_reached');
        else await move(message, info);
        deps.onProgress?.({ received: report.received, moved: report.moved.length, left: report.left.length });
      }
    }
  } finally {
    report.interrupted = aborted();
    report.release_failed = await release(toRelease);
  }
  return report;

  async function move(message: Message, info: DlqMessageInfo): Promise<void> {
    let newId: string;
    try {
      const system = message.Attributes ?? {};
      const sent = await sqs.send(
        new SendMessageCommand({
          QueueUrl: options.to,
          // The original body, byte for byte: our DLQ records never change it.
          MessageBody: message.Body ?? '',
          ...Object.fromEntries(SEND_ATTRIBUTES.filter((a) => system[a] !== undefined).map((a) => [a, system[a]])),
        }),
      );
      newId = sent.MessageId ?? '';
    } catch (err) {
      leave(message, info, 'send_failed', errorText(err));
      return;
    }
    const moved: MovedMessage = { message_id: message.MessageId ?? '', ...info, new_message_id: newId };
    try {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: options.from, ReceiptHandle: message.ReceiptHandle ?? '' }));
    } catch (err) {
      moved.delete_failed = errorText(err);
    }
    report.moved.push(moved);
  }

  async function release(entries: Array<{ id: string; handle: string }>): Promise<number> {
    let failed = 0;
    for (let i = 0; i < entries.length; i += 10) {
      const batch = entries.slice(i, i + 10);
      try {
        const result = await sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: options.from,
            Entries: batch.map((e) => ({ Id: e.id, ReceiptHandle: e.handle, VisibilityTimeout: 0 })),
          }),
        );
        failed += result.Failed?.length ?? 0;
      } catch {
        failed += batch.length;
      }
    }
    return failed;
  }
}

function errorText(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`.slice(0, 300);
  return String(err).slice(0, 300);
}
