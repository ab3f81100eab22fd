// One Lambda "instance": a worker thread that imports the deployed bundle once (its cold start)
// and then takes invocations one at a time, as the Lambda runtime does. The runner terminates
// the thread to emulate a timeout or a crash: whatever the handler was doing stops mid-flight.
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import type { Context, SQSEvent } from 'aws-lambda';

type Handler = (event: SQSEvent, context: Context) => Promise<unknown>;
interface Invoke {
  id: number;
  event: SQSEvent;
  deadline: number;
  functionName: string;
}

const { handlerPath } = workerData as { handlerPath: string };
const port = parentPort;
if (port === null) throw new Error('lambda-worker must run in a worker thread');

let handler: Handler;
try {
  const started = performance.now();
  handler = ((await import(pathToFileURL(handlerPath).href)) as { handler: Handler }).handler;
  port.postMessage({ type: 'ready', initMs: performance.now() - started });
} catch (err) {
  port.postMessage({ type: 'init_error', message: (err as Error).message });
  process.exit(1);
}

port.on('message', async (message: Invoke) => {
  const context = {
    callbackWaitsForEmptyEventLoop: false,
    functionName: message.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${message.functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: `local-${message.id}`,
    logGroupName: `/aws/lambda/${message.functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, message.deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  } satisfies Context;
  try {
    const result = await handler(message.event, context);
    port.postMessage({ type: 'result', id: message.id, result });
  } catch (err) {
    port.postMessage({ type: 'error', id: message.id, message: (err as Error).message });
  }
});
