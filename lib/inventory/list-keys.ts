import type { RunOperation } from '../core/ensure-alias.ts';
import { paginate } from '../huawei/paginate.ts';
import type { KeyDetails, KmsClient } from '../huawei/types.ts';

/** One page of `list-keys`, with the marker that fetched it (undefined for the first). */
export interface KeyPage {
  /** 0-based position in this listing. */
  index: number;
  marker: string | undefined;
  /** The marker of the next page; undefined on the last. */
  nextMarker: string | undefined;
  keys: KeyDetails[];
}

export interface ListKeysInput {
  region: string;
  projectId: string;
  /** Start here (a `next_marker` from an earlier listing) instead of at the first page. */
  marker?: string | undefined;
  /** Keys per page; default 100. */
  pageSize?: number | undefined;
  /** Loop guard; default 10 000 pages. */
  maxPages?: number | undefined;
}

/**
 * Pages through `POST /v1.0/{project_id}/kms/list-keys` with `key_spec: "ALL"` (the default
 * would list AES_256 keys only, docs/huawei-kms.md#listing-keys), each call under the retry
 * policy. Stops on `truncated: "false"` or an empty `next_marker`. A key listed in `keys`
 * without its `key_details` entry is described on its own, so no key is silently missed.
 * @throws the KMS error of a call the retry policy gave up on; `PaginationError` when
 *   the server repeats a marker or pages past `maxPages`.
 */
export async function* listKeyPages(kms: KmsClient, run: RunOperation, input: ListKeysInput): AsyncGenerator<KeyPage> {
  const { region, projectId } = input;
  const fetchPage = async (marker: string | undefined) => {
    const page = await run('listKeys', (signal) =>
      kms.listKeys({ region, projectId, limit: input.pageSize ?? 100, marker, keySpec: 'ALL' }, signal),
    );
    const keys = [...page.keyDetails];
    const described = new Set(keys.map((k) => k.key_id));
    for (const keyId of page.keys) {
      if (described.has(keyId)) continue;
      const single = await run('describeKey', (signal) => kms.describeKey({ region, projectId, keyId }, signal));
      keys.push(single.keyInfo);
      described.add(keyId);
    }
    const more = page.truncated && page.nextMarker !== undefined && keys.length > 0;
    return { keys, nextMarker: more ? page.nextMarker : undefined, requestId: page.requestId };
  };
  for await (const { index, marker, page } of paginate(fetchPage, {
    operation: 'listKeys',
    maxPages: input.maxPages ?? 10_000,
    marker: input.marker,
  })) {
    yield { index, marker, nextMarker: page.nextMarker, keys: page.keys };
  }
}

/**
 * Every key of one project, in listing order (see {@link listKeyPages}); `onPage` hears the
 * running count after each page.
 */
export async function listKeys(
  kms: KmsClient,
  run: RunOperation,
  input: ListKeysInput & { onPage?: ((listed: number) => void) | undefined },
): Promise<KeyDetails[]> {
  const keys: KeyDetails[] = [];
  for await (const page of listKeyPages(kms, run, input)) {
    keys.push(...page.keys);
    input.onPage?.(keys.length);
  }
  return keys;
}
