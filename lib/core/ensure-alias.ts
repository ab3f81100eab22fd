import { AliasConflictError, AppError } from '../errors/app-error.ts';
import { KmsApiError, TransportError, UnexpectedResponseError } from '../errors/huawei-errors.ts';
import { paginate } from '../huawei/paginate.ts';

export interface AliasTarget {
  region: string;
  projectId: string;
  keyId: string;
  alias: string;
}

/** An alias and the key it points at, as ListAliases reports it. */
export interface ListedAlias {
  alias: string;
  keyId: string;
}

/** One page of a project's aliases. */
export interface AliasPage {
  aliases: ListedAlias[];
  /** Where the next page starts; undefined (or empty) on the last page. */
  nextMarker: string | undefined;
}

/** The KMS operations the idempotent create needs (a port; the real one is the HTTP client). */
export interface AliasApi {
  /** `unexpectedAnswer`: the 201 did not carry the alias object asked for (kms-client.ts); still created. */
  createAlias(
    target: AliasTarget,
    signal: AbortSignal,
  ): Promise<{ requestId?: string | undefined; unexpectedAnswer?: string | undefined }>;
  /**
   * Every alias of one key, all pages followed (a key has at most 50), each with the key id the
   * server reported: the `key_id` filter is the server's to honour, and an entry of another key
   * must never pass for one of this key's.
   */
  listKeyAliases(target: AliasTarget, signal: AbortSignal): Promise<ListedAlias[]>;
  /**
   * One page of the project's aliases, from `marker` (no "get alias by name" exists, reference
   * docs/huawei-kms.md#listing-keys). One request per call, so that each page is retried on its own.
   */
  listProjectAliases(target: AliasTarget, marker: string | undefined, signal: AbortSignal): Promise<AliasPage>;
}

/** Runs one API operation under the retry policy; counts calls and attempts for the audit record. */
export type RunOperation = <T>(operation: string, fn: (signal: AbortSignal) => Promise<T>) => Promise<T>;

export type EnsureResult =
  | { status: 'created'; requestId: string | undefined }
  | { status: 'already_present'; requestId: string | undefined };

/**
 * What the caller learns besides the result, filled in as the calls happen (so it holds even
 * when ensureAlias throws).
 */
export interface EnsureObservations {
  /**
   * CreateAlias attempts that got no definite answer (timeout, connection lost, 5xx): each may
   * have created the alias even though this caller never saw a 201.
   */
  unansweredCreates: number;
  /**
   * Entries of other keys in a listing filtered by `key_id`: the server ignored the filter
   * (never seen; docs/huawei-kms.md#alias-api documents the filter). Counted so that the
   * surprise is visible, not silent; the entries are still read for what they say.
   */
  foreignAliasesListed?: number;
  /** Why a CreateAlias 201 did not carry the alias object asked for (never seen): visible, not silent. */
  unexpectedCreateAnswer?: string;
}

/** Huawei: at most 50 aliases per key (user guide dew_01_1022, docs/huawei-kms.md#alias-rules). */
export const MAX_ALIASES_PER_KEY = 50;

/** Loop guard for the project listing: 50 aliases a page, so 50,000 aliases. */
export const MAX_PROJECT_ALIAS_PAGES = 1_000;

/**
 * Creates the alias, or proves it is already there. The happy path is exactly one call:
 * CreateAlias. Only when CreateAlias is refused with a 4xx that may mean "exists" (Huawei
 * documents no alias-specific code, docs/huawei-kms.md#error-codes) does it look: the key's own aliases first
 * (a duplicate event: success), then the project's, page by page until the alias turns up
 * (another key holds it: a conflict, never moved).
 *
 * `already_present` after an unanswered CreateAlias (see `observed.unansweredCreates`) most
 * likely means that very attempt created the alias; the caller cannot tell it from a concurrent
 * delivery of the same event, so it is reported as found, not as created.
 * A 400 with the alias listed nowhere is tried once more (the alias may have been freed since);
 * refused again, it is permanent (the first CreateAlias error itself), except after an unanswered
 * CreateAlias of the same message: then it is a transient AppError, since the listings may not
 * show that attempt's write yet.
 * @throws AliasConflictError, AppError `ALIAS_LIMIT`, a transient AppError `KMS_REJECTED`, or
 *   the CreateAlias error itself.
 */
