import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { isSafeAwsUrl, PLAIN_HTTP_MESSAGE } from '../config/load-config.ts';

/** A message for an SQS queue: its body and string attributes. */
export interface QueueMessage {
  body: string;
  attributes: Record<string, string>;
}

export interface QueueSenderOptions {
  queueUrl: string;
  region: string;
  /** SQS_ENDPOINT (fauxqs locally); plain http only for loopback hosts, as everywhere else. */
  endpoint?: string | undefined;
  /** An SQS client to share (the local runner and tests); otherwise one is built here. */
  client?: SQSClient;
  /** Attempts inside one send (the SDK's standard retry mode). Default 3. */
  maxAttempts?: number;
  /** Upper bound on one send, retries included. Default 10 s. */
  timeoutMs?: number;
}

/** SendMessage to one queue; rejects when SQS did not take the message. */
export type QueueSender = (message: QueueMessage) => Promise<void>;

/**
 * An SQS sender for a function whose happy path is SendMessage (the ingest): the client is built
 * at init, not on first use as the DLQ publisher's is.
 * @throws Error when `endpoint` or `queueUrl` is plain http to a non-loopback host.
 */
export function createQueueSender(options: QueueSenderOptions): QueueSender {
  for (const url of [options.queueUrl, options.endpoint]) {
    if (url !== undefined && !isSafeAwsUrl(url)) throw new Error(`${url}: ${PLAIN_HTTP_MESSAGE}`);
  }
  const client =
    options.client ??
    new SQSClient({
      region: options.region,
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      maxAttempts: options.maxAttempts ?? 3,
    });
  const timeoutMs = options.timeoutMs ?? 10_000;
  return async (message) => {
    const attributes = Object.fromEntries(
      Object.entries(message.attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
    );
    await client.send(
      new SendMessageCommand({ QueueUrl: options.queueUrl, MessageBody: message.body, MessageAttributes: attributes }),
      { abortSignal: AbortSignal.timeout(timeoutMs) },
    );
  };
}
