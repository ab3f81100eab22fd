import { AliasConflictError, AppError, KmsApiError } from '../errors/app-error.ts';

export interface AliasTarget {
  region: string;
  projectId: string;
  keyId: string;
  alias: string;
}

/** The three KMS operations the idempotent create needs (a port; the real one is the HTTP client). */
export interface AliasApi {
  createAlias(target: AliasTarget, signal: AbortSignal): Promise<{ requestId?: string | undefined }>;
  /** Every alias of one key, all pages followed. */
  listKeyAliases(target: AliasTarget, signal: AbortSignal): Promise<string[]>;
  /** The key that holds `alias` in the project, if any (lists the project's aliases). */
  findAliasHolder(target: AliasTarget, signal: AbortSignal): Promise<string | undefined>;
}

/** Runs one API operation under the retry policy; counts calls and attempts for the audit record. */
export type RunOperation = <T>(operation: string, fn: (signal: AbortSignal) => Promise<T>) => Promise<T>;

export type EnsureResult =
  | { status: 'created'; requestId: string | undefined }
  | { status: 'already_present'; requestId: string | undefined };

/** Huawei: at most 50 aliases per key (user guide dew_01_1022, reference §2). */
export const MAX_ALIASES_PER_KEY = 50;

/**
 * Creates the alias, or proves it is already there. The happy path is exactly one call:
 * CreateAlias. Only when CreateAlias is refused with a 4xx that may mean "exists" (Huawei
 * documents no alias-specific code, reference §3) does it look: the key's own aliases first
 * (a duplicate event: success), then the project's (another key holds it: a conflict, never moved).
 * @throws AliasConflictError, AppError `ALIAS_LIMIT`, or the CreateAlias error itself.
 */
export async function ensureAlias(api: AliasApi, target: AliasTarget, run: RunOperation): Promise<EnsureResult> {
  try {
    const created = await run('createAlias', (signal) => api.createAlias(target, signal));
    return { status: 'created', requestId: created.requestId };
  } catch (err) {
    if (!mayMeanAliasExists(err)) throw err;
    const own = await run('listAliases', (signal) => api.listKeyAliases(target, signal));
    if (own.includes(target.alias)) return { status: 'already_present', requestId: err.requestId };
    if (own.length >= MAX_ALIASES_PER_KEY) {
      throw new AppError(`key ${target.keyId} already has ${own.length} aliases, the most Huawei allows`, {
        code: 'ALIAS_LIMIT',
        retryable: false,
        cause: err,
      });
    }
    const holder = await run('findAlias', (signal) => api.findAliasHolder(target, signal));
    if (holder !== undefined && holder !== target.keyId) {
      throw new AliasConflictError(target.alias, holder, err.requestId);
    }
    // Listed in between by a concurrent delivery of the same event: still one alias, still success.
    if (holder === target.keyId) return { status: 'already_present', requestId: err.requestId };
    throw err;
  }
}

/** A plain 400/409 rejection; key-state, auth and throttling errors have their own codes. */
function mayMeanAliasExists(err: unknown): err is KmsApiError {
  return err instanceof KmsApiError && (err.status === 400 || err.status === 409) && err.code === 'KMS_REJECTED';
}
