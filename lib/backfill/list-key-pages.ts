import type { RunOperation } from '../core/ensure-alias.ts';
import { PaginationError } from '../errors/huawei-errors.ts';
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

export interface ListKeyPagesInput {
  region: string;
  projectId: string;
  /** Start here (a `next_marker` from an earlier listing) instead of at the first page. */
  marker?: string | undefined;
  /** Keys per page; default 100. */
  pageSize?: number;
  /** Loop guard; default 10 000 pages. */
  maxPages?: number;
}

/**
 * Pages through `POST /v1.0/{project_id}/kms/list-keys` with `key_spec: "ALL"` (the default
 * would list AES_256 keys only, reference §9), each call under the retry policy. Stops on
 * `truncated: "false"` or an empty `next_marker`. A key listed in `keys` without its
 * `key_details` entry is described on its own, so no key is silently missed.
 * @throws the KMS error of a call the retry policy gave up on; a `PaginationError` when the server
 *   repeats a marker or pages past `maxPages`.
 */
export async function* listKeyPages(
  kms: KmsClient,
  run: RunOperation,
  input: ListKeyPagesInput,
): AsyncGenerator<KeyPage> {
  const pageSize = input.pageSize ?? 100;
  const maxPages = input.maxPages ?? 10_000;
  const seen = new Set<string>();
  let marker = input.marker;
  for (let index = 0; ; index++) {
    const page = await run('listKeys', (signal) =>
      kms.listKeys(
        { region: input.region, projectId: input.projectId, limit: pageSize, marker, keySpec: 'ALL' },
        signal,
      ),
    );
    const keys = [...page.keyDetails];
    const described = new Set(keys.map((k) => k.key_id));
    for (const keyId of page.keys) {
      if (described.has(keyId)) continue;
      const single = await run('describeKey', (signal) =>
        kms.describeKey({ region: input.region, projectId: input.projectId, keyId }, signal),
      );
      keys.push(single.keyInfo);
      described.add(keyId);
    }
    const more = page.truncated && page.nextMarker !== undefined && keys.length > 0;
    const nextMarker = more ? page.nextMarker : undefined;
    yield { index, marker, nextMarker, keys };
    if (nextMarker === undefined) return;
    if (seen.has(nextMarker) || index + 1 >= maxPages) {
      throw new PaginationError(`listKeys failed: pagination did not end after ${index + 1} pages`, {
        requestId: page.requestId,
        operation: 'listKeys',
      });
    }
    seen.add(nextMarker);
    marker = nextMarker;
  }
}
