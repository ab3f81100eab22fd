import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type FauxqsServer, startFauxqs } from 'fauxqs';

/** The key-events queue and its DLQ, on an in-process fauxqs. */
export interface LocalQueues {
  sqs: SQSClient;
  sqsEndpoint: string;
  awsRegion: string;
  queueUrl: string;
  queueArn: string;
  dlqUrl: string;
  maxReceiveCount: string;
  stop(): Promise<void>;
}

/**
 * Starts fauxqs and creates the queues as serverless.yml does: the key-events queue with its
 * redrive policy (maxReceiveCount) to the DLQ, and the visibility timeout given.
 */
export async function startLocalQueues(options: {
  awsRegion: string;
  visibilityTimeoutS: number;
  maxReceiveCount: string;
}): Promise<LocalQueues> {
  const fauxqs: FauxqsServer = await startFauxqs({ port: 0, logger: false });
  const sqsEndpoint = `http://127.0.0.1:${fauxqs.port}`;
  const sqs = new SQSClient({
    region: options.awsRegion,
    endpoint: sqsEndpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: 'kms-key-events-dlq' }));
    const dlqUrl = dlq.QueueUrl ?? '';
    const queue = await sqs.send(
      new CreateQueueCommand({
        QueueName: 'kms-key-events',
        Attributes: {
          VisibilityTimeout: String(options.visibilityTimeoutS),
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: await queueArnOf(sqs, dlqUrl),
            maxReceiveCount: options.maxReceiveCount,
          }),
        },
      }),
    );
    const queueUrl = queue.QueueUrl ?? '';
    return {
      sqs,
      sqsEndpoint,
      awsRegion: options.awsRegion,
      queueUrl,
      queueArn: await queueArnOf(sqs, queueUrl),
      dlqUrl,
      maxReceiveCount: options.maxReceiveCount,
      stop: async () => {
        sqs.destroy();
        await fauxqs.stop();
      },
    };
  } catch (err) {
    sqs.destroy();
    await fauxqs.stop();
    throw err;
  }
}

export async function queueArnOf(sqs: SQSClient, queueUrl: string): Promise<string> {
  const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  return attrs.Attributes?.QueueArn ?? '';
}
