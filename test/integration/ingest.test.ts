import { afterAll, beforeAll, vi } from 'vitest';
import { createIngestHandler } from '../../functions/ingest/app.ts';
import { buildIngestDeps } from '../../functions/ingest/build-deps.ts';
import { loadIngestConfig } from '../../lib/config/ingest-config.ts';
import { createLambdaContext } from '../support/lambda-context.ts';
import { defineIngestCases } from './ingest-cases.ts';
import { type IngestWorld, startIngestWorld } from './ingest-harness.ts';

// The ingest sources (middy handler, real SQS client, real fetch) against fauxqs and local
// HTTP servers for SMN's certificate and confirmation link.

let world: IngestWorld;
beforeAll(async () => {
  world = await startIngestWorld();
});
afterAll(async () => world.stop());

defineIngestCases(
  'ingest handler (sources)',
  () => world,
  async (env) => {
    const lines: string[] = [];
    // The SDK's default credential chain reads the process environment.
    vi.stubEnv('AWS_ACCESS_KEY_ID', env.AWS_ACCESS_KEY_ID);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', env.AWS_SECRET_ACCESS_KEY);
    const handler = createIngestHandler(buildIngestDeps(loadIngestConfig(env), { write: (l) => lines.push(l) }));
    return { invoke: (event) => handler(event, createLambdaContext()), lines };
  },
);
