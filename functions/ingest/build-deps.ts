import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createLogger } from '../../lib/audit/create-logger.ts';
import { fetchAwsSecretText } from '../../lib/config/fetch-aws-secret.ts';
import type { IngestConfig } from '../../lib/config/ingest-config.ts';
import { createTokenSource } from '../../lib/ingest/ingest-token-source.ts';
import { createRecentIds } from '../../lib/ingest/recent-ids.ts';
import { createSigningCertSource } from '../../lib/ingest/signing-cert-source.ts';
import type { IngestDeps } from './app.ts';

export interface IngestBuildOverrides {
  /** Where log lines go (default stdout). */
  write?: (line: string) => void;
  /** An SQS client for the key-events queue (tests share theirs). */
  sqsClient?: SQSClient;
  fetch?: typeof fetch;
}

/** Upper bound on the confirmation GET: SMN's own delivery waits only a few seconds. */
const CONFIRM_TIMEOUT_MS = 5_000;

/**
 * Real dependencies from configuration. The SQS client is built at init (not lazily as the
 * queue handler's DLQ client is): SendMessage is this function's happy path.
 */
export function buildIngestDeps(config: IngestConfig, overrides: IngestBuildOverrides = {}): IngestDeps {
  const doFetch = overrides.fetch ?? fetch;
  const logger = createLogger({
    level: config.logLevel,
    service: config.serviceName,
    secrets: config.token.kind === 'value' ? [config.token.value] : [],
    ...(overrides.write === undefined ? {} : { write: overrides.write }),
  });
  const client =
    overrides.sqsClient ??
    new SQSClient({
      region: config.awsRegion,
      ...(config.sqsEndpoint === undefined ? {} : { endpoint: config.sqsEndpoint }),
      // A few quick attempts inside the invocation; after that the sender gets a 5xx and retries.
      maxAttempts: 3,
    });
  return {
    policy: {
      topics: config.topics,
      signingCertHosts: config.signingCertHosts,
      subscribeHosts: config.subscribeHosts,
      tokenConfigured: config.token.kind !== 'none',
      requireTokenOnSmn: config.requireTokenOnSmn,
    },
    expectedToken: createTokenSource(config.token, {
      readSecret: (id) => fetchAwsSecretText({ source: 'secretsmanager', id, fetch: doFetch }),
    }),
    certs: createSigningCertSource({ pinnedPem: config.signingCertPem, fetch: doFetch }),
    async enqueue(message) {
      const attributes = Object.fromEntries(
        Object.entries(message.attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
      );
      await client.send(
        new SendMessageCommand({ QueueUrl: config.queueUrl, MessageBody: message.body, MessageAttributes: attributes }),
        { abortSignal: AbortSignal.timeout(10_000) },
      );
    },
    async confirm(url) {
      // Redirects are refused: they could lead off Huawei's hosts.
      const response = await doFetch(url, { redirect: 'error', signal: AbortSignal.timeout(CONFIRM_TIMEOUT_MS) });
      await response.body?.cancel();
      return response.status;
    },
    recent: createRecentIds(),
    logger,
    metrics: { namespace: config.metricsNamespace, service: config.serviceName },
  };
}
