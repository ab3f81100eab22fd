// Worker of the ingest latency benchmark: imports the built ingest bundle once (its environment is
// this thread's), warms it (the signing certificate is fetched and cached on the first delivery),
// then alternates, pair by pair, one signed SMN delivery through the handler (verification +
// SendMessage) and one bare SendMessage of the same body to the same queue with its own client.
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

type Handler = (event: APIGatewayProxyEventV2, context: unknown) => Promise<APIGatewayProxyStructuredResultV2>;

interface Input {
  handlerPath: string;
  queueUrl: string;
  sqsEndpoint: string;
  /** Ready-made payload-v2 events, each a distinct signed delivery: warm-up first, then the measured ones. */
  events: APIGatewayProxyEventV2[];
  warmup: number;
  /** The message body a delivery puts on the queue (the trace), for the bare SendMessage. */
  body: string;
}

const input = workerData as Input;
const port = parentPort;
if (port === null) throw new Error('ingest-delivery-worker must run in a worker thread');
const { handler } = (await import(pathToFileURL(input.handlerPath).href)) as { handler: Handler };
const bare = new SQSClient({
  region: 'us-east-1',
  endpoint: input.sqsEndpoint,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  maxAttempts: 3,
});
const sendBare = () => bare.send(new SendMessageCommand({ QueueUrl: input.queueUrl, MessageBody: input.body }));

const ingestMs: number[] = [];
const bareMs: number[] = [];
for (const [i, event] of input.events.entries()) {
  const measured = i >= input.warmup;
  // Alternate which goes first, so neither always follows the other.
  const order = i % 2 === 0 ? (['ingest', 'bare'] as const) : (['bare', 'ingest'] as const);
  for (const which of order) {
    const t0 = performance.now();
    if (which === 'ingest') {
      const result = await handler(event, {});
      if (result.statusCode !== 200) throw new Error(`delivery ${i} answered ${result.statusCode} ${result.body}`);
    } else {
      await sendBare();
    }
    const ms = performance.now() - t0;
    if (measured) (which === 'ingest' ? ingestMs : bareMs).push(ms);
  }
}
bare.destroy();
port.postMessage({ ingestMs, bareMs });
