// ListAliases with key_id, against an emulator that ignores the filter (a server we never saw do
// it, docs/huawei-kms.md#alias-api documents the filter): an alias of another key must be read as
// that key's, never as "already present" on this one.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_EMULATOR_ACCOUNT, type KmsEmulator, startKmsEmulator } from '../../emulator/kms-emulator.ts';
import { type EnsureObservations, ensureAlias, type RunOperation } from '../../lib/core/ensure-alias.ts';
import { AliasConflictError } from '../../lib/errors/app-error.ts';
import { createAkSkAuth } from '../../lib/huawei/aksk-auth.ts';
import { createKmsClient } from '../../lib/huawei/kms-client.ts';
import type { KmsClient } from '../../lib/huawei/types.ts';
import { listAliases } from '../../lib/inventory/list-aliases.ts';
import { createAliasApi } from '../../lib/runtime/create-alias-api.ts';

const account = DEFAULT_EMULATOR_ACCOUNT;
const scope = { region: account.region, projectId: account.projectId };
const run: RunOperation = (_operation, fn) => fn(new AbortController().signal);

let emulator: KmsEmulator;
let kms: KmsClient;

beforeAll(async () => {
  emulator = await startKmsEmulator({ ignoreAliasKeyFilter: true });
  kms = createKmsClient({
    endpointFor: () => emulator.url,
    auth: createAkSkAuth({ ak: account.permanent.ak, sk: account.permanent.sk }),
  });
});
afterEach(() => emulator.reset());
afterAll(async () => emulator.stop());

describe('a ListAliases that ignores key_id', () => {
  it('the emulator fault really lists other keys under a key_id filter', async () => {
    const holder = emulator.state.createKey(account.projectId);
    const other = emulator.state.createKey(account.projectId);
    emulator.state.putAlias(account.projectId, holder.key_id, 'alias/taken');
    const page = await kms.listAliases({ ...scope, keyId: other.key_id });
    expect(page.aliases.map((a) => [a.alias, a.key_id])).toEqual([['alias/taken', holder.key_id]]);
  });

  it('ensureAlias reports the alias held by another key as a conflict, not as already present', async () => {
    const holder = emulator.state.createKey(account.projectId);
    const mine = emulator.state.createKey(account.projectId);
    emulator.state.putAlias(account.projectId, holder.key_id, 'alias/taken');
    const observed: EnsureObservations = { unansweredCreates: 0 };

    const err = await ensureAlias(
      createAliasApi(kms),
      { ...scope, keyId: mine.key_id, alias: 'alias/taken' },
      run,
      observed,
    ).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(AliasConflictError);
    expect(err).toMatchObject({ code: 'ALIAS_CONFLICT', existingKeyId: holder.key_id });
    expect(observed.foreignAliasesListed).toBe(1);
    expect(emulator.state.aliasesOf(mine.key_id)).toEqual([]);
  });

  it('still finds the alias already on the key itself among the others', async () => {
    const other = emulator.state.createKey(account.projectId);
    const mine = emulator.state.createKey(account.projectId);
    emulator.state.putAlias(account.projectId, other.key_id, 'alias/a-other');
    emulator.state.putAlias(account.projectId, mine.key_id, 'alias/b-mine');

    await expect(
      ensureAlias(createAliasApi(kms), { ...scope, keyId: mine.key_id, alias: 'alias/b-mine' }, run),
    ).resolves.toMatchObject({ status: 'already_present' });
  });

  it("the inventory's listing of one key keeps only that key's aliases", async () => {
    const other = emulator.state.createKey(account.projectId);
    const mine = emulator.state.createKey(account.projectId);
    emulator.state.putAlias(account.projectId, other.key_id, 'alias/a-other');
    emulator.state.putAlias(account.projectId, mine.key_id, 'alias/b-mine');

    const listed = await listAliases(kms, run, { ...scope, keyId: mine.key_id });
    expect(listed.map((a) => [a.alias, a.key_id])).toEqual([['alias/b-mine', mine.key_id]]);
  });
});
