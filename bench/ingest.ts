// Ingest figures (issue 11): start-up of the built ingest bundle above an empty ES module (the
// cold-start method: a fresh process per sample, alternating order), and the latency a delivery
// adds to a bare SendMessage: a signed SMN Notification through the handler (signature
// verification with the certificate cached, then SendMessage) against a SendMessage of the same
// body to the same fauxqs queue, paired in the same worker, at p50 and p99 of each run.
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
// @ts-expect-error: a plain .mjs build script without type declarations
import { buildIngestHandler } from '../scripts/build.mjs';
import { createTestSigner } from '../test/support/smn-test-signer.ts';
import { startLocalSqs } from '../test/support/start-sqs.ts';
import { childEnv } from './instance.ts';
import { type Figure, spread } from './stats.ts';

const run = promisify(execFile);

const TOPIC = 'urn:smn:cn-north-4:0f3a8c1e5b7d4e2a9c6b8d0e1f2a3b4c:kms-auto-alias-key-events';

/** What the deployed ingest's environment holds at init (no network is touched at init). */
const INIT_ENV = {
  KEY_EVENTS_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/kms-key-events',
  AWS_REGION: 'us-east-1',
  SMN_TOPIC_URNS: TOPIC,
  INGEST_TOKEN_SECRET_ID: 'kms-auto-alias/ingest-token',
  SERVICE_NAME: 'kms-auto-alias-bench',
};

export interface IngestBenchResult {
  figures: Figure[];
  detail: Record<string, unknown>;
}

const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};

