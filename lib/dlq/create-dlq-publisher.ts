import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DlqRecord } from './build-dlq-record.ts';
import { DLQ_MAX_MESSAGE_BYTES, fitDlqRecord } from './fit-dlq-record.ts';

export interface DlqPublisher {
  /**
   * Resolves with the DLQ message id; rejects when SQS did not take the message, or when
   * `signal` aborts first (the SDK sets no request timeout of its own).
   */
  publish(record: DlqRecord, signal?: AbortSignal): Promise<string>;
}

export interface DlqPublisherOptions {
  queueUrl: string;
  region: string;
  /** Local SQS-compatible servers; fauxqs queue URLs name a host that does not resolve. */
  endpoint?: string | undefined;
  /** Tests and the local runner may hand in a client; otherwise one is built on first use. */
  client?: SQSClient;
  /**
   * The DLQ's `MaximumMessageSize`; each record is made to fit it (`fitDlqRecord`: the body is
   * kept whole, the diagnosis shortened). Default {@link DLQ_MAX_MESSAGE_BYTES}, as serverless.yml
   * sizes the DLQ.
   */
  maxMessageBytes?: number;
}

/**
 * SendMessage to the DLQ. The SQS client is imported on first use: the happy path never
 * reports a failure, so a cold start should not pay the ~100 ms the SDK costs to evaluate.
 */
export function createDlqPublisher(options: DlqPublisherOptions): DlqPublisher {
  let ready:
    | Promise<{ client: SQSClient; send: (r: DlqRecord, signal: AbortSignal | undefined) => Promise<string> }>
    | undefined;
  const load = async () => {
    const sdk = await import('@aws-sdk/client-sqs');
    const client =
      options.client ??
      new sdk.SQSClient({
        region: options.region,
        ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
        // A DLQ send is itself retried by the SDK's standard mode; a few attempts, then the
        // message goes back to its queue instead (nothing is lost either way).
        maxAttempts: 3,
      });
    const send = async (record: DlqRecord, signal: AbortSignal | undefined) => {
      const result = await client.send(
        new sdk.SendMessageCommand({
          QueueUrl: options.queueUrl,
          MessageBody: record.body,
          MessageAttributes: record.attributes,
        }),
        signal === undefined ? {} : { abortSignal: signal },
      );
      return result.MessageId ?? '';
    };
    return { client, send };
  };
  return {
    async publish(record, signal) {
      ready ??= load().catch((err: unknown) => {
        ready = undefined;
        throw err;
      });
      const { send } = await ready;
      signal?.throwIfAborted();
      return send(fitDlqRecord(record, options.maxMessageBytes ?? DLQ_MAX_MESSAGE_BYTES), signal);
    },
  };
}
