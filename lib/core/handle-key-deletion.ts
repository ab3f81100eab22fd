import { placeEvent, type ProjectAccount } from './place-event.ts';
import { KEY_STATE } from '../inventory/key-skip-reason.ts';
import type { KeyDeletionMode } from '../config/load-config.ts';
import { KmsApiError } from '../errors/huawei-errors.ts';
import type { KeyCreated } from '../events/key-created.ts';
import type { KeyDeletion, KeyDeletionKind } from '../events/key-deletion.ts';
import type { KeyDetails } from '../huawei/types.ts';
import { keyCreatedFromDetails } from '../inventory/key-created-from-details.ts';
import type { Outcome } from '../outcome/outcome.ts';
import type { ListedAlias, RunOperation } from './ensure-alias.ts';
import type { MessageResult } from './message-result.ts';
import { outcomeOfError } from './outcome-of-error.ts';
import { planRelease } from './release-aliases.ts';

/** One key, where configuration says it lives. */
export interface KeyRef {
  region: string;
  projectId: string;
  keyId: string;
}

/** The KMS calls a deletion event may need (a port; the real one is the HTTP client). */
export interface KeyDeletionApi {
  /** Every alias of the key, each with the key id the server reported. */
  listKeyAliases(key: KeyRef, signal: AbortSignal): Promise<ListedAlias[]>;
  /** DeleteAlias of some of the key's aliases (docs/huawei-kms.md#alias-api). */
  deleteAliases(key: KeyRef, aliases: readonly string[], signal: AbortSignal): Promise<{ requestId?: string }>;
  /** DescribeKey: the key's details, to derive its convention alias again on cancellation. */
  describeKey(key: KeyRef, signal: AbortSignal): Promise<KeyDetails>;
}

export interface KeyDeletionDeps {
  mode: KeyDeletionMode;
  dryRun: boolean;
  projects: ReadonlyMap<string, string>;
  /** Project id → account (HUAWEICLOUD_ACCOUNTS); absent with one account. */
  accounts?: ReadonlyMap<string, ProjectAccount> | undefined;
  /** True when an alias could have come from ALIAS_TEMPLATE (lib/reconcile/alias-pattern.ts). */
  conforms: (alias: string) => boolean;
  api: KeyDeletionApi;
  run: RunOperation;
  /**
   * The create path of a new key (process-message.ts), for a cancelled deletion: derive the alias
   * from the key's details, ensure it (conflict → DLQ), tag it when tags are on. Honours dry run.
   */
  recreate: (event: KeyCreated) => Promise<MessageResult>;
}

/**
 * What a `scheduleKeyDeletion` / `cancelKeyDeletion` trace does (ON_KEY_DELETION,
 * docs/operations.md):
 * - `keep`: nothing but the audit record (no call);
 * - `release`, scheduled: lists the key's aliases and deletes those the convention made (never a
 *   hand-made alias, never another key's) so that a replacement key can take the name;
 * - `release`, cancelled: describes the key, derives its alias as for a new key and ensures it
 *   (the name may meanwhile belong to the replacement: a conflict, to the DLQ as today).
 * Dry run: reads only, and says what it would write. Never throws.
 */
export async function handleKeyDeletion(
  kind: KeyDeletionKind,
  event: KeyDeletion,
  deps: KeyDeletionDeps,
): Promise<MessageResult> {
  // The region and the account come from configuration, never from the event (as for a new key).
  const placed = placeEvent(event, deps);
  if (!placed.ok) return { event, outcome: placed.outcome };
  const { region } = placed;
  const base = { event, ...(placed.account === undefined ? {} : { account: placed.account.name }) };
  const what = kind === 'key_deletion_scheduled' ? 'scheduled for deletion' : 'deletion cancelled';
  if (deps.mode === 'keep') {
    return {
      ...base,
      outcome: {
        kind: 'skipped',
        reason: 'key_deletion_kept',
        detail: `key ${event.key_id} ${what}; ON_KEY_DELETION=keep: its aliases are left as they are`,
      },
    };
  }
  const key: KeyRef = { region, projectId: event.project_id, keyId: event.key_id };
  const result =
    kind === 'key_deletion_scheduled' ? await release(key, event, deps) : await restore(key, event, region, deps);
  return { ...base, ...result };
}