export async function ensureAlias(
  api: AliasApi,
  target: AliasTarget,
  run: RunOperation,
  observed: EnsureObservations = { unansweredCreates: 0 },
): Promise<EnsureResult> {
  const create = () =>
    run('createAlias', async (signal) => {
      try {
        const created = await api.createAlias(target, signal);
        if (created.unexpectedAnswer !== undefined) observed.unexpectedCreateAnswer = created.unexpectedAnswer;
        return created;
      } catch (err) {
        if (mayHaveBeenApplied(err)) observed.unansweredCreates += 1;
        throw err;
      }
    });
  try {
    const created = await create();
    return { status: 'created', requestId: created.requestId };
  } catch (err) {
    if (!mayMeanAliasExists(err)) throw err;
    const listed = await run('listAliases', (signal) => api.listKeyAliases(target, signal));
    const own = listed.filter((a) => a.keyId === target.keyId);
    const foreign = listed.length - own.length;
    if (foreign > 0) observed.foreignAliasesListed = (observed.foreignAliasesListed ?? 0) + foreign;
    if (own.some((a) => a.alias === target.alias)) return { status: 'already_present', requestId: err.requestId };
    // The filter was ignored and the listing shows the alias on another key: that is a conflict.
    const elsewhere = listed.find((a) => a.alias === target.alias);
    if (elsewhere !== undefined) throw new AliasConflictError(target.alias, elsewhere.keyId, err.requestId);
    if (own.length >= MAX_ALIASES_PER_KEY) {
      throw new AppError(`key ${target.keyId} already has ${own.length} aliases, the most Huawei allows`, {
        code: 'ALIAS_LIMIT',
        retry: false,
        cause: err,
      });
    }
    const holder = await findAliasHolder(api, target, run);
    if (holder !== undefined && holder !== target.keyId) {
      throw new AliasConflictError(target.alias, holder, err.requestId);
    }
    // Listed in between by a concurrent delivery of the same event: still one alias, still success.
    if (holder === target.keyId) return { status: 'already_present', requestId: err.requestId };
    // Listed nowhere: the alias may have been deleted since the refusal, e.g. by a key pending
    // deletion giving its name back (ON_KEY_DELETION=release) while this, its replacement's
    // event, was handled. One more CreateAlias tells: a 201 is this key's alias; a refusal that
    // may mean "exists" again is decided below as before (any other failure is its own outcome).
    try {
      const again = await create();
      return { status: 'created', requestId: again.requestId };
    } catch (againErr) {
      if (!mayMeanAliasExists(againErr)) throw againErr;
    }
    if (observed.unansweredCreates > 0) {
      // An earlier attempt went unanswered and may have written the alias: the 400 is most
      // likely that write, not in the listings yet (Huawei documents no read-after-write
      // guarantee for ListAliases, docs/huawei-kms.md#alias-api). Transient: the message comes
      // back and a later receive finds the alias, or its last receive sends it to the DLQ.
      throw new AppError(
        `alias ${target.alias} refused as existing after an unanswered CreateAlias, but not listed yet`,
        { code: 'KMS_REJECTED', retry: 'transient', cause: err },
      );
    }
    throw err;
  }
}

/**
 * The key holding `target.alias`, reading the project's aliases a page at a time and stopping
 * at the page that has it. Each page is its own retried operation: retrying the whole listing
 * as one would need every page of a large project to succeed in a row, which under ordinary
 * throttling almost never happens.
 */
async function findAliasHolder(api: AliasApi, target: AliasTarget, run: RunOperation): Promise<string | undefined> {
  const listing = paginate(
    async (marker) => {
      const page = await run('findAlias', (signal) => api.listProjectAliases(target, marker, signal));
      // docs/huawei-kms.md#alias-api (as Terraform's provider reads it): an empty page ends the listing.
      return page.aliases.length === 0 ? { ...page, nextMarker: undefined } : page;
    },
    { operation: 'findAlias', maxPages: MAX_PROJECT_ALIAS_PAGES },
  );
  for await (const { page } of listing) {
    const hit = page.aliases.find((a) => a.alias === target.alias);
    // Returning ends the walk: no page after the one holding the alias is fetched.
    if (hit !== undefined) return hit.keyId;
  }
  return undefined;
}

/** A plain 400/409 rejection; key-state, auth and throttling errors have their own codes. */
function mayMeanAliasExists(err: unknown): err is KmsApiError {
  return err instanceof KmsApiError && (err.status === 400 || err.status === 409) && err.code === 'KMS_REJECTED';
}

/**
 * A CreateAlias failure after which the alias may exist all the same: no answer at all (the
 * request may have been processed), a 5xx (the gateway may have timed out on a backend that
 * went on), or a 2xx whose body could not be read (the status says KMS wrote it; the client
 * refuses the answer, so without this the alias that attempt wrote would pass for a duplicate's,
 * and a 400 on the retry, not listed yet, for a permanent refusal). A 429 or a 4xx is the gateway
 * or KMS refusing: nothing was written.
 */
export function mayHaveBeenApplied(err: unknown): boolean {
  if (err instanceof TransportError) return err.service === 'kms';
  if (err instanceof UnexpectedResponseError) return err.status >= 200 && err.status < 300;
  return err instanceof KmsApiError && err.status >= 500;
}
