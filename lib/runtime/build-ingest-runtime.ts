/**
 * The composition root of the ingest function, beside {@link buildRuntime} for the KMS side: it
 * turns an `IngestConfig` into the real parts (the logger that masks the ingest token, the
 * key-events queue sender, the token source, the SMN signing-certificate source, the bounded
 * confirmation GET, the metrics settings). `functions/ingest/build-deps.ts` only picks from it.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from '../audit/create-logger.ts';
import { fetchAwsSecretText } from '../config/fetch-aws-secret.ts';
import type { IngestConfig } from '../config/ingest-config.ts';
import { createTokenSource, type ExpectedToken } from '../ingest/ingest-token-source.ts';
import { createSigningCertSource, type SigningCertSource } from '../ingest/signing-cert-source.ts';
import { createQueueSender, type QueueSender } from './create-queue-sender.ts';
import { createServiceLogger } from './create-service-logger.ts';

export interface IngestRuntimeOptions {
  /** Where log lines go (default stdout). */
  write?: (line: string) => void;
  /** An SQS client for the key-events queue (tests share theirs). */
  sqsClient?: SQSClient;
  fetch?: typeof fetch;
}

export interface IngestRuntime {
  config: IngestConfig;
  /** JSON logger that masks the ingest token when it is configured as a value. */
  logger: Logger;
  /** SendMessage to the key-events queue: a few quick SDK attempts, then the sender retries on our 5xx. */
  enqueue: QueueSender;
  /** The shared token: INGEST_TOKEN, or INGEST_TOKEN_SECRET_ID read once through Secrets Manager. */
  expectedToken: ExpectedToken;
  /** SMN signing certificates: the pinned one, or fetched over HTTPS and cached per instance. */
  certs: SigningCertSource;
  /** GET of a `subscribe_url` already checked against the allowed hosts; resolves with its status. */
  confirm(url: URL): Promise<number>;
  /** EMF namespace and Service dimension. */
  metrics: { namespace: string; service: string };
}

/** Upper bound on the confirmation GET: SMN's own delivery waits only a few seconds. */
const CONFIRM_TIMEOUT_MS = 5_000;

/** Builds the {@link IngestRuntime}; no I/O until the first request. */
export function buildIngestRuntime(config: IngestConfig, options: IngestRuntimeOptions = {}): IngestRuntime {
  const doFetch = options.fetch ?? fetch;
  return {
    config,
    logger: createServiceLogger({
      logLevel: config.logLevel,
      serviceName: config.serviceName,
      secrets: config.token.kind === 'value' ? [config.token.value] : [],
      write: options.write,
    }),
    enqueue: createQueueSender({
      queueUrl: config.queueUrl,
      region: config.awsRegion,
      endpoint: config.sqsEndpoint,
      ...(options.sqsClient === undefined ? {} : { client: options.sqsClient }),
    }),
    expectedToken: createTokenSource(config.token, {
      readSecret: (id) => fetchAwsSecretText({ source: 'secretsmanager', id, fetch: doFetch }),
    }),
    certs: createSigningCertSource({ pinnedPem: config.signingCertPem, fetch: doFetch }),
    async confirm(url) {
      // Redirects are refused: they could lead off Huawei's hosts.
      const response = await doFetch(url, { redirect: 'error', signal: AbortSignal.timeout(CONFIRM_TIMEOUT_MS) });
      await response.body?.cancel();
      return response.status;
    },
    metrics: { namespace: config.metricsNamespace, service: config.serviceName },
  };
}
