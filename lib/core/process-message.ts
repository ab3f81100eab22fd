import { AliasConflictError, AliasNamingError, AppError, toErrorSummary } from '../errors/app-error.ts';
import type { KeyCreated } from '../events/key-created.ts';
import { normaliseEvent } from '../events/normalise-event.ts';
import type { CompiledTemplate } from '../naming/compile-alias-template.ts';
import { deriveAlias, type AliasPart } from '../naming/derive-alias.ts';
import type { AliasTarget, EnsureResult } from './ensure-alias.ts';
import type { Outcome } from '../outcome/outcome.ts';

export interface MessageDeps {
  projects: ReadonlyMap<string, string>;
  template: CompiledTemplate;
  dryRun: boolean;
  /** The idempotent create, already bound to the API, the retry policy and this message's meter. */
  ensure: (target: AliasTarget) => Promise<EnsureResult>;
}

export interface MessageResult {
  outcome: Outcome;
  event?: KeyCreated;
  target?: AliasTarget;
  parts?: AliasPart[];
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
  const event = normalised.event;
  // The region comes from configuration, never from the event: no field of an event may choose
  // the endpoint the credentials are sent to.
  const region = deps.projects.get(event.project_id);
  if (region === undefined) {
    return {
      event,
      outcome: {
        kind: 'skipped',
        reason: 'project_not_configured',
        detail: `project ${event.project_id} is not in the configured project map`,
      },
    };
  }
  if (event.region !== undefined && event.region !== region) {
    return {
      event,
      outcome: {
        kind: 'invalid',
        reason: 'region_mismatch',
        detail: `event says region ${event.region} but project ${event.project_id} is configured for ${region}`,
      },
    };
  }
  const derived = deriveAlias(deps.template, event);
  if (!derived.ok) {
    return {
      event,
      parts: derived.parts,
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
  const base = { event, target, parts: derived.parts };
  if (deps.dryRun) {
    return {
      ...base,
      outcome: { kind: 'skipped', reason: 'dry_run', detail: `would create ${derived.alias}`, alias: derived.alias },
    };
  }
  try {
    const result = await deps.ensure(target);
    const requestId = result.requestId === undefined ? {} : { requestId: result.requestId };
    return result.status === 'created'
      ? { ...base, outcome: { kind: 'created', alias: derived.alias, ...requestId } }
      : { ...base, outcome: { kind: 'already_present', alias: derived.alias, ...requestId } };
  } catch (err) {
    return { ...base, outcome: outcomeOfError(err, derived.alias) };
  }
}

/** Pure mapping from a thrown error to an outcome; unknown errors count as transient. */
export function outcomeOfError(err: unknown, alias: string): Outcome {
  if (err instanceof AliasConflictError) {
    return {
      kind: 'conflict',
      alias,
      existingKeyId: err.existingKeyId,
      detail: `alias ${alias} already belongs to key ${err.existingKeyId}; not moved`,
    };
  }
  const error = toErrorSummary(err);
  const retryable = err instanceof AppError ? err.retryable : true;
  return { kind: 'failed', alias, reason: error.code.toLowerCase(), detail: error.message, error, retryable };
}
