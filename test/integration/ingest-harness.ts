import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Message, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { startHttpProxy, type HttpProxy } from '../../chaos/http-proxy.ts';
import { startLocalSqs, type LocalSqs } from '../support/start-sqs.ts';
import { createTestSigner, type TestSigner } from '../support/smn-test-signer.ts';

/**
 * What the ingest integration tests run against: fauxqs (the real SQS client talks to it through
 * a proxy that can fail SendMessage), a local "Huawei" HTTP server serving the signing
 * certificate and the subscription confirmation link, and a second "foreign" server that must
 * never be asked for anything.
 */
export const TOPIC = 'urn:smn:cn-north-4:0f3a8c1e5b7d4e2a9c6b8d0e1f2a3b4c:kms-key-events';
export const OTHER_TOPIC = 'urn:smn:cn-north-4:0f3a8c1e5b7d4e2a9c6b8d0e1f2a3b4c:someone-elses';
export const TOKEN = 'ingest-token-for-tests-7f3a9c1e5b';

export type Invoke = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

interface RecordingServer {
  url: string;
  requests: Array<{ method: string; path: string }>;
  server: Server;
}

export interface IngestWorld {
  sqs: LocalSqs;
  proxy: HttpProxy;
  /** Fail SendMessage through the proxy while true. */
  failSendMessage: { on: boolean; seen: number };
  huawei: RecordingServer;
  foreign: RecordingServer;
  signer: TestSigner;
  certUrl: string;
  env(extra?: Record<string, string>): Record<string, string>;
  receiveAll(): Promise<Message[]>;
  stop(): Promise<void>;
}

async function startRecordingServer(answer: (req: IncomingMessage) => [number, string]): Promise<RecordingServer> {
  const requests: Array<{ method: string; path: string }> = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '' });
    const [status, body] = answer(req);
    res.writeHead(status, { 'content-type': 'text/plain' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, server };
}

export async function startIngestWorld(): Promise<IngestWorld> {
  const signer = createTestSigner({ commonName: 'Huawei-Cloud-SMN-Test' });
  const sqs = await startLocalSqs('ingest-key-events');
  const failSendMessage = { on: false, seen: 0 };
  const proxy = await startHttpProxy({
    upstream: sqs.endpoint,
    decide: (request) => {
      if (String(request.headers['x-amz-target'] ?? '').endsWith('.SendMessage')) {
        failSendMessage.seen++;
        if (failSendMessage.on) {
          return {
            kind: 'status',
            status: 500,
            body: '{"__type":"com.amazonaws.sqs#InternalError","message":"injected"}',
            contentType: 'application/x-amz-json-1.0',
          };
        }
      }
      return { kind: 'forward' };
    },
  });
  const huawei = await startRecordingServer((req) =>
    req.url?.startsWith('/smn/SMN_cn-north-4') ? [200, signer.pem] : [200, 'confirmed'],
  );
  const foreign = await startRecordingServer(() => [200, createTestSigner().pem]);
  const host = new URL(huawei.url).host;
  const certUrl = `${huawei.url}/smn/SMN_cn-north-4_94f60ccdfbee4588aa4d555935a56ba3.pem`;
  const receiveAll = async () => {
    const all: Message[] = [];
    for (;;) {
      const page = await sqs.client.send(
        new ReceiveMessageCommand({
          QueueUrl: sqs.queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          VisibilityTimeout: 300,
          MessageAttributeNames: ['All'],
        }),
      );
      if (!page.Messages?.length) return all;
      all.push(...page.Messages);
    }
  };
  return {
    sqs,
    proxy,
    failSendMessage,
    huawei,
    foreign,
    signer,
    certUrl,
    env: (extra = {}) => ({
      KEY_EVENTS_QUEUE_URL: sqs.queueUrl,
      SQS_ENDPOINT: proxy.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      SMN_TOPIC_URNS: TOPIC,
      SMN_SIGNING_CERT_HOSTS: host,
      INGEST_TOKEN: TOKEN,
      SERVICE_NAME: 'kms-auto-alias-test',
      ...extra,
    }),
    receiveAll,
    stop: async () => {
      await proxy.stop();
      await sqs.stop();
      for (const s of [huawei, foreign]) await new Promise<void>((resolve) => s.server.close(() => resolve()));
    },
  };
}

/** A payload-v2 event as a Lambda function URL delivers it. */
export function httpEvent(options: {
  body?: string;
  headers?: Record<string, string>;
  method?: string;
  base64?: boolean;
}): APIGatewayProxyEventV2 {
  const body = options.body ?? '';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/',
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...options.headers },
    requestContext: {
      accountId: 'anonymous',
      apiId: 'test',
      domainName: 'test.lambda-url.eu-west-1.on.aws',
      domainPrefix: 'test',
      http: {
        method: options.method ?? 'POST',
        path: '/',
        protocol: 'HTTP/1.1',
        sourceIp: '203.0.113.9',
        userAgent: 'test',
      },
      requestId: `r-${Math.random().toString(16).slice(2)}`,
      routeKey: '$default',
      stage: '$default',
      time: '01/Dec/2026:00:00:00 +0000',
      timeEpoch: Date.now(),
    },
    body: options.base64 ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded: options.base64 === true,
  };
}

/** A signed SMN delivery (body and the headers SMN sends with it). */
export function smnDelivery(
  world: IngestWorld,
  fields: Record<string, string | undefined> = {},
  tamper: Record<string, unknown> = {},
): { body: string; headers: Record<string, string> } {
  const type = fields.type ?? 'Notification';
  const signed: Record<string, string | undefined> = {
    type,
    topic_urn: TOPIC,
    message_id: `m${Math.random().toString(16).slice(2)}`,
    message: JSON.stringify({
      service_type: 'KMS',
      resource_type: 'cmk',
      trace_name: 'createKey',
      code: 200,
      resource_id: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
    }),
    timestamp: '2026-12-01T09:43:44Z',
    signing_cert_url: world.certUrl,
    signature_version: 'v1',
    ...(type === 'Notification'
      ? { subject: 'KMS createKey', unsubscribe_url: 'https://console.huaweicloud.com/smn/subscription/unsubscribe' }
      : { subscribe_url: `${world.huawei.url}/smn/subscription/confirm?token=confirm-me&region=cn-north-4` }),
    ...fields,
  };
  const envelope: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(signed)) if (v !== undefined) envelope[k] = v;
  envelope.signature = world.signer.signEnvelope(signed);
  Object.assign(envelope, tamper);
  return {
    body: JSON.stringify(envelope),
    headers: {
      'content-type': 'text/plain; charset=UTF-8',
      'X-SMN-MESSAGE-TYPE': String(envelope.type),
      'X-SMN-MESSAGE-ID': String(envelope.message_id),
      'X-SMN-TOPIC-URN': String(envelope.topic_urn),
    },
  };
}
