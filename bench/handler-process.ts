// One Lambda instance for the benchmarks: a child process (the Node 24 binary, as Lambda's
// runtime is one process per instance) that imports a handler module once and takes
// invocations one at a time over IPC. For each it reports the handler's wall time and the CPU
// time it cost: the whole process's (every thread: JavaScript, garbage collector helpers) and
// the main thread's alone. Log lines go to stdout, a pipe, as on Lambda. The emulator runs in
// the parent, so its CPU never counts here.
import { pathToFileURL } from 'node:url';
import type { Context, SQSEvent } from 'aws-lambda';

type Handler = (event: SQSEvent, context: Context) => Promise<unknown>;
interface Invoke {
  id: number;
  event: SQSEvent;
  timeoutMs: number;
}

const send = (message: unknown) => process.send?.(message);
if (process.send === undefined) throw new Error('handler-process must run with an IPC channel');
// The parent disconnects to stop the instance: exit normally (so --cpu-prof and the like can finish).
process.once('disconnect', () => process.exit(0));

const processCpu = () => process.cpuUsage();
const threadCpuUs = () => {
  const u = process.threadCpuUsage();
  return u.user + u.system;
};

const handlerPath = process.argv[2] ?? '';
let handler: Handler;
try {
  const started = performance.now();
  handler = ((await import(pathToFileURL(handlerPath).href)) as { handler: Handler }).handler;
  send({ type: 'ready', initMs: performance.now() - started, readyMs: performance.now() });
} catch (err) {
  send({ type: 'init_error', message: (err as Error).message });
  process.exit(1);
}

process.on('message', async (message: Invoke) => {
  const deadline = Date.now() + message.timeoutMs;
  const context = {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'kms-auto-alias-bench',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:kms-auto-alias-bench',
    memoryLimitInMB: '256',
    awsRequestId: `bench-${message.id}`,
    logGroupName: '/aws/lambda/kms-auto-alias-bench',
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  } satisfies Context;
  const cpu = processCpu();
  const thread = threadCpuUs();
  const started = performance.now();
  try {
    const result = await handler(message.event, context);
    const wallMs = performance.now() - started;
    const used = process.cpuUsage(cpu);
    send({
      type: 'result',
      id: message.id,
      result,
      wallMs,
      cpuUs: used.user + used.system,
      systemCpuUs: used.system,
      threadCpuUs: threadCpuUs() - thread,
    });
  } catch (err) {
    send({ type: 'error', id: message.id, message: (err as Error).message });
  }
});
