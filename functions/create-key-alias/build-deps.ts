import type { SQSClient } from '@aws-sdk/client-sqs';
import { createLogger } from '../../lib/audit/create-logger.ts';
import type { Config } from '../../lib/config/load-config.ts';
import { createAliasApi } from '../../lib/core/create-alias-api.ts';
import { createKmsFromConfig, secretsOf } from '../../lib/core/create-kms-from-config.ts';
import { createRunOperationFactory } from '../../lib/core/create-run-operation.ts';
import type { BatchDeps } from '../../lib/core/process-batch.ts';
import { createDlqPublisher } from '../../lib/dlq/create-dlq-publisher.ts';

export interface BuildOverrides {
  /** Where log lines go (default stdout); the local runner and tests collect them. */
  write?: (line: string) => void;
  /** An SQS client for the DLQ (the local runner shares its own). */
  sqsClient?: SQSClient;
}

/** Real dependencies from configuration: HTTP client, retry policy, DLQ publisher, logger. */
export function buildDeps(config: Config, overrides: BuildOverrides = {}): BatchDeps {
  const logger = createLogger({
    level: config.logLevel,
    service: config.serviceName,
    secrets: secretsOf(config),
    ...(overrides.write === undefined ? {} : { write: overrides.write }),
  });
  return {
    projects: config.projects,
    template: config.aliasTemplate,
    templateSource: config.aliasTemplateSource,
    dryRun: config.dryRun,
    maxReceiveCount: config.maxReceiveCount,
    concurrency: config.concurrency,
    api: createAliasApi(createKmsFromConfig(config)),
    createRun: createRunOperationFactory(config, logger),
    dlq: createDlqPublisher({
      queueUrl: config.dlqUrl,
      region: config.awsRegion,
      endpoint: config.sqsEndpoint,
      ...(overrides.sqsClient === undefined ? {} : { client: overrides.sqsClient }),
    }),
    deadlineMarginMs: config.deadlineMarginMs,
    logger,
    metrics: { namespace: config.metricsNamespace, service: config.serviceName },
  };
}
