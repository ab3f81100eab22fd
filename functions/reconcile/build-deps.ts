import { createLogger } from '../../lib/audit/create-logger.ts';
import type { Config } from '../../lib/config/load-config.ts';
import { createKmsFromConfig, secretsOf } from '../../lib/core/create-kms-from-config.ts';
import { createRunOperationFactory } from '../../lib/core/create-run-operation.ts';
import type { ReconcileFunctionDeps } from './app.ts';

/** Real dependencies from configuration: the rate-limited HTTP client, the retry policy, the logger. */
export function buildReconcileDeps(
  config: Config,
  overrides: { write?: (line: string) => void } = {},
): ReconcileFunctionDeps {
  const logger = createLogger({
    level: config.logLevel,
    service: config.serviceName,
    secrets: secretsOf(config),
    ...(overrides.write === undefined ? {} : { write: overrides.write }),
  });
  const createRun = createRunOperationFactory(config, logger);
  return {
    projects: config.projects,
    template: config.aliasTemplate,
    kms: createKmsFromConfig(config),
    createRun: (remainingMs) => createRun({ apiCalls: 0, retries: 0 }, remainingMs),
    logger,
    metrics: { namespace: config.metricsNamespace, service: config.serviceName },
  };
}
