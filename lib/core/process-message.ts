import { AliasNamingError, AppError, toErrorSummary } from '../errors/app-error.ts';
import type { KeyCreated } from '../events/key-created.ts';
import { normaliseEvent } from '../events/normalise-event.ts';
import type { CompiledTemplate } from '../naming/compile-alias-template.ts';
import { deriveAlias } from '../naming/derive-alias.ts';
import type { AliasTarget, EnsureResult } from './ensure-alias.ts';
import type { Outcome, TagReport } from '../outcome/outcome.ts';
import type { CompiledTagTemplate } from '../tags/compiled-tag-template.ts';
import { formatTags, renderTags } from '../tags/render-tags.ts';
import type { Tag } from '../tags/tag-rules.ts';
import { emptyTagReport, type EnsureTagsResult } from './ensure-tags.ts';
import { handleKeyDeletion, type KeyDeletionDeps } from './handle-key-deletion.ts';
import type { MessageResult } from './message-result.ts';
import { outcomeOfError } from './outcome-of-error.ts';
import { placeEvent, type ProjectAccount } from './place-event.ts';

export type { MessageResult } from './message-result.ts';
export { outcomeOfError } from './outcome-of-error.ts';

export interface MessageDeps {
  projects: ReadonlyMap<string, string>;
  /** Project id → account (HUAWEICLOUD_ACCOUNTS); absent with one account: no account check. */
  accounts?: ReadonlyMap<string, ProjectAccount> | undefined;
  template: CompiledTemplate;
  dryRun: boolean;
  /** The idempotent create, already bound to the API, the retry policy and this message's meter. */
  ensure: (target: AliasTarget) => Promise<EnsureResult>;
  /** TAG_TEMPLATE on: the key gets its tags right after its alias, in the same message. */
  tags?: MessageTagDeps;
  /** What a key deletion trace does (ON_KEY_DELETION); absent: such traces are only audited. */
  keyDeletion?: Omit<KeyDeletionDeps, 'dryRun' | 'projects' | 'accounts' | 'recreate'>;
}

export interface MessageTagDeps {
  template: CompiledTagTemplate;
  /** The tag step (ensure-tags.ts), bound like `ensure`; fills `report` as it goes. May throw a KMS error. */
  ensure: (
    target: AliasTarget,
    desired: readonly Tag[],
    event: KeyCreated,
    report: TagReport,
  ) => Promise<EnsureTagsResult>;
}

/**
 * The per-message decision: normalise → check the project → derive the alias → ensure it.
 * Never throws: every failure becomes an `Outcome`, so one bad message cannot fail the batch.
 */
export async function processMessage(body: string, deps: MessageDeps): Promise<MessageResult> {
  // The project map places a replica whose trace omits its project (normalise-context.ts).
  const normalised = normaliseEvent(body, { projects: deps.projects });
  if (normalised.kind === 'skipped') {
    return { outcome: { kind: 'skipped', reason: normalised.reason, detail: normalised.detail } };
  }
  if (normalised.kind === 'invalid') {
    return { outcome: { kind: 'invalid', reason: normalised.reason, detail: normalised.detail } };
  }
  if (normalised.kind === 'key_deletion_scheduled' || normalised.kind === 'key_deletion_cancelled') {
    const recreate = (event: KeyCreated) => processKeyCreated(event, deps);
    const keyDeletion = deps.keyDeletion ?? KEEP_WITHOUT_CALLS;
    return handleKeyDeletion(normalised.kind, normalised.event, {
      ...keyDeletion,
      dryRun: deps.dryRun,
      projects: deps.projects,
      accounts: deps.accounts,
      recreate,
    });
  }
  return processKeyCreated(normalised.event, deps);
}

/** No deletion wiring: `keep`, which makes no call, so the port is never used. */
const KEEP_WITHOUT_CALLS: Omit<KeyDeletionDeps, 'dryRun' | 'projects' | 'accounts' | 'recreate'> = {
  mode: 'keep',
  conforms: () => false,
  api: {
    listKeyAliases: () => Promise.reject(new Error('no key deletion wiring')),
    deleteAliases: () => Promise.reject(new Error('no key deletion wiring')),
    describeKey: () => Promise.reject(new Error('no key deletion wiring')),
  },
  run: (_operation, fn) => fn(new AbortController().signal),
};

