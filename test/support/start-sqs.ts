import { SQSClient, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { startFauxqs, type FauxqsServer } from 'fauxqs';

export interface LocalSqs {
  server: FauxqsServer;
  endpoint: string;
  client: SQSClient;
  queueUrl: string;
  dlqUrl: string;
  /** Reads (and leaves in flight) everything in the DLQ. */
  drainDlq(): Promise<Message[]>;
  stop(): Promise<void>;
}

/** A real SQS-compatible server (fauxqs) in-process, with a key-events queue and its DLQ. */
export async function startLocalSqs(name = 'kms-key-events'): Promise<LocalSqs> {
  const server = await startFauxqs({ port: 0, logger: false });
  const endpoint = `http://127.0.0.1:${server.port}`;
  const dlq = server.createQueue(`${name}-dlq`);
  const queue = server.createQueue(name, {
    attributes: {
      VisibilityTimeout: '30',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount: '5' }),
    },
  });
  const client = new SQSClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const drainDlq = async () => {
    const all: Message[] = [];
    for (;;) {
      const page = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: dlq.queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          VisibilityTimeout: 300,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
        }),
      );
      if (!page.Messages?.length) return all;
      all.push(...page.Messages);
    }
  };
  return {
    server,
    endpoint,
    client,
    queueUrl: queue.queueUrl,
    dlqUrl: dlq.queueUrl,
    drainDlq,
    stop: async () => {
      client.destroy();
      await server.stop();
    },
  };
}
