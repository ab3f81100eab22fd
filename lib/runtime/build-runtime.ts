/**
 * The composition root every entry point builds from: the Lambda functions
 * (`functions/{name}/build-deps.ts`) and the operator CLI (cli/commands/kms-deps.ts). It turns a
 * `Config` into the real parts (signed, rate-limited KMS client with its auth, the retry policy,
 * the logger, the DLQ publisher, the metrics settings; the ingest function's parts come from
 * `build-ingest-runtime.ts`, sharing the logger and SQS construction), so a new function is its own handler plus
 * the few lines that pick what it needs from a {@link Runtime}. Only here is I/O wired to the
 * pure decisions of lib/core.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from '../audit/create-logger.ts';
import type { Config } from '../config/load-config.ts';
import type { AliasApi } from '../core/ensure-alias.ts';
import type { TagApi } from '../core/ensure-tags.ts';
import type { KeyDeletionApi } from '../core/handle-key-deletion.ts';
import { createDlqPublisher, type DlqPublisher } from '../dlq/create-dlq-publisher.ts';
import { ConfigError } from '../errors/app-error.ts';
import type { KmsClient } from '../huawei/types.ts';
import { createAliasApi } from './create-alias-api.ts';
import { createKeyDeletionApi } from './create-key-deletion-api.ts';
import { createTagApi } from './create-tag-api.ts';
import { secretsOf } from './create-account-auths.ts';
import { createKmsFromConfig, type KmsFromConfigOptions } from './create-kms-from-config.ts';
import { createServiceLogger } from './create-service-logger.ts';
import { createRunOperationFactory, type RunOperationFactory } from './create-run-operation.ts';

/** What an entry point may change about the real parts; everything else comes from `Config`. */
export interface RuntimeOptions {
  /** Where log lines go (default stdout): the CLI sends them to stderr, tests collect them. */
  write?: (line: string) => void;
  /** An SQS client for the DLQ (the local runner and tests share their own). */
  sqsClient?: SQSClient;
  /** KMS client settings: calls per second, User-Agent, another HTTP transport. */
  kms?: KmsFromConfigOptions;
}

/** The real parts built from one `Config`. */
export interface Runtime {
  config: Config;
  /** JSON logger that masks every configured secret. */
  logger: Logger;
  /** The signed, rate-limited KMS client (no retries: compose `createRun`). */
  kms: KmsClient;
  /** The KMS operations the idempotent create needs, over `kms`. */
  aliasApi: AliasApi;
  /** The KMS tag calls the tag step needs, over `kms` (used only when TAG_TEMPLATE is set). */
  tagApi: TagApi;
  /** The KMS calls of a key deletion event (used only when ON_KEY_DELETION=release), over `kms`. */
  keyDeletionApi: KeyDeletionApi;
  /** The retry policy bound to a call meter and a deadline (remaining time minus DEADLINE_MARGIN_MS). */
  createRun: RunOperationFactory;
  /**
   * The DLQ publisher, built on first call (a function that publishes nothing, like reconcile,
   * needs no DLQ_URL). Throws a `ConfigError` when DLQ_URL is not set.
   */
  dlq: () => DlqPublisher;
  /** EMF namespace and Service dimension. */
  metrics: { namespace: string; service: string };
}

/**
 * Builds the {@link Runtime} of an entry point. Cheap and free of I/O itself: credentials from
 * Secrets Manager, the IAM token and the SQS client are fetched or loaded on first use.
 *
 * @throws Error when a configured endpoint is unsafe (plain http to a non-loopback host).
 */
export function buildRuntime(config: Config, options: RuntimeOptions = {}): Runtime {
  const logger = createServiceLogger({
    logLevel: config.logLevel,
    serviceName: config.serviceName,
    secrets: secretsOf(config),
    write: options.write,
  });
  const kms = createKmsFromConfig(config, options.kms);
  let dlq: DlqPublisher | undefined;
  return {
    config,
    logger,
    kms,
    aliasApi: createAliasApi(kms),
    tagApi: createTagApi(kms),
    keyDeletionApi: createKeyDeletionApi(kms),
    createRun: createRunOperationFactory(config, logger),
    dlq: () => {
      if (config.dlqUrl === '') throw new ConfigError('DLQ_URL is required to publish to the dead-letter queue');
      dlq ??= createDlqPublisher({
        queueUrl: config.dlqUrl,
        region: config.awsRegion,
        endpoint: config.sqsEndpoint,
        ...(options.sqsClient === undefined ? {} : { client: options.sqsClient }),
      });
      return dlq;
    },
    metrics: { namespace: config.metricsNamespace, service: config.serviceName },
  };
}
