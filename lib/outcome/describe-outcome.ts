import type { Outcome } from './outcome.ts';

/**
 * An outcome in the flat terms every record of it uses: the audit record (lib/audit) and the DLQ
 * record (lib/dlq) both read this one description, so they cannot disagree about a message.
 */
export interface OutcomeDescription {
  kind: Outcome['kind'];
  /** The outcome's own reason (`not_json`, `kms_throttled`, `dry_run`); absent for created, already present, conflict. */
  reason: string | undefined;
  /**
   * What the message is filed under: `invalid:<reason>`, `failed:<reason>`, or the kind alone
   * (`conflict`, `created`...). The DLQ's `kms_auto_alias.reason` attribute, which replay-dlq
   * filters on.
   */
  filedUnder: string;
  /** `ALIAS_CONFLICT`, `INVALID_EVENT`, or the failure's error code; absent when nothing went wrong. */
  errorCode: string | undefined;
  /** Huawei's own code of a failure (`KMS.0207`, `APIGW.0308`). */
  huaweiCode: string | undefined;
  /**
   * The X-Request-Id that proves the outcome: the CreateAlias 201 (created), the refusal that led
   * to finding the alias (already present, conflict), or the failed call (failed).
   */
  requestId: string | undefined;
  /** For people: what happened and why. */
  detail: string | undefined;
  /** The alias the outcome is about, when it has one. */
  alias: string | undefined;
  /** The key that holds the alias (conflict). */
  existingKeyId: string | undefined;
  /** Whether trying the same message again could end otherwise (only failures can). */
  retryable: boolean;
}

/** Describes an outcome; pure. */
export function describeOutcome(outcome: Outcome): OutcomeDescription {
  const base = {
    kind: outcome.kind,
    reason: undefined,
    filedUnder: outcome.kind,
    errorCode: undefined,
    huaweiCode: undefined,
    requestId: undefined,
    detail: undefined,
    alias: undefined,
    existingKeyId: undefined,
    retryable: false,
  };
  switch (outcome.kind) {
    case 'created':
    case 'already_present':
      return { ...base, alias: outcome.alias, requestId: outcome.requestId };
    case 'skipped':
      return { ...base, reason: outcome.reason, detail: outcome.detail, alias: outcome.alias };
    case 'released':
      return {
        ...base,
        detail: outcome.detail,
        alias: outcome.released.length === 0 ? undefined : outcome.released.join(', '),
        requestId: outcome.requestId,
      };
    case 'invalid':
      return {
        ...base,
        reason: outcome.reason,
        filedUnder: `invalid:${outcome.reason}`,
        errorCode: 'INVALID_EVENT',
        detail: outcome.detail,
      };
    case 'conflict':
      return {
        ...base,
        errorCode: 'ALIAS_CONFLICT',
        requestId: outcome.requestId,
        detail: outcome.detail,
        alias: outcome.alias,
        existingKeyId: outcome.existingKeyId,
      };
    case 'failed':
      return {
        ...base,
        reason: outcome.reason,
        filedUnder: `failed:${outcome.reason}`,
        errorCode: outcome.error.code,
        huaweiCode: outcome.error.huawei_code,
        requestId: outcome.error.request_id,
        detail: outcome.detail,
        alias: outcome.alias,
        retryable: outcome.retryable,
      };
  }
}
