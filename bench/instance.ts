// Parent side of bench/handler-process.ts: start an instance, invoke it with SQS records,
// collect its log lines.
import { fork } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { toSqsRecord } from '../test/support/sqs-records.ts';

export interface Invocation {
  result: SQSBatchResponse;
  /** The handler's own wall time, measured inside the instance. */
  wallMs: number;
  /** CPU time of the instance's process (all threads) during the invocation, µs. */
  cpuUs: number;
  /** The part of `cpuUs` spent in the kernel (socket and pipe writes, mostly), µs. */
  systemCpuUs: number;
  /** CPU time of its main (JavaScript) thread alone, µs. */
  threadCpuUs: number;
  /** The SQS message ids given to the records, in order. */
  messageIds: string[];
}

export interface Instance {
  /** Time the handler module took to import, and the process's age when it was ready. */
  initMs: number;
  readyMs: number;
  invoke(bodies: readonly string[], timeoutMs?: number): Promise<Invocation>;
  stop(): Promise<void>;
}

/** The instance's environment: exactly `env` plus PATH; never NODE_EXTRA_CA_CERTS or NODE_OPTIONS. */
export function childEnv(env: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? '', ...env };
}

export async function startInstance(
  handlerPath: string,
  env: Record<string, string>,
  onLine: (line: string) => void = () => undefined,
  /** Flags for the Node binary; only diagnostic instances get any (bench/jit-compile-time.ts). */
  execArgv: readonly string[] = [],
): Promise<Instance> {
  const child = fork(new URL('./handler-process.ts', import.meta.url), [handlerPath], {
    env: childEnv(env),
    execArgv: [...execArgv],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    if (stream !== null) createInterface({ input: stream }).on('line', onLine);
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<{ initMs: number; readyMs: number }>((resolve, reject) => {
    child.once('message', (m: { type: string; initMs: number; readyMs: number; message?: string }) =>
      m.type === 'ready' ? resolve(m) : reject(new Error(`cold start failed: ${m.message}`)),
    );
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`instance exited with ${code} before it was ready`)));
  });
  let next = 0;
  return {
    ...ready,
    invoke: (bodies, timeoutMs = 60_000) => {
      next += 1;
      const id = next;
      const records: SQSRecord[] = bodies.map((body) => toSqsRecord({ body }));
      return new Promise((resolve, reject) => {
        const onMessage = (m: { type: string; id: number; message?: string } & Omit<Invocation, 'messageIds'>) => {
          if (m.id !== id) return;
          child.off('message', onMessage);
          if (m.type === 'result') {
            resolve({
              result: m.result ?? { batchItemFailures: [] },
              wallMs: m.wallMs,
              cpuUs: m.cpuUs,
              systemCpuUs: m.systemCpuUs,
              threadCpuUs: m.threadCpuUs,
              messageIds: records.map((r) => r.messageId),
            });
          } else {
            reject(new Error(`invocation failed: ${m.message}`));
          }
        };
        child.on('message', onMessage);
        child.send({ id, event: { Records: records }, timeoutMs });
      });
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        if (child.connected) child.disconnect();
        const killer = setTimeout(() => child.kill(), 5_000);
        await exited;
        clearTimeout(killer);
      }
    },
  };
}
