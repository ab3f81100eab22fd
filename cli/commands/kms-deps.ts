import type { AliasApi, RunOperation } from '../../lib/core/ensure-alias.ts';
import type { TagApi } from '../../lib/core/ensure-tags.ts';
import type { CallMeter } from '../../lib/outcome/outcome.ts';
import type { KmsClient } from '../../lib/huawei/types.ts';
import { buildRuntime } from '../../lib/runtime/build-runtime.ts';
import type { CliIo } from '../cli-io.ts';
import type { OperatorTarget } from '../load-operator-config.ts';

/** Default KMS calls per second: half of KMS's 20 per user (docs/huawei-kms.md#rate-limits), the rest for the live function. */
export const DEFAULT_CLI_RATE = 10;
/** KMS's documented limit per user (docs/huawei-kms.md#rate-limits). */
export const KMS_TPS_LIMIT = 20;

export interface CliKmsDeps {
  kms: KmsClient;
  api: AliasApi;
  /** The tag calls (used with TAG_TEMPLATE set). */
  tagApi: TagApi;
  run: RunOperation;
  meter: CallMeter;
  rate: number;
}

/**
 * The same real client as the Lambda (signed, rate-limited, from `buildRuntime`) and the same
 * retry policy, without a deadline. Retry notes go to stderr at LOG_LEVEL=debug.
 */
export function createCliKmsDeps(target: OperatorTarget, io: CliIo, rateFlag: number | undefined): CliKmsDeps {
  const { config } = target;
  const envRate = io.env['KMS_RATE_LIMIT']?.trim();
  const rate = rateFlag ?? (envRate ? config.kmsRateLimit : DEFAULT_CLI_RATE);
  if (rate > KMS_TPS_LIMIT) {
    io.stderr.write(
      `warning: ${rate} calls/s is above KMS's ${KMS_TPS_LIMIT} per user; expect throttling (retried, but slower)\n`,
    );
  }
  const runtime = buildRuntime(config, {
    write: (line) => io.stderr.write(`${line}\n`),
    kms: {
      rateLimit: rate,
      userAgent: 'kms-auto-alias-cli',
      // Off Lambda there is no extension: an account's own secret is read with the AWS SDK.
      ...(io.env['AWS_LAMBDA_FUNCTION_NAME'] === undefined
        ? {
            readSecret: (source) =>
              import('../read-credentials-secret.ts').then((m) => m.readAccountSecretOffLambda(source)),
          }
        : {}),
    },
  });
  const meter: CallMeter = { apiCalls: 0, retries: 0 };
  const run = runtime.createRun(meter, () => Number.POSITIVE_INFINITY);
  return { kms: runtime.kms, api: runtime.aliasApi, tagApi: runtime.tagApi, run, meter, rate };
}
