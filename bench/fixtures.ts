// Inputs shared by the benchmarks: message bodies for new keys in every sample shape, the
// function's environment against the emulator, and seeding the emulator with those keys.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KmsEmulator } from '../emulator/kms-emulator.ts';
import { normaliseEvent } from '../lib/events/normalise-event.ts';
import { LOCAL_ACCOUNT } from '../test/support/local-account.ts';
import { createAnnouncedKey } from '../test/support/create-announced-key.ts';

const EVENTS_DIR = join(import.meta.dirname, '..', 'events');

interface Sample {
  name: string;
  body: string;
  keyId: string;
}

/** The sample bodies of `events/` (every supported shape, envelopes included) with their key ids. */
function loadSamples(): Sample[] {
  return readdirSync(EVENTS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((name) => {
      const body = readFileSync(join(EVENTS_DIR, name), 'utf8');
      const result = normaliseEvent(body);
      if (result.kind !== 'key_created') throw new Error(`events/${name} is not a key-created event`);
      return { name, body, keyId: result.event.key_id };
    });
}

let samples: Sample[] | undefined;

/**
 * A key id that matches Huawei's pattern and no sample's: `<n in hex>-<tag>-4b3e-8000-000000000000`.
 * The number comes first because the default template keeps the first 8 characters
 * (`{key_id|short}`): two keys must differ there to get different aliases.
 */
export function benchKeyId(tag: string, n: number): string {
  const group = tag
    .toLowerCase()
    .replace(/[^0-9a-z]/g, '')
    .padEnd(4, '0')
    .slice(0, 4);
  return `${n.toString(16).padStart(8, '0')}-${group}-4b3e-8000-000000000000`;
}

/**
 * `count` bodies, each announcing a different new key, cycling through the sample shapes (bare
 * CTS trace, FunctionGraph trigger, EventGrid, SNS- and EventBridge-wrapped, canonical): the
 * realistic mix of what the queue receives. Only the key id differs from the sample.
 */
export function newKeyBodies(
  tag: string,
  count: number,
  offset = 0,
  /** Only these sample files (`cts-create-key.json`...), e.g. the shapes an older commit reads. */
  only?: readonly string[],
): Array<{ keyId: string; body: string }> {
  samples ??= loadSamples();
  const all = only === undefined ? samples : samples.filter((s) => only.includes(s.name));
  if (all.length === 0) throw new Error('newKeyBodies: no sample shape left to send');
  return Array.from({ length: count }, (_, i) => {
    const sample = all[(offset + i) % all.length]!;
    const keyId = benchKeyId(tag, offset + i);
    return { keyId, body: sample.body.replaceAll(sample.keyId, keyId) };
  });
}

/** Creates, in the emulator, the key each body announces (as CreateKey would have). */
export function seedKeys(emulator: KmsEmulator, bodies: ReadonlyArray<{ body: string }>): void {
  for (const { body } of bodies) {
    const result = normaliseEvent(body);
    if (result.kind !== 'key_created') throw new Error('not a key-created body');
    createAnnouncedKey(emulator, result.event);
  }
}

/**
 * The function's environment against the emulator: what serverless.yml sets, with the local
 * account's AK/SK. CONCURRENCY and KMS_RATE_LIMIT stay at their defaults unless `extra` says.
 */
export function functionEnv(
  s: { kmsUrl: string; dlqUrl: string; sqsEndpoint: string },
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    HUAWEICLOUD_REGION: LOCAL_ACCOUNT.region,
    HUAWEICLOUD_PROJECT_ID: LOCAL_ACCOUNT.projectId,
    HUAWEICLOUD_SDK_AK: LOCAL_ACCOUNT.ak,
    HUAWEICLOUD_SDK_SK: LOCAL_ACCOUNT.sk,
    KMS_ENDPOINT: s.kmsUrl,
    IAM_ENDPOINT: s.kmsUrl,
    DLQ_URL: s.dlqUrl,
    SQS_ENDPOINT: s.sqsEndpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    ...extra,
  };
}