/** A new key (or, on a cancelled deletion, a key named again): check the project → derive the alias → ensure it. */
export async function processKeyCreated(event: KeyCreated, deps: MessageDeps): Promise<MessageResult> {
  // The region and the account come from configuration, never from the event: no field of an
  // event may choose the endpoint or the credentials (place-event.ts).
  const placed = placeEvent(event, deps);
  if (!placed.ok) return { event, outcome: placed.outcome };
  const { region } = placed;
  const account = placed.account === undefined ? {} : { account: placed.account.name };
  const derived = deriveAlias(deps.template, event);
  if (!derived.ok) {
    return {
      event,
      parts: derived.parts,
      ...account,
      outcome: {
        kind: 'failed',
        reason: derived.code.toLowerCase(),
        detail: derived.reason,
        error: toErrorSummary(new AliasNamingError(derived.code, derived.reason)),
        retryable: false,
      },
    };
  }
  const target: AliasTarget = { region, projectId: event.project_id, keyId: event.key_id, alias: derived.alias };
  const base = { event, target, parts: derived.parts, ...account };
  // Pure, so decided before any call; applied only once the alias is in place (tags never block it).
  const rendered = deps.tags === undefined ? undefined : renderTags(deps.tags.template, event, derived.alias);
  if (deps.dryRun) {
    if (rendered !== undefined && !rendered.ok)
      return { ...base, outcome: invalidTagsOutcome(derived.alias, rendered) };
    const tagged = rendered === undefined ? '' : `; would tag ${formatTags(rendered.tags)}`;
    return {
      ...base,
      outcome: {
        kind: 'skipped',
        reason: 'dry_run',
        detail: `would create ${derived.alias}${tagged}`,
        alias: derived.alias,
        ...(rendered === undefined ? {} : { tags: emptyTagReport(rendered.tags, 'planned') }),
      },
    };
  }
  let aliasOutcome: Outcome & { kind: 'created' | 'already_present' };
  try {
    const result = await deps.ensure(target);
    const requestId = result.requestId === undefined ? {} : { requestId: result.requestId };
    aliasOutcome =
      result.status === 'created'
        ? { kind: 'created', alias: derived.alias, ...requestId }
        : { kind: 'already_present', alias: derived.alias, ...requestId };
  } catch (err) {
    // An alias conflict or failure: no tags (a replay, once the alias is settled, applies them).
    return { ...base, outcome: outcomeOfError(err, derived.alias) };
  }
  if (deps.tags === undefined || rendered === undefined) return { ...base, outcome: aliasOutcome };
  if (!rendered.ok) return { ...base, outcome: invalidTagsOutcome(derived.alias, rendered) };
  const report = emptyTagReport(rendered.tags);
  const aliasSettled = {
    status: aliasOutcome.kind,
    ...(aliasOutcome.requestId === undefined ? {} : { requestId: aliasOutcome.requestId }),
  };
  try {
    const tagged = await deps.tags.ensure(target, rendered.tags, event, report);
    if (tagged.ok) return { ...base, outcome: { ...aliasOutcome, tags: tagged.report } };
    const error = toErrorSummary(
      new AppError(tagged.reason, {
        code: tagged.code,
        retry: false,
        ...(tagged.cause ? { cause: tagged.cause } : {}),
      }),
    );
    if (tagged.cause?.huaweiCode !== undefined) error.huawei_code = tagged.cause.huaweiCode;
    if (tagged.cause?.requestId !== undefined) error.request_id = tagged.cause.requestId;
    return {
      ...base,
      outcome: {
        kind: 'failed',
        alias: derived.alias,
        reason: tagged.code.toLowerCase(),
        detail: `alias ${derived.alias} is in place; tags not applied: ${tagged.reason}`,
        error,
        retryable: false,
        tags: tagged.report,
        aliasSettled,
      },
    };
  } catch (err) {
    const failed = outcomeOfError(err, derived.alias);
    return {
      ...base,
      outcome:
        failed.kind === 'failed'
          ? {
              ...failed,
              detail: `alias ${derived.alias} is in place; tags: ${failed.detail}`,
              tags: report,
              aliasSettled,
            }
          : failed,
    };
  }
}

/** The rendered tags break Huawei's rules: permanent, filed with the violations so it can be fixed and replayed. */
function invalidTagsOutcome(alias: string, rendered: Extract<ReturnType<typeof renderTags>, { ok: false }>): Outcome {
  return {
    kind: 'failed',
    alias,
    reason: 'invalid_tags',
    detail: `tags: ${rendered.reason}`,
    error: toErrorSummary(new AppError(`tags: ${rendered.reason}`, { code: 'INVALID_TAGS', retry: false })),
    retryable: false,
    tagViolations: rendered.violations,
  };
}
