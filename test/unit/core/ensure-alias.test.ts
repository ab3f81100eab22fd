import { describe, expect, it } from 'vitest';
import {
  ensureAlias,
  mayHaveBeenApplied,
  type AliasApi,
  type AliasPage,
  type AliasTarget,
  type EnsureObservations,
  type RunOperation,
} from '../../../lib/core/ensure-alias.ts';
import { AliasConflictError, AppError } from '../../../lib/errors/app-error.ts';
import {
  KmsApiError,
  RequestRefusedError,
  TransportError,
  UnexpectedResponseError,
} from '../../../lib/errors/huawei-errors.ts';

const target: AliasTarget = {
  region: 'cn-north-4',
  projectId: 'p'.repeat(32),
  keyId: 'key-a',
  alias: 'alias/app/orders',
};

const exists = () =>
  new KmsApiError('createAlias failed: HTTP 400 KMS.0308', {
    code: 'KMS_REJECTED',
    retry: false,
    status: 400,
    requestId: 'req-400',
  });
const timeout = () =>
  new TransportError('createAlias failed: timed out', { operation: 'createAlias', service: 'kms', failure: 'timeout' });
const throttled = () => new KmsApiError('HTTP 429', { code: 'KMS_THROTTLED', retry: 'throttling', status: 429 });
const unavailable = () => new KmsApiError('HTTP 503', { code: 'KMS_UNAVAILABLE', retry: 'transient', status: 503 });

/** A retry policy stand-in: up to `attempts` tries per operation for retryable errors, recording each try. */
function runWith(attempts: number): { run: RunOperation; tries: string[] } {
  const tries: string[] = [];
  const run: RunOperation = async (operation, fn) => {
    for (let i = 1; ; i++) {
      tries.push(operation);
      try {
        return await fn(new AbortController().signal);
      } catch (err) {
        if (i >= attempts || !(err instanceof AppError && err.retryable)) throw err;
      }
    }
  };
  return { run, tries };
}

/** A project listing of `pages` pages of 50 aliases; `holderPage` holds target.alias on `holder`. */
function projectPages(pages: number, holderPage: number, holder: string): AliasPage[] {
  return Array.from({ length: pages }, (_, p) => ({
    aliases: Array.from({ length: 50 }, (_, i) =>
      p === holderPage && i === 25
        ? { alias: target.alias, keyId: holder }
        : { alias: `alias/other/${p}-${i}`, keyId: `key-${p}-${i}` },
    ),
    nextMarker: p + 1 < pages ? `m${p + 1}` : undefined,
  }));
}

function fakeApi(options: {
  create: Array<() => Error>;
  own?: string[];
  pages?: AliasPage[];
  /** Each page request fails this many times before it is answered. */
  pageFailures?: number;
}): AliasApi & { pageRequests: string[] } {
  const create = [...options.create];
  const failuresLeft = new Map<string, number>();
  const pageRequests: string[] = [];
  return {
    pageRequests,
    createAlias: async () => {
      const next = create.shift();
      if (next !== undefined) throw next();
      return { requestId: 'req-201' };
    },
    listKeyAliases: async (t) => (options.own ?? []).map((alias) => ({ alias, keyId: t.keyId })),
    listProjectAliases: async (_t, marker) => {
      const at = marker ?? 'm0';
      pageRequests.push(at);
      const left = failuresLeft.get(at) ?? options.pageFailures ?? 0;
      if (left > 0) {
        failuresLeft.set(at, left - 1);
        throw throttled();
      }
      failuresLeft.set(at, 0);
      const page = options.pages?.[Number(at.slice(1))];
      if (page === undefined) throw new Error(`no page ${at}`);
      return page;
    },
  };
}

