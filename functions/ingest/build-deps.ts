import type { IngestConfig } from '../../lib/config/ingest-config.ts';
import { createRecentIds } from '../../lib/ingest/recent-ids.ts';
import { buildIngestRuntime, type IngestRuntimeOptions } from '../../lib/runtime/build-ingest-runtime.ts';
import type { IngestDeps } from './app.ts';

export type IngestBuildOverrides = IngestRuntimeOptions;

/** Real dependencies from configuration: the shared ingest runtime plus this function's policy. */
export function buildIngestDeps(config: IngestConfig, overrides: IngestBuildOverrides = {}): IngestDeps {
  const { logger, enqueue, expectedToken, certs, confirm, metrics } = buildIngestRuntime(config, overrides);
  return {
    policy: {
      topics: config.topics,
      signingCertHosts: config.signingCertHosts,
      subscribeHosts: config.subscribeHosts,
      tokenConfigured: config.token.kind !== 'none',
      requireTokenOnSmn: config.requireTokenOnSmn,
    },
    expectedToken,
    certs,
    enqueue,
    confirm,
    recent: createRecentIds(),
    logger,
    metrics,
  };
}
