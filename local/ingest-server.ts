import { createInterface } from 'node:readline';
import { Worker } from 'node:worker_threads';
import type { IngestRequestSeen } from './ingest-worker.ts';

export type { IngestRequestSeen };

export interface LocalIngestOptions {
  /** The built ingest bundle (`dist/ingest/handler.mjs`). */
  handlerPath: string;
  /** The function's environment (what serverless.yml sets). */
  env: Record<string, string>;
  functionName?: string;
  /** Every line the function writes (its JSON logs). */
  onLog?: (line: string) => void;
  onRequest?: (seen: IngestRequestSeen) => void;
}

export interface LocalIngest {
  /** `http://127.0.0.1:{port}/`: what a function URL is in the cloud. */
  url: string;
  /** Import time of the bundle (its cold start). */
  initMs: number;
  readonly requests: readonly IngestRequestSeen[];
  stop(): Promise<void>;
}

/**
 * The built ingest bundle behind a local HTTP server: each request becomes the payload-v2 event a
 * Lambda function URL would send (local/payload-v2-event.ts), and the handler's answer the response.
 */
export async function startLocalIngest(options: LocalIngestOptions): Promise<LocalIngest> {
  const requests: IngestRequestSeen[] = [];
  const worker = new Worker(new URL('./ingest-worker.ts', import.meta.url), {
    workerData: {
      handlerPath: options.handlerPath,
      functionName: options.functionName ?? 'kms-auto-alias-local-ingest',
    },
    env: { ...options.env },
    stdout: true,
    stderr: true,
  });
  for (const stream of [worker.stdout, worker.stderr]) {
    createInterface({ input: stream }).on('line', (line) => options.onLog?.(line));
  }
  const ready = await new Promise<{ url: string; initMs: number }>((resolve, reject) => {
    worker.on(
      'message',
      (m: { type: string; url?: string; initMs?: number; message?: string; seen?: IngestRequestSeen }) => {
        if (m.type === 'ready') resolve({ url: m.url ?? '', initMs: m.initMs ?? 0 });
        else if (m.type === 'init_error') reject(new Error(`ingest cold start failed: ${m.message}`));
        else if (m.type === 'request' && m.seen !== undefined) {
          requests.push(m.seen);
          options.onRequest?.(m.seen);
        }
      },
    );
    worker.once('error', reject);
  });
  return {
    ...ready,
    requests,
    stop: async () => {
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage({ type: 'stop' });
      const timer = setTimeout(() => void worker.terminate(), 2_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
