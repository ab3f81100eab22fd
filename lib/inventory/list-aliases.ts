import type { RunOperation } from '../core/ensure-alias.ts';
import { paginate } from '../huawei/paginate.ts';
import type { AliasEntity, KmsClient } from '../huawei/types.ts';

export interface ListAliasesInput {
  region: string;
  projectId: string;
  /** Only the aliases of this key; every alias of the project when absent. */
  keyId?: string | undefined;
  /** Aliases per page; default 50 (as Terraform's provider, docs/huawei-kms.md#alias-api). */
  pageSize?: number | undefined;
  /** Loop guard; default 1000 pages (50,000 aliases). */
  maxPages?: number | undefined;
  /** The running count after each page. */
  onPage?: ((listed: number) => void) | undefined;
}

/**
 * Every alias of a project (or of one key: entries of other keys are dropped, should the server
 * ignore the `key_id` filter), one retried operation per page: under throttling,
 * retrying a whole multi-page listing as one operation would need every page to succeed in a row.
 * @throws the KMS error of a page the retry policy gave up on; `PaginationError` when
 *   the server repeats a marker or pages past `maxPages` (a truncated list must never pass for a
 *   full one).
 */
export async function listAliases(kms: KmsClient, run: RunOperation, input: ListAliasesInput): Promise<AliasEntity[]> {
  const { region, projectId, keyId } = input;
  const aliases: AliasEntity[] = [];
  const fetchPage = async (marker: string | undefined) => {
    const page = await run('listAliases', (signal) =>
      kms.listAliases({ region, projectId, keyId, limit: input.pageSize ?? 50, marker }, signal),
    );
    // docs/huawei-kms.md#alias-api (as Terraform's provider reads it): the listing ends on a
    // missing or empty next_marker, or on an empty page.
    return page.aliases.length === 0 ? { ...page, nextMarker: undefined } : page;
  };
  for await (const { page } of paginate(fetchPage, { operation: 'listAliases', maxPages: input.maxPages ?? 1_000 })) {
    // The key_id filter is the server's to apply; an entry of another key is never this key's.
    aliases.push(...(keyId === undefined ? page.aliases : page.aliases.filter((a) => a.key_id === keyId)));
    input.onPage?.(aliases.length);
  }
  return aliases;
}

/** Who holds which alias: alias → key id, from a listing of {@link listAliases}. */
export function aliasHolders(aliases: readonly AliasEntity[]): Map<string, string> {
  return new Map(aliases.map((a) => [a.alias, a.key_id]));
}
