import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { startKmsEmulator, type KmsEmulator, type KmsEmulatorOptions } from '../../emulator/kms-emulator.ts';
import { normaliseEvent } from '../../lib/events/normalise-event.ts';
import { LOCAL_ACCOUNT, LOCAL_EMULATOR_ACCOUNT } from './local-account.ts';
import { startLocalSqs, type LocalSqs } from './start-sqs.ts';
import { createAnnouncedKey } from './create-announced-key.ts';

export interface Stack {
  emulator: KmsEmulator;
  sqs: LocalSqs;
  /** The handler's environment: emulator endpoint, local AK/SK, fauxqs DLQ, fast retries. */
  env(extra?: Record<string, string>): Record<string, string>;
  /** Creates, in the emulator, the key each body announces (same id, name and spec). */
  seedKeysFor(bodies: readonly string[], opts?: { visibleAfterMs?: number }): void;
  stop(): Promise<void>;
}

export async function startStack(options: KmsEmulatorOptions = {}): Promise<Stack> {
  const emulator = await startKmsEmulator({ accounts: [LOCAL_EMULATOR_ACCOUNT], ...options });
  const sqs = await startLocalSqs();
  return {
    emulator,
    sqs,
    env: (extra = {}) => ({
      HUAWEICLOUD_REGION: LOCAL_ACCOUNT.region,
      HUAWEICLOUD_PROJECT_ID: LOCAL_ACCOUNT.projectId,
      HUAWEICLOUD_SDK_AK: LOCAL_ACCOUNT.ak,
      HUAWEICLOUD_SDK_SK: LOCAL_ACCOUNT.sk,
      KMS_ENDPOINT: emulator.url,
      IAM_ENDPOINT: emulator.url,
      DLQ_URL: sqs.dlqUrl,
      SQS_ENDPOINT: sqs.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      ALIAS_TEMPLATE: 'alias/{env}/{key_alias|slug}-{key_spec|lower}',
      ALIAS_VAR_ENV: 'test',
      RETRY_MIN_DELAY_MS: '1',
      RETRY_MAX_DELAY_MS: '5',
      RETRY_THROTTLE_MIN_DELAY_MS: '1',
      REQUEST_TIMEOUT_MS: '1000',
      DEADLINE_MARGIN_MS: '500',
      ...extra,
    }),
    seedKeysFor: (bodies, opts = {}) => {
      for (const body of bodies) {
        const result = normaliseEvent(body);
        if (result.kind !== 'key_created') continue;
        createAnnouncedKey(
          emulator,
          result.event,
          opts.visibleAfterMs === undefined ? {} : { visibleAfterMs: opts.visibleAfterMs },
        );
      }
    },
    stop: async () => {
      await emulator.stop();
      await sqs.stop();
    },
  };
}

/** Parses collected log lines and returns the audit records. */
export function auditRecords(lines: readonly string[]): Array<Record<string, unknown>> {
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => r.log_type === 'audit');
}

export function failedIds(response: SQSBatchResponse | undefined | void): string[] {
  return (response?.batchItemFailures ?? []).map((f) => f.itemIdentifier);
}

export type { SQSRecord };
