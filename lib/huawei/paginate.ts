/**
 * The one walk over Huawei's marker listings (ListAliases `page_info.next_marker`, ListKeys
 * `next_marker` + `truncated`; docs/huawei-kms.md#listing-keys). Every listing of the project
 * (the client's listAllAliases, the inventory's keys and aliases, the conflict check of
 * ensureAlias) goes through it, so the "did not end" guard exists once.
 */
import { PaginationError } from '../errors/huawei-errors.ts';

/** What the paginator needs of a page: where the next one starts, and the response's request id. */
export interface MarkerPage {
  /**
   * The marker of the next page; undefined (or empty) when the listing has ended. The caller
   * decides what "ended" means for its API (ListKeys: `truncated` false; ListAliases: an empty
   * page or no `next_marker`, as Terraform's provider reads it) and says so here.
   */
  nextMarker: string | undefined;
  requestId?: string | undefined;
}

/** One page as the paginator yields it. */
export interface PageOf<P> {
  /** 0-based position of the page in this walk. */
  index: number;
  /** The marker that fetched it; undefined for the first page of a listing. */
  marker: string | undefined;
  page: P;
}

export interface PaginateOptions {
  /** For the error message (`listAliases`, `listKeys`, `findAlias`). */
  operation: string;
  /** Pages fetched at most; one more page with a marker is a listing that does not end. */
  maxPages: number;
  /** Start at this marker (from an earlier walk) instead of the first page. */
  marker?: string | undefined;
}

/**
 * Walks a marker listing one page at a time: `fetchPage(marker)` is called for the first page
 * with `options.marker` and then with each page's `nextMarker`, until a page says the listing
 * ended. Each page is yielded before the next is asked for, so a consumer can stop early (the
 * generator then fetches nothing more) and each page can be its own retried operation.
 * @throws PaginationError when a page repeats a marker, or `maxPages` pages still
 *   point to a next one; whatever `fetchPage` throws.
 */
export async function* paginate<P extends MarkerPage>(
  fetchPage: (marker: string | undefined) => Promise<P>,
  options: PaginateOptions,
): AsyncGenerator<PageOf<P>, void, undefined> {
  const seen = new Set<string>();
  let marker = options.marker;
  for (let index = 0; ; index++) {
    const page = await fetchPage(marker);
    yield { index, marker, page };
    const next = page.nextMarker;
    if (next === undefined || next === '') return;
    if (seen.has(next) || index + 1 >= options.maxPages) {
      throw new PaginationError(`${options.operation} failed: pagination did not end after ${index + 1} pages`, {
        operation: options.operation,
        requestId: page.requestId,
      });
    }
    seen.add(next);
    marker = next;
  }
}
