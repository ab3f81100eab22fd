import { describe, expect, it } from 'vitest';
import type { AliasTarget, EnsureResult } from '../../../lib/core/ensure-alias.ts';
import { processMessage } from '../../../lib/core/process-message.ts';
import { KmsApiError } from '../../../lib/errors/huawei-errors.ts';
import { compileAliasTemplate } from '../../../lib/naming/compile-alias-template.ts';

// The per-message decision for keys that createKey alone does not describe: a key made for
// imported material (createKey, origin external, pending import until importKeyMaterial) and a
// replica (replicateKey). Plain values; `ensure` stands in for KMS.

const SOURCE_PROJECT = '0f3a8c1e5b7d4e2a9c6b8d0e1f2a3b4c';
const REPLICA_PROJECT = '9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b';
const KEY = '4f2b9c1d-7a3e-4c58-9b6d-2e8f0a1c3d5e';
const REPLICA_KEY = '8a1c3e5f-2b4d-4f6a-8c0e-1d3f5a7b9c2e';
const PROJECTS = new Map([
  [SOURCE_PROJECT, 'cn-north-4'],
  [REPLICA_PROJECT, 'cn-east-3'],
]);

function compiled() {
  const template = compileAliasTemplate('alias/{key_alias|slug}', {});
  if (!template.ok) throw new Error(template.reason);
  return template.template;
}

function run(body: unknown, ensure: (target: AliasTarget) => Promise<EnsureResult>) {
  const targets: AliasTarget[] = [];
  const result = processMessage(JSON.stringify(body), {
    projects: PROJECTS,
    template: compiled(),
    dryRun: false,
    ensure: (target) => {
      targets.push(target);
      return ensure(target);
    },
  });
  return { result, targets };
}

const externalCreateKey = {
  service_type: 'KMS',
  trace_name: 'createKey',
  resource_type: 'cmk',
  code: 200,
  project_id: SOURCE_PROJECT,
  request: { key_alias: 'byok-payments', origin: 'external' },
  response: { key_info: { key_id: KEY, region_id: 'cn-north-4' } },
};

describe('processMessage() for imported-material keys', () => {
  // Whether KMS aliases a key still pending import is unverified: both readings are handled.
  it('aliases the key at its createKey when KMS accepts an alias on a pending-import key', async () => {
    const { result, targets } = run(externalCreateKey, async () => ({ status: 'created', requestId: undefined }));
    expect((await result).outcome).toEqual({ kind: 'created', alias: 'alias/byok-payments' });
    expect(targets).toEqual([
      { region: 'cn-north-4', projectId: SOURCE_PROJECT, keyId: KEY, alias: 'alias/byok-payments' },
    ]);
  });

  it('sends it to the DLQ with KMS’s reason when KMS refuses an alias on a pending-import key', async () => {
    const refusal = new KmsApiError('createAlias failed: HTTP 400 KMS.0308', {
      code: 'KMS_REJECTED',
      retry: false,
      status: 400,
    });
    const { result } = run(externalCreateKey, async () => {
      throw refusal;
    });
    expect((await result).outcome).toMatchObject({
      kind: 'failed',
      alias: 'alias/byok-payments',
      retryable: false,
      reason: 'kms_rejected',
    });
  });
});

describe('processMessage() for replicas', () => {
  const replicate = (request: Record<string, unknown>) => ({
    service_type: 'KMS',
    trace_name: 'replicateKey',
    code: '200',
    project_id: SOURCE_PROJECT,
    request: JSON.stringify({ key_id: KEY, replica_region: 'cn-east-3', key_alias: 'byok-east', ...request }),
    response: JSON.stringify({ key_id: REPLICA_KEY, region: 'cn-east-3' }),
  });

  it('targets the replica’s region and project', async () => {
    const { result, targets } = run(replicate({ replica_project_id: REPLICA_PROJECT }), async () => ({
      status: 'created',
      requestId: undefined,
    }));
    expect((await result).outcome.kind).toBe('created');
    expect(targets).toEqual([
      { region: 'cn-east-3', projectId: REPLICA_PROJECT, keyId: REPLICA_KEY, alias: 'alias/byok-east' },
    ]);
  });

  it('resolves a missing replica project through the configured map', async () => {
    const { result, targets } = run(replicate({}), async () => ({ status: 'created', requestId: undefined }));
    expect((await result).outcome.kind).toBe('created');
    expect(targets[0]?.projectId).toBe(REPLICA_PROJECT);
  });

  it('skips a replica whose project is configured for another region (never aliases across regions)', async () => {
    const { result, targets } = run(replicate({ replica_project_id: SOURCE_PROJECT }), async () => ({
      status: 'created',
      requestId: undefined,
    }));
    expect((await result).outcome).toMatchObject({ kind: 'invalid', reason: 'region_mismatch' });
    expect(targets).toEqual([]);
  });

  it('skips a replica in a project outside the map', async () => {
    const { result, targets } = run(
      replicate({ replica_project_id: '1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d' }),
      async () => ({ status: 'created', requestId: undefined }),
    );
    expect((await result).outcome).toMatchObject({ kind: 'skipped', reason: 'project_not_configured' });
    expect(targets).toEqual([]);
  });
});
