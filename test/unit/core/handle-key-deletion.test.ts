import { describe, expect, it } from 'vitest';
import type { ListedAlias, RunOperation } from '../../../lib/core/ensure-alias.ts';
import { handleKeyDeletion, type KeyDeletionApi, type KeyDeletionDeps } from '../../../lib/core/handle-key-deletion.ts';
import { planRelease } from '../../../lib/core/release-aliases.ts';
import { KmsApiError } from '../../../lib/errors/huawei-errors.ts';
import type { KeyCreated } from '../../../lib/events/key-created.ts';
import type { KeyDeletion } from '../../../lib/events/key-deletion.ts';
import type { KeyDetails } from '../../../lib/huawei/types.ts';
import { compileAliasTemplate } from '../../../lib/naming/compile-alias-template.ts';
import { aliasPatternOf, conformsTo } from '../../../lib/reconcile/alias-pattern.ts';

const PROJECT = '0f3a8c1e5b7d4e2a9c6b8d0e1f2a3b4c';
const KEY = '4f2b9c1d-7a3e-4c58-9b6d-2e8f0a1c3d5e';
const OTHER = '9d1e2f3a-4b5c-4d6e-8f70-1a2b3c4d5e6f';

const compiled = compileAliasTemplate('alias/{env}/{key_alias|slug}', { env: 'prod' });
if (!compiled.ok) throw new Error(compiled.reason);
const pattern = aliasPatternOf(compiled.template);
const conforms = (alias: string) => conformsTo(pattern, alias);

describe('planRelease()', () => {
  it("releases only this key's aliases of the convention's shape", () => {
    const listed: ListedAlias[] = [
      { alias: 'alias/prod/payments-db', keyId: KEY },
      { alias: 'alias/hand-made', keyId: KEY },
      { alias: 'alias/prod/other', keyId: OTHER },
      { alias: 'alias/prod/payments-db', keyId: KEY },
    ];
    expect(planRelease(listed, KEY, conforms)).toEqual({
      release: ['alias/prod/payments-db'],
      keep: ['alias/hand-made'],
      foreign: 1,
    });
  });

  it('releases nothing from a key without aliases', () => {
    expect(planRelease([], KEY, conforms)).toEqual({ release: [], keep: [], foreign: 0 });
  });
});

interface Calls {
  list: number;
  deleted: string[][];
  described: number;
  recreated: KeyCreated[];
}

function setup(options: {
  mode: 'keep' | 'release';
  dryRun?: boolean;
  listed?: ListedAlias[];
  /** DescribeKey's answer; `key_state` defaults to "4" (pending deletion) for a schedule, "3" (disabled) for a cancel. */
  details?: Partial<KeyDetails>;
  kind?: 'key_deletion_scheduled' | 'key_deletion_cancelled';
}) {
  const calls: Calls = { list: 0, deleted: [], described: 0, recreated: [] };
  const api: KeyDeletionApi = {
    listKeyAliases: async () => {
      calls.list += 1;
      return options.listed ?? [];
    },
    deleteAliases: async (_key, aliases) => {
      calls.deleted.push([...aliases]);
      return { requestId: 'req-delete' };
    },
    describeKey: async () => {
      calls.described += 1;
      const state = options.kind === 'key_deletion_cancelled' ? '3' : '4';
      return { key_id: KEY, key_alias: 'payments-db', key_state: state, ...options.details } as KeyDetails;
    },
  };
  const run: RunOperation = (_operation, fn) => fn(new AbortController().signal);
  const deps: KeyDeletionDeps = {
    mode: options.mode,
    dryRun: options.dryRun ?? false,
    projects: new Map([[PROJECT, 'cn-north-4']]),
    conforms,
    api,
    run,
    recreate: async (event) => {
      calls.recreated.push(event);
      return { event, outcome: { kind: 'created', alias: `alias/prod/${event.key_alias}` } };
    },
  };
  return { calls, deps };
}

const event: KeyDeletion = { key_id: KEY, project_id: PROJECT, trace_id: 't-1', source: 'cts', envelopes: [] };
const listed: ListedAlias[] = [
  { alias: 'alias/prod/payments-db', keyId: KEY },
  { alias: 'alias/hand-made', keyId: KEY },
  { alias: 'alias/prod/replacement', keyId: OTHER },
];

