// The built ingest bundle behind a local HTTP server, in a worker thread of its own so the
// bundle reads the environment it is given (as Lambda's `process.env`) and keeps its module
// state (cached certificate, recent message ids) between requests, as one warm instance does.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { fromStructuredResult, toPayloadV2Event } from './payload-v2-event.ts';

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/** One request as the worker saw it, for the local run's per-hop summary. */
export interface IngestRequestSeen {
  method: string;
  smnType: string | undefined;
  smnMessageId: string | undefined;
  /** The request body (the summary reads the key id from it); never printed. */
  body: string;
  status: number;
  reason: string | undefined;
  ms: number;
}

const { handlerPath, functionName } = workerData as { handlerPath: string; functionName: string };
const port = parentPort;
if (port === null) throw new Error('ingest-worker must run in a worker thread');

let handler: Handler;
const started = performance.now();
try {
  handler = ((await import(pathToFileURL(handlerPath).href)) as { handler: Handler }).handler;
} catch (err) {
  port.postMessage({ type: 'init_error', message: (err as Error).message });
  process.exit(1);
}
const initMs = performance.now() - started;

let invocation = 0;
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', async () => {
    const begin = performance.now();
    const body = Buffer.concat(chunks);
    const event = toPayloadV2Event({
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      body,
      sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
    });
    invocation += 1;
    let answer: ReturnType<typeof fromStructuredResult>;
    try {
      answer = fromStructuredResult(await handler(event, contextFor(invocation)));
    } catch (err) {
      // A function URL answers 502 when the function fails.
      console.error(JSON.stringify({ level: 'ERROR', message: 'invocation failed', error: (err as Error).message }));
      answer = {
        status: 502,
        headers: { 'content-type': 'application/json' },
        body: Buffer.from('{"message":"Internal Server Error"}'),
      };
    }
    res.writeHead(answer.status, answer.headers).end(answer.body);
    const seen: IngestRequestSeen = {
      method: req.method ?? 'GET',
      smnType: header(req.headers['x-smn-message-type']),
      smnMessageId: header(req.headers['x-smn-message-id']),
      body: body.toString('utf8'),
      status: answer.status,
      reason: reasonOf(answer.body),
      ms: performance.now() - begin,
    };
    port.postMessage({ type: 'request', seen });
  });
});
server.listen(0, '127.0.0.1', () => {
  const { port: listening } = server.address() as AddressInfo;
  port.postMessage({ type: 'ready', url: `http://127.0.0.1:${listening}/`, initMs });
});
port.on('message', (m: { type: string }) => {
  if (m.type === 'stop') server.close(() => process.exit(0));
});

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function reasonOf(body: Buffer): string | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { reason?: unknown };
    return typeof parsed.reason === 'string' ? parsed.reason : undefined;
  } catch {
    return undefined;
  }
}

function contextFor(id: number): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: `local-ingest-${id}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
