// The inventory (lib/inventory) over the real client, signer and paginator, against the emulator.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_EMULATOR_ACCOUNT, type KmsEmulator, startKmsEmulator } from '../../emulator/kms-emulator.ts';
import type { RunOperation } from '../../lib/core/ensure-alias.ts';
import { createAkSkAuth } from '../../lib/huawei/aksk-auth.ts';
import { createKmsClient } from '../../lib/huawei/kms-client.ts';
import type { KmsClient } from '../../lib/huawei/types.ts';
import { aliasHolders, listAliases } from '../../lib/inventory/list-aliases.ts';
import { listKeyPages, listKeys } from '../../lib/inventory/list-keys.ts';

const account = DEFAULT_EMULATOR_ACCOUNT;
const scope = { region: account.region, projectId: account.projectId };

let emulator: KmsEmulator;
let kms: KmsClient;
const operations: string[] = [];
/** No retries here: each call is counted by operation, so the page-per-call contract shows. */
const run: RunOperation = (operation, fn) => {
  operations.push(operation);
  return fn(new AbortController().signal);
};

beforeAll(async () => {
  emulator = await startKmsEmulator();
  kms = createKmsClient({
    endpointFor: () => emulator.url,
    auth: createAkSkAuth({ ak: account.permanent.ak, sk: account.permanent.sk }),
  });
});
afterEach(() => {
  emulator.reset();
  operations.length = 0;
});
afterAll(async () => emulator.stop());

describe('inventory listings against the emulator', () => {
  it('lists every key of the project, one retried call per page, and resumes from a marker', async () => {
    const ids = Array.from(
      { length: 5 },
      (_, i) => emulator.state.createKey(account.projectId, { key_alias: `k${i}` }).key_id,
    );
    const progress: number[] = [];
    const keys = await listKeys(kms, run, { ...scope, pageSize: 2, onPage: (n) => progress.push(n) });
    expect(keys.map((k) => k.key_id).sort()).toEqual([...ids].sort());
    expect(progress).toEqual([2, 4, 5]);
    expect(operations).toEqual(['listKeys', 'listKeys', 'listKeys']);

    const pages = [];
    for await (const page of listKeyPages(kms, run, { ...scope, pageSize: 2 })) pages.push(page);
    const resumed = [];
    for await (const page of listKeyPages(kms, run, { ...scope, pageSize: 2, marker: pages[0]?.nextMarker })) {
      resumed.push(...page.keys.map((k) => k.key_id));
    }
    expect(resumed).toEqual(pages.slice(1).flatMap((p) => p.keys.map((k) => k.key_id)));
  });

  it('lists the aliases of a project page by page, or of one key', async () => {
    const a = emulator.state.createKey(account.projectId).key_id;
    const b = emulator.state.createKey(account.projectId).key_id;
    for (let i = 0; i < 5; i++) emulator.state.putAlias(account.projectId, a, `alias/a-${i}`);
    emulator.state.putAlias(account.projectId, b, 'alias/b');

    const all = await listAliases(kms, run, { ...scope, pageSize: 2 });
    expect(all.map((x) => x.alias).sort()).toEqual([
      'alias/a-0',
      'alias/a-1',
      'alias/a-2',
      'alias/a-3',
      'alias/a-4',
      'alias/b',
    ]);
    expect(operations.length).toBeGreaterThanOrEqual(3);
    expect(aliasHolders(all).get('alias/b')).toBe(b);

    const ofB = await listAliases(kms, run, { ...scope, keyId: b });
    expect(ofB).toMatchObject([{ alias: 'alias/b', key_id: b }]);
  });
});