describe('handleKeyDeletion()', () => {
  it('keep: audits only, no call', async () => {
    for (const kind of ['key_deletion_scheduled', 'key_deletion_cancelled'] as const) {
      const { calls, deps } = setup({ mode: 'keep', listed });
      const result = await handleKeyDeletion(kind, event, deps);
      expect(result.outcome).toMatchObject({ kind: 'skipped', reason: 'key_deletion_kept' });
      expect(calls).toEqual({ list: 0, deleted: [], described: 0, recreated: [] });
    }
  });

  it("release, scheduled: deletes the convention's aliases of the key, nothing else", async () => {
    const { calls, deps } = setup({ mode: 'release', listed });
    const result = await handleKeyDeletion('key_deletion_scheduled', event, deps);
    expect(calls.deleted).toEqual([['alias/prod/payments-db']]);
    expect(result.outcome).toEqual({
      kind: 'released',
      keyId: KEY,
      released: ['alias/prod/payments-db'],
      kept: ['alias/hand-made'],
      detail: expect.stringContaining('alias/prod/payments-db') as string,
      requestId: 'req-delete',
    });
  });

  it('release, scheduled, nothing to release: no DeleteAlias', async () => {
    const { calls, deps } = setup({ mode: 'release', listed: [{ alias: 'alias/hand-made', keyId: KEY }] });
    const result = await handleKeyDeletion('key_deletion_scheduled', event, deps);
    expect(calls.deleted).toEqual([]);
    expect(result.outcome).toMatchObject({ kind: 'released', released: [], kept: ['alias/hand-made'] });
  });

  it('release, dry run: lists, says what it would release, writes nothing', async () => {
    const { calls, deps } = setup({ mode: 'release', dryRun: true, listed });
    const result = await handleKeyDeletion('key_deletion_scheduled', event, deps);
    expect(calls.list).toBe(1);
    expect(calls.deleted).toEqual([]);
    expect(result.outcome).toMatchObject({ kind: 'skipped', reason: 'dry_run', alias: 'alias/prod/payments-db' });
  });

  it('release, scheduled: a key no longer pending deletion (cancelled since) keeps its aliases', async () => {
    for (const key_state of ['2', '3']) {
      const { calls, deps } = setup({ mode: 'release', listed, details: { key_state } });
      const result = await handleKeyDeletion('key_deletion_scheduled', event, deps);
      expect(calls.described).toBe(1);
      expect(calls.deleted).toEqual([]);
      expect(result.outcome).toMatchObject({ kind: 'skipped', reason: 'key_not_pending_deletion' });
    }
  });

  it('release, cancelled: a key pending deletion again (a later schedule) is not named again', async () => {
    const { calls, deps } = setup({ mode: 'release', kind: 'key_deletion_cancelled', details: { key_state: '4' } });
    const result = await handleKeyDeletion('key_deletion_cancelled', event, deps);
    expect(calls.recreated).toEqual([]);
    expect(result.outcome).toMatchObject({ kind: 'skipped', reason: 'key_pending_deletion' });
  });

  it('release, cancelled: names the key again from its details, through the create path', async () => {
    const { calls, deps } = setup({ mode: 'release', kind: 'key_deletion_cancelled' });
    const result = await handleKeyDeletion('key_deletion_cancelled', event, deps);
    expect(calls.described).toBe(1);
    expect(calls.recreated).toHaveLength(1);
    expect(calls.recreated[0]).toMatchObject({
      key_id: KEY,
      key_alias: 'payments-db',
      region: 'cn-north-4',
      trace_id: 't-1',
    });
    expect(result.outcome).toEqual({ kind: 'created', alias: 'alias/prod/payments-db' });
  });

  it('a refused DeleteAlias whose aliases are gone already (a duplicate delivery won) is released', async () => {
    const { calls, deps } = setup({ mode: 'release', listed });
    const refusal = new KmsApiError('HTTP 400', {
      status: 400,
      code: 'KMS_REJECTED',
      huaweiCode: 'KMS.0308',
      retry: false,
    });
    let lists = 0;
    deps.api.listKeyAliases = async () =>
      ++lists === 1 ? listed : listed.filter((a) => a.alias !== 'alias/prod/payments-db');
    deps.api.deleteAliases = () => Promise.reject(refusal);
    const result = await handleKeyDeletion('key_deletion_scheduled', event, deps);
    expect(lists).toBe(2);
    expect(result.outcome).toMatchObject({ kind: 'released', released: ['alias/prod/payments-db'] });
    expect(calls.deleted).toEqual([]);
  });

  it('a refused DeleteAlias whose aliases are still there is the failure', async () => {
    const { deps } = setup({ mode: 'release', listed });
    deps.api.deleteAliases = () =>
      Promise.reject(new KmsApiError('HTTP 403', { status: 403, code: 'KMS_FORBIDDEN', retry: false }));
    const result = await handleKeyDeletion('key_deletion_scheduled', event, deps);
    expect(result.outcome).toMatchObject({ kind: 'failed', retryable: false, alias: 'alias/prod/payments-db' });
  });

  it('a failed listing is a failure outcome (retryable as the error says), never a throw', async () => {
    const { deps } = setup({ mode: 'release' });
    deps.api.listKeyAliases = () => Promise.reject(new Error('boom'));
    const result = await handleKeyDeletion('key_deletion_scheduled', event, deps);
    expect(result.outcome).toMatchObject({ kind: 'failed', retryable: true });
    expect(result.outcome).not.toHaveProperty('alias');
  });

  it("names the project's account in its result, for the audit record", async () => {
    const { deps } = setup({ mode: 'release', listed });
    const accounts = new Map([[PROJECT, { domainId: '3bab8e245e854f68af5967c00dd43127', name: 'security' }]]);
    const result = await handleKeyDeletion('key_deletion_scheduled', event, { ...deps, accounts });
    expect(result).toMatchObject({ account: 'security', outcome: { kind: 'released' } });
    const kept = await handleKeyDeletion('key_deletion_scheduled', event, { ...deps, mode: 'keep', accounts });
    expect(kept).toMatchObject({ account: 'security', outcome: { reason: 'key_deletion_kept' } });
  });

  it('skips a project outside the map and refuses a region mismatch, before any call', async () => {
    const { calls, deps } = setup({ mode: 'release', listed });
    const outside = await handleKeyDeletion('key_deletion_scheduled', { ...event, project_id: 'a'.repeat(32) }, deps);
    expect(outside.outcome).toMatchObject({ kind: 'skipped', reason: 'project_not_configured' });
    const mismatch = await handleKeyDeletion('key_deletion_scheduled', { ...event, region: 'eu-west-0' }, deps);
    expect(mismatch.outcome).toMatchObject({ kind: 'invalid', reason: 'region_mismatch' });
    expect(calls.list).toBe(0);
  });
});