export async function benchIngest(options: {
  rounds: number;
  runs: number;
  deliveries: number;
  warmup: number;
  outdir: string;
}): Promise<IngestBenchResult> {
  const built = (await buildIngestHandler({ outdir: join(options.outdir, 'ingest'), quiet: true })) as {
    handler: string;
    entry: { bytes: number; gzip: number };
  };
  const group = 'ingest';

  // 1. Start-up above an empty module.
  const emptyDir = join(options.outdir, 'empty');
  mkdirSync(emptyDir, { recursive: true });
  const empty = join(emptyDir, 'empty.mjs');
  writeFileSync(empty, 'export {};\n');
  const probe = new URL('./cold-start-probe.mjs', import.meta.url).pathname;
  const env = childEnv(INIT_ENV);
  const start = async (module: string, check: string) => {
    const { stdout } = await run(process.execPath, [probe, module, check], { env });
    return JSON.parse(stdout) as { readyMs: number; cpuMs: number };
  };
  for (let i = 0; i < 2; i++) {
    await start(empty, 'none');
    await start(built.handler, 'handler');
  }
  const above: number[] = [];
  const cpuAbove: number[] = [];
  const emptyMs: number[] = [];
  const ready: number[] = [];
  for (let round = 0; round < options.rounds; round++) {
    const first = round % 2 === 0;
    const a = first ? await start(empty, 'none') : undefined;
    const r = await start(built.handler, 'handler');
    const e = a ?? (await start(empty, 'none'));
    above.push(r.readyMs - e.readyMs);
    cpuAbove.push(r.cpuMs - e.cpuMs);
    emptyMs.push(e.readyMs);
    ready.push(r.readyMs);
  }

  // 2. Added latency per delivery.
  const signer = createTestSigner({ commonName: 'Huawei-Cloud-SMN-Bench' });
  const certServer = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(signer.pem));
  await new Promise<void>((resolve) => certServer.listen(0, '127.0.0.1', resolve));
  const certHost = `127.0.0.1:${(certServer.address() as AddressInfo).port}`;
  const sqs = await startLocalSqs('bench-ingest');
  const trace = JSON.stringify({
    trace_id: '5d5e6f70-0000-4000-8000-000000000001',
    service_type: 'KMS',
    resource_type: 'cmk',
    trace_name: 'createKey',
    code: '200',
    resource_id: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
    resource_name: 'payments-db',
    project_id: '0f3a8c1e5b7d4e2a9c6b8d0e1f2a3b4c',
    time: 1764582224000,
  });
  const delivery = (n: number): APIGatewayProxyEventV2 => {
    const fields = {
      type: 'Notification',
      topic_urn: TOPIC,
      message_id: `bench${n.toString(16).padStart(27, '0')}`,
      message: trace,
      subject: 'CTS key event: KMS createKey',
      timestamp: new Date().toISOString(),
      signing_cert_url: `http://${certHost}/smn/SMN_cn-north-4_bench.pem`,
      signature_version: 'v1',
      unsubscribe_url: 'https://console.huaweicloud.com/smn/subscription/unsubscribe',
    };
    const body = JSON.stringify({ ...fields, signature: signer.signEnvelope(fields) });
    return {
      version: '2.0',
      routeKey: '$default',
      rawPath: '/',
      rawQueryString: '',
      headers: { 'content-type': 'text/plain; charset=UTF-8', 'x-smn-message-type': 'Notification' },
      requestContext: {
        accountId: 'anonymous',
        apiId: 'bench',
        domainName: 'bench.lambda-url.us-east-1.on.aws',
        domainPrefix: 'bench',
        http: { method: 'POST', path: '/', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
        requestId: `r${n}`,
        routeKey: '$default',
        stage: '$default',
        time: '01/Dec/2026:00:00:00 +0000',
        timeEpoch: Date.now(),
      },
      body,
      isBase64Encoded: false,
    };
  };
  const p50: { ingest: number[]; bare: number[]; added: number[]; ratio: number[] } = {
    ingest: [],
    bare: [],
    added: [],
    ratio: [],
  };
  const p99: typeof p50 = { ingest: [], bare: [], added: [], ratio: [] };
  let next = 0;
  try {
    for (let r = 0; r < options.runs; r++) {
      const events = Array.from({ length: options.warmup + options.deliveries }, () => delivery(next++));
      const worker = new Worker(new URL('./ingest-delivery-worker.ts', import.meta.url), {
        workerData: {
          handlerPath: built.handler,
          queueUrl: sqs.queueUrl,
          sqsEndpoint: sqs.endpoint,
          events,
          warmup: options.warmup,
          body: trace,
        },
        env: {
          KEY_EVENTS_QUEUE_URL: sqs.queueUrl,
          SQS_ENDPOINT: sqs.endpoint,
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'local',
          AWS_SECRET_ACCESS_KEY: 'local',
          SMN_TOPIC_URNS: TOPIC,
          SMN_SIGNING_CERT_HOSTS: certHost,
          SERVICE_NAME: 'kms-auto-alias-bench',
          // The per-delivery log line is part of the cost; it goes to this thread's stdout, read and dropped.
          LOG_LEVEL: 'info',
        },
        stdout: true,
      });
      worker.stdout.resume();
      const { ingestMs, bareMs } = await new Promise<{ ingestMs: number[]; bareMs: number[] }>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      await worker.terminate();
      for (const [p, into] of [
        [50, p50],
        [99, p99],
      ] as const) {
        const i = percentile(ingestMs, p);
        const b = percentile(bareMs, p);
        into.ingest.push(i);
        into.bare.push(b);
        into.added.push(i - b);
        into.ratio.push(i / b);
      }
    }
  } finally {
    await sqs.stop();
    await new Promise<void>((resolve) => certServer.close(() => resolve()));
  }

  const figures: Figure[] = [
    {
      group,
      name: 'bundle (ingest/handler.mjs), gzipped',
      unit: 'KiB',
      value: spread([built.entry.gzip / 1024]),
      note: `minified ${(built.entry.bytes / 1024).toFixed(0)} KiB`,
    },
    {
      group,
      name: 'start-up above an empty module (time to ready)',
      unit: 'ms',
      value: spread(above),
      baseline: { name: 'empty ES module', value: spread(emptyMs) },
      note: `ingest − empty per round, a fresh process each; ingest ready at ${spread(ready).median.toFixed(1)} ms`,
    },
    {
      group,
      name: '  the same in CPU time at ready',
      unit: 'ms',
      value: spread(cpuAbove),
      note: 'CPU time moves less than wall time on a loaded machine',
    },
  ];
  for (const [p, s] of [
    ['p50', p50],
    ['p99', p99],
  ] as const) {
    figures.push(
      {
        group,
        name: `delivery → on the queue, ${p}`,
        unit: 'ms',
        value: spread(s.ingest),
        baseline: { name: 'bare SendMessage', value: spread(s.bare) },
        ratio: spread(s.ratio),
        note: `per run of ${options.deliveries} paired deliveries: signature verification (certificate cached) + SendMessage + log line`,
      },
      {
        group,
        name: `  added latency per delivery, ${p}`,
        unit: 'ms',
        value: spread(s.added),
        note: `ingest ${p} − bare SendMessage ${p}, per run`,
      },
    );
  }
  return {
    figures,
    detail: {
      rounds: options.rounds,
      runs: options.runs,
      deliveriesPerRun: options.deliveries,
      startUp: {
        aboveEmptyMs: spread(above),
        cpuAboveEmptyMs: spread(cpuAbove),
        readyMs: spread(ready),
        emptyMs: spread(emptyMs),
      },
      p50,
      p99,
      bundle: built.entry,
    },
  };
}
