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
  /**
   * The run gave up before an empty receive: messages it had already seen kept coming back
   * (their visibility timeout is shorter than a sweep over them), so unseen ones may remain.
   */
  undrained: boolean;
}

/**
 * FIFO: the group is kept (order within it), the deduplication id is not. A message the redrive
 * moved within 5 minutes of its first send still has an id inside the source queue's deduplication
 * interval: SendMessage would answer with a MessageId and drop it, and the DLQ copy would then be
 * deleted, losing it. A new id per DLQ message (its MessageId) is outside that window, and still
 * makes a replay repeated after a failed delete a duplicate SQS drops.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/using-messagededuplicationid-property.html
 */
function fifoAttributes(message: Message): { MessageGroupId?: string; MessageDeduplicationId?: string } {
  const group = message.Attributes?.['MessageGroupId'];
  if (group === undefined) return {};
  return { MessageGroupId: group, MessageDeduplicationId: `replay-${message.MessageId ?? ''}` };
}

/**
 * Moves DLQ records back to the source queue: for each message, SendMessage of the original
 * body to `to`, and only once that send succeeded, DeleteMessage from `from`. A message is never
 * deleted without a successful send, so none is lost: at worst (the delete fails) it is sent
 * twice, which the handler's idempotent create absorbs. Messages left in the DLQ (filtered out,
 * dry run, over `max`, or their send failed) are kept hidden while the run lasts, then made
 * visible again. A run that outlasts the visibility timeout sees them again: they are skipped
 * (hidden again by that receive), and the run goes on until a receive comes back empty, so every
 * matching message is looked at however long the run takes.
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
    undrained: false,
  };
  // A function, not a property read: TypeScript would keep the loop condition's narrowing.
  const aborted = (): boolean => deps.signal?.aborted === true;
  const seen = new Set<string>();
  /** Left message id → its latest receipt handle (SQS honours only the latest one). */
  const toRelease = new Map<string, string>();
  const leave = (message: Message, info: DlqMessageInfo, why: LeftWhy, detail?: string): void => {
    report.left.push({
      message_id: message.MessageId ?? '',
      ...info,
      why,
      ...(detail === undefined ? {} : { detail }),
    });
    if (message.ReceiptHandle !== undefined) toRelease.set(message.MessageId ?? '', message.ReceiptHandle);
  };
  // Pages in a row with nothing unseen, past which the run gives up (`undrained`).
  let idlePages = 0;

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
      const messages = page.Messages ?? [];
      // An empty receive (a long poll of `waitSeconds`) is the only proof that nothing is left.
      if (messages.length === 0) break;
      const fresh: Message[] = [];
      for (const message of messages) {
        const id = message.MessageId;
        if (id === undefined) continue;
        if (!seen.has(id)) fresh.push(message);
        // Back because the run outlasted its visibility timeout; this receive hid it again, and
        // only the newest receipt handle can release it at the end.
        else if (toRelease.has(id) && message.ReceiptHandle !== undefined) toRelease.set(id, message.ReceiptHandle);
      }
      if (fresh.length === 0) {
        // A page of messages already seen does not mean the queue is drained: unseen ones may be
        // behind them. Go on, unless the seen ones come back faster than a sweep over them.
        idlePages += 1;
        if (idlePages > Math.ceil(seen.size / 10) + 2) {
          report.undrained = true;
          break;
        }
        continue;
      }
      idlePages = 0;
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
    report.release_failed = await release([...toRelease.values()]);
  }
  return report;

  async function move(message: Message, info: DlqMessageInfo): Promise<void> {
    let newId: string;
    try {
      const sent = await sqs.send(
        new SendMessageCommand({
          QueueUrl: options.to,
          // The original body, byte for byte: our DLQ records never change it.
          MessageBody: message.Body ?? '',
          ...fifoAttributes(message),
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

  async function release(handles: string[]): Promise<number> {
    let failed = 0;
    for (let i = 0; i < handles.length; i += 10) {
      const batch = handles.slice(i, i + 10);
      try {
        const result = await sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: options.from,
            Entries: batch.map((handle, j) => ({ Id: String(i + j), ReceiptHandle: handle, VisibilityTimeout: 0 })),
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
