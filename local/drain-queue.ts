import { ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';

/**
 * Receives everything a queue holds, with attributes, leaving it in flight for `visibilityS`
 * (the local run and the chaos run read the DLQ this way once the source queue has drained).
 */
export async function drainQueue(sqs: SQSClient, queueUrl: string, visibilityS = 300): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    const page = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: visibilityS,
        MessageAttributeNames: ['All'],
      }),
    );
    if (!page.Messages?.length) return all;
    all.push(...page.Messages);
  }
}
