import { describe, expect, it } from 'vitest';
import { PaginationError } from '../../../lib/errors/huawei-errors.ts';
import { paginate } from '../../../lib/huawei/paginate.ts';
import { classifyError } from '../../../lib/retry/classify-error.ts';

interface Page {
  items: string[];
  nextMarker: string | undefined;
  requestId?: string;
}

/** A listing served from `pages`: the marker of page i+1 is `m${i+1}`, unless `markers` says otherwise. */
function server(pages: Array<Partial<Page> & { items: string[] }>) {
  const asked: Array<string | undefined> = [];
  const fetchPage = async (marker: string | undefined): Promise<Page> => {
    asked.push(marker);
    const index = marker === undefined ? 0 : Number(marker.slice(1));
    const page = pages[index];
    if (page === undefined) throw new Error(`no page ${marker}`);
    return { nextMarker: undefined, ...page };
  };
  return { asked, fetchPage };
}

async function collect<T>(walk: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of walk) out.push(item);
  return out;
}

describe('paginate()', () => {
  it('follows next markers until a page has none, yielding each page with its index and marker', async () => {
    const { asked, fetchPage } = server([
      { items: ['a'], nextMarker: 'm1' },
      { items: ['b'], nextMarker: 'm2' },
      { items: ['c'], nextMarker: '' },
    ]);
    const pages = await collect(paginate(fetchPage, { operation: 'listThings', maxPages: 10 }));
    expect(pages.map((p) => [p.index, p.marker, p.page.items])).toEqual([
      [0, undefined, ['a']],
      [1, 'm1', ['b']],
      [2, 'm2', ['c']],
    ]);
    expect(asked).toEqual([undefined, 'm1', 'm2']);
  });

  it('starts at a given marker', async () => {
    const { asked, fetchPage } = server([{ items: ['a'], nextMarker: 'm1' }, { items: ['b'] }]);
    const pages = await collect(paginate(fetchPage, { operation: 'listThings', maxPages: 10, marker: 'm1' }));
    expect(pages.map((p) => p.page.items)).toEqual([['b']]);
    expect(asked).toEqual(['m1']);
  });

  it('fetches nothing more once the consumer stops', async () => {
    const { asked, fetchPage } = server([
      { items: ['a'], nextMarker: 'm1' },
      { items: ['b'], nextMarker: 'm2' },
    ]);
    for await (const { page } of paginate(fetchPage, { operation: 'listThings', maxPages: 10 })) {
      if (page.items.includes('a')) break;
    }
    expect(asked).toEqual([undefined]);
  });

  it('refuses a repeated marker after yielding the page, as a permanent failure with the last request id', async () => {
    const { fetchPage } = server([
      { items: ['a'], nextMarker: 'm1' },
      { items: ['b'], nextMarker: 'm1', requestId: 'r2' },
    ]);
    const seen: string[] = [];
    const err = await (async () => {
      for await (const { page } of paginate(fetchPage, { operation: 'listThings', maxPages: 10 })) {
        seen.push(...page.items);
      }
    })().catch((e: unknown) => e);
    expect(seen).toEqual(['a', 'b']);
    expect(err).toBeInstanceOf(PaginationError);
    expect(err).toMatchObject({
      message: 'listThings failed: pagination did not end after 2 pages',
      code: 'KMS_REJECTED',
      retryable: false,
      operation: 'listThings',
      requestId: 'r2',
    });
    expect(classifyError(err).retryable).toBe(false);
  });

  it('refuses a listing that still points to a next page after maxPages pages', async () => {
    const { asked, fetchPage } = server([
      { items: ['a'], nextMarker: 'm1' },
      { items: ['b'], nextMarker: 'm2' },
      { items: ['c'], nextMarker: 'm3' },
    ]);
    await expect(collect(paginate(fetchPage, { operation: 'listThings', maxPages: 2 }))).rejects.toThrow(
      /listThings failed: pagination did not end after 2 pages/,
    );
    expect(asked).toEqual([undefined, 'm1']);
  });

  it('passes a page error through unchanged', async () => {
    const boom = new Error('throttled');
    const walk = paginate(
      async () => {
        throw boom;
      },
      { operation: 'listThings', maxPages: 10 },
    );
    await expect(collect(walk)).rejects.toBe(boom);
  });
});
