import type { RunOperation } from '../core/ensure-alias.ts';
import { PaginationError } from '../errors/huawei-errors.ts';
import type { AliasEntity, KmsClient } from '../huawei/types.ts';

export interface ListProjectAliasesInput {
  region: string;
  projectId: string;
  /** Aliases per page; default 50 (as Terraform, reference §1). */
  pageSize?: number;
  /** Loop guard; default 1000 pages (50,000 aliases). */
  maxPages?: number;
  onPage?: (listed: number) => void;
}

/**
 * Every alias of a project, one retried operation per page: under throttling, retrying a whole
 * multi-page listing as one operation would need every page to succeed in a row.
 * @throws the KMS error of a page the retry policy gave up on; a `PaginationError` when the server
 *   repeats a marker or pages past `maxPages` (a truncated list must never pass for a full one).
 */
export async function listProjectAliases(
  kms: KmsClient,
  run: RunOperation,
  input: ListProjectAliasesInput,
): Promise<AliasEntity[]> {
  const maxPages = input.maxPages ?? 1_000;
  const aliases: AliasEntity[] = [];
  const seen = new Set<string>();
  let marker: string | undefined;
  for (let pages = 1; ; pages++) {
    const page = await run('listAliases', (signal) =>
      kms.listAliases(
        { region: input.region, projectId: input.projectId, limit: input.pageSize ?? 50, marker },
        signal,
      ),
    );
    aliases.push(...page.aliases);
    input.onPage?.(aliases.length);
    // §1 (TF): stop when next_marker is empty or missing, or the page is empty.
    if (page.nextMarker === undefined || page.aliases.length === 0) return aliases;
    if (seen.has(page.nextMarker) || pages >= maxPages) {
      throw new PaginationError(`listAliases failed: pagination did not end after ${pages} pages`, {
        requestId: page.requestId,
        operation: 'listAliases',
      });
    }
    seen.add(page.nextMarker);
    marker = page.nextMarker;
  }
}
