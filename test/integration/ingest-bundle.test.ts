import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
// @ts-expect-error: a plain .mjs build script without type declarations
import { buildIngestHandler } from '../../scripts/build.mjs';
import { createLambdaContext } from '../support/lambda-context.ts';
import { collectLogLine } from '../setup/secret-scan.ts';
import { defineIngestCases } from './ingest-cases.ts';
import { type IngestWorld, type Invoke, startIngestWorld, TOPIC } from './ingest-harness.ts';

// The same cases through the deployed artifact, dist/ingest/handler.mjs as `npm run build`
// makes it: catches what only bundling breaks (the SDK's dynamic require on first send()).

let world: IngestWorld;
let handlerPath: string;
let lines: string[] = [];

beforeAll(async () => {
  world = await startIngestWorld();
  const built = await buildIngestHandler({ outdir: 'dist/test-bundle/ingest', quiet: true });
  handlerPath = built.handler;
}, 60_000);
afterAll(async () => world.stop());

async function loadBundle(env: Record<string, string>): Promise<Invoke> {
  vi.unstubAllEnvs();
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  // A fresh module instance per load, as a new Lambda instance would have.
  const mod = (await import(`${pathToFileURL(handlerPath).href}?instance=${Math.random()}`)) as { handler: Invoke };
  return mod.handler;
}

/** Collects the bundle's stdout lines for one invocation, and hands them to the secret scan. */
function capturing(handler: Invoke, into: string[]): Invoke {
  return async (event) => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      for (const line of String(chunk)
        .split('\n')
        .filter((l) => l !== '')) {
        into.push(line);
        collectLogLine(line, 'ingest-bundle-stdout');
      }
      return true;
    });
    try {
      return await (handler as (e: typeof event, c: unknown) => ReturnType<Invoke>)(event, createLambdaContext());
    } finally {
      write.mockRestore();
    }
  };
}

defineIngestCases(
  'ingest handler (built bundle)',
  () => world,
  async (env) => {
    lines = [];
    const own: string[] = lines;
    return { invoke: capturing(await loadBundle(env), own), lines: own };
  },
);

describe('the built ingest bundle', () => {
  it('exports handler and fails at cold start naming the variable', async () => {
    await expect(loadBundle({ ...world.env(), SMN_TOPIC_URNS: 'nope' })).rejects.toThrow(/SMN_TOPIC_URNS/);
    await expect(loadBundle({ ...world.env(), KEY_EVENTS_QUEUE_URL: 'http://sqs.example.com/q' })).rejects.toThrow(
      /KEY_EVENTS_QUEUE_URL/,
    );
    expect(typeof (await loadBundle(world.env({ SMN_TOPIC_URNS: TOPIC })))).toBe('function');
  });
});