async function release(key: KeyRef, event: KeyDeletion, deps: KeyDeletionDeps): Promise<MessageResult> {
  let plan: ReturnType<typeof planRelease>;
  try {
    const listed = await deps.run('listAliases', (signal) => deps.api.listKeyAliases(key, signal));
    plan = planRelease(listed, key.keyId, deps.conforms);
  } catch (err) {
    return { event, outcome: failureOf(err) };
  }
  const kept = plan.keep.length === 0 ? '' : `; kept ${plan.keep.join(', ')}`;
  if (plan.release.length > 0) {
    // Deliveries are unordered: a schedule retried after throttling may arrive after the cancel
    // that followed it. Only a key still pending deletion gives its names back (one DescribeKey,
    // and only when there is something to delete).
    const stale = await staleSchedule(key, event, deps);
    if (stale !== undefined) return stale;
  }
  if (plan.release.length === 0) {
    return {
      event,
      outcome: {
        kind: 'released',
        keyId: key.keyId,
        released: [],
        kept: plan.keep,
        detail: `key ${key.keyId} scheduled for deletion holds no alias of the convention${kept}`,
      },
    };
  }
  if (deps.dryRun) {
    return {
      event,
      outcome: {
        kind: 'skipped',
        reason: 'dry_run',
        detail: `would release ${plan.release.join(', ')} of key ${key.keyId}${kept}`,
        alias: plan.release.join(', '),
      },
    };
  }
  try {
    const deleted = await deps.run('deleteAlias', (signal) => deps.api.deleteAliases(key, plan.release, signal));
    const outcome: Outcome = {
      kind: 'released',
      keyId: key.keyId,
      released: plan.release,
      kept: plan.keep,
      detail: `released ${plan.release.join(', ')} of key ${key.keyId}, scheduled for deletion${kept}`,
      ...(deleted.requestId === undefined ? {} : { requestId: deleted.requestId }),
    };
    return { event, outcome };
  } catch (err) {
    // A 4xx may mean another delivery of the same trace deleted them first (Huawei documents no
    // code for "not an alias of the key"): look again, and if none is left the names are free.
    if (err instanceof KmsApiError && err.status >= 400 && err.status < 500 && err.status !== 429) {
      try {
        const again = await deps.run('listAliases', (signal) => deps.api.listKeyAliases(key, signal));
        const left = planRelease(again, key.keyId, deps.conforms).release;
        if (left.length === 0) {
          return {
            event,
            outcome: {
              kind: 'released',
              keyId: key.keyId,
              released: plan.release,
              kept: plan.keep,
              detail: `${plan.release.join(', ')} of key ${key.keyId} already released (DeleteAlias refused, none left)${kept}`,
            },
          };
        }
      } catch {
        // The listing failed too: the DeleteAlias refusal is the outcome.
      }
    }
    return { event, outcome: outcomeOfError(err, plan.release.join(', ')) };
  }
}

/**
 * The trace of a cancellation names only the key, so its alias is derived again from the key's
 * details (DescribeKey), exactly as backfill names an existing key: no state is kept between the
 * two events, and a template field the details lack (`{created_by}` without a default) is a
 * naming failure in the DLQ, as it is for backfill.
 */
async function restore(key: KeyRef, event: KeyDeletion, region: string, deps: KeyDeletionDeps): Promise<MessageResult> {
  let details: KeyDetails;
  try {
    details = await deps.run('describeKey', (signal) => deps.api.describeKey(key, signal));
  } catch (err) {
    return { event, outcome: failureOf(err) };
  }
  if (details.key_state === KEY_STATE.pendingDeletion) {
    // A cancel delivered after a later schedule of the same key: that schedule settles it.
    return {
      event,
      outcome: {
        kind: 'skipped',
        reason: 'key_pending_deletion',
        detail: `deletion of key ${key.keyId} cancelled, but the key is pending deletion again: its alias is not re-created`,
      },
    };
  }
  const fromDetails = keyCreatedFromDetails(details, { projectId: key.projectId, region });
  if (event.trace_id !== undefined) fromDetails.trace_id = event.trace_id;
  return deps.recreate(fromDetails);
}

/**
 * The skip of a schedule whose key is no longer pending deletion (the deletion was cancelled
 * since), or the failure to find out; undefined when the key is pending deletion.
 */
async function staleSchedule(
  key: KeyRef,
  event: KeyDeletion,
  deps: KeyDeletionDeps,
): Promise<MessageResult | undefined> {
  let details: KeyDetails;
  try {
    details = await deps.run('describeKey', (signal) => deps.api.describeKey(key, signal));
  } catch (err) {
    return { event, outcome: failureOf(err) };
  }
  if (details.key_state === KEY_STATE.pendingDeletion) return undefined;
  return {
    event,
    outcome: {
      kind: 'skipped',
      reason: 'key_not_pending_deletion',
      detail: `key ${key.keyId} was scheduled for deletion but is not pending deletion now (key_state ${JSON.stringify(details.key_state ?? null)}): its aliases are kept`,
    },
  };
}

/** A failed read (listing, DescribeKey): no alias is involved yet. */
function failureOf(err: unknown): Outcome {
  const outcome = outcomeOfError(err, '');
  if (outcome.kind === 'failed') delete outcome.alias;
  return outcome;
}