describe('ensureAlias()', () => {
  it('creates with one call on the happy path and returns the 201 request id', async () => {
    const { run, tries } = runWith(3);
    await expect(ensureAlias(fakeApi({ create: [] }), target, run)).resolves.toEqual({
      status: 'created',
      requestId: 'req-201',
    });
    expect(tries).toEqual(['createAlias']);
  });

  it('retries each page of the conflict check on its own, so a large project still gets an answer', async () => {
    // Found by the chaos run: the project listing (33 pages for ~1,600 aliases) was one retried
    // operation, so under 20% faults it almost never completed and conflicts ran out of retries.
    const api = fakeApi({ create: [exists], pages: projectPages(40, 39, 'key-b'), pageFailures: 1 });
    const { run, tries } = runWith(2);
    const err = await ensureAlias(api, target, run).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AliasConflictError);
    expect(err).toMatchObject({ existingKeyId: 'key-b', alias: target.alias });
    // Every page failed once and was retried alone: 40 pages, 80 requests, none repeated from page 1.
    expect(api.pageRequests).toHaveLength(80);
    expect(tries.filter((t) => t === 'findAlias')).toHaveLength(80);
  });

  it('stops reading the project listing at the page that holds the alias', async () => {
    const api = fakeApi({ create: [exists], pages: projectPages(10, 2, 'key-b') });
    await expect(ensureAlias(api, target, runWith(1).run)).rejects.toBeInstanceOf(AliasConflictError);
    expect(api.pageRequests).toEqual(['m0', 'm1', 'm2']);
  });

  it('reports the alias as already present when the listing shows it on this very key', async () => {
    const api = fakeApi({ create: [exists], pages: projectPages(3, 1, 'key-a') });
    await expect(ensureAlias(api, target, runWith(1).run)).resolves.toEqual({
      status: 'already_present',
      requestId: 'req-400',
    });
  });

  it('creates the alias when it is listed nowhere after the refusal and a second CreateAlias succeeds', async () => {
    // The alias was freed in between (a key pending deletion gave its name back): one more call.
    const api = fakeApi({ create: [exists], pages: projectPages(2, -1, '') });
    const { run, tries } = runWith(1);
    await expect(ensureAlias(api, target, run)).resolves.toEqual({ status: 'created', requestId: 'req-201' });
    expect(tries).toEqual(['createAlias', 'listAliases', 'findAlias', 'findAlias', 'createAlias']);
  });

  it('rethrows the refusal when no key holds the alias, and refuses a listing that repeats a marker', async () => {
    const none = fakeApi({ create: [exists, exists], pages: projectPages(2, -1, '') });
    await expect(ensureAlias(none, target, runWith(1).run)).rejects.toMatchObject({ requestId: 'req-400' });
    const looping = fakeApi({
      create: [exists],
      pages: [{ aliases: [{ alias: 'alias/x', keyId: 'k' }], nextMarker: 'm0' }],
    });
    await expect(ensureAlias(looping, target, runWith(1).run)).rejects.toMatchObject({
      code: 'KMS_REJECTED',
      retryable: false,
    });
  });

  it('counts CreateAlias attempts that got no definite answer, even when it then finds the alias', async () => {
    const observed: EnsureObservations = { unansweredCreates: 0 };
    const api = fakeApi({ create: [timeout, unavailable, throttled, exists], own: [target.alias] });
    await expect(ensureAlias(api, target, runWith(4).run, observed)).resolves.toMatchObject({
      status: 'already_present',
    });
    // The timeout and the 503 may have written the alias; the 429 and the 400 did not.
    expect(observed.unansweredCreates).toBe(2);

    const failed: EnsureObservations = { unansweredCreates: 0 };
    await expect(
      ensureAlias(fakeApi({ create: [timeout, timeout] }), target, runWith(2).run, failed),
    ).rejects.toMatchObject({ code: 'KMS_TIMEOUT' });
    expect(failed.unansweredCreates).toBe(2);
  });
});

describe('ensureAlias() after an unanswered CreateAlias', () => {
  it('treats a 400 with the alias listed nowhere as transient: the listings may lag the write', async () => {
    const observed: EnsureObservations = { unansweredCreates: 0 };
    const api = fakeApi({ create: [timeout, exists, exists], pages: projectPages(2, -1, '') });
    const err = await ensureAlias(api, target, runWith(2).run, observed).catch((e: unknown) => e);
    expect(observed.unansweredCreates).toBe(1);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'KMS_REJECTED', retryable: true, retry: 'transient' });
    expect((err as AppError).cause).toMatchObject({ requestId: 'req-400' });
  });

  it('keeps the same 400 permanent when every CreateAlias attempt was answered', async () => {
    const api = fakeApi({ create: [throttled, exists, exists], pages: projectPages(2, -1, '') });
    await expect(ensureAlias(api, target, runWith(2).run)).rejects.toMatchObject({
      code: 'KMS_REJECTED',
      retryable: false,
    });
  });
});

describe('mayHaveBeenApplied()', () => {
  it.each([
    ['a timeout', timeout(), true],
    [
      'a lost connection',
      new TransportError('reset', { operation: 'createAlias', service: 'kms', failure: 'network' }),
      true,
    ],
    ['a 503', unavailable(), true],
    [
      'a 201 whose body could not be read',
      new UnexpectedResponseError('unexpected response body', { operation: 'createAlias', status: 201 }),
      true,
    ],
    ['a 429', throttled(), false],
    ['a 400', exists(), false],
    ['a local refusal (never sent)', new RequestRefusedError('not sent', { operation: 'createAlias' }), false],
    ['a non-KMS error', new Error('x'), false],
  ])('%s → %s', (_name, err, expected) => {
    expect(mayHaveBeenApplied(err)).toBe(expected);
  });
});
