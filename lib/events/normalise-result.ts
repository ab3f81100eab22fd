import type { KeyCreated } from './key-created.ts';
import type { KeyDeletion } from './key-deletion.ts';
import { MAX_DETAIL_LENGTH } from './event-limits.ts';

/**
 * Why a well-formed message was deliberately ignored. Skips are not errors: the queue may carry
 * traces of other operations (a CTS trigger or EventGrid rule wider than `KMS:cmk:createKey`).
 */
export const SKIP_REASONS = [
  /** The trace is from another service (`service_type` is not `KMS`). */
  'not_kms',
  /** A KMS trace of another operation or resource type (not `cmk`/`createKey`/`replicateKey`). */
  'not_create_key',
  /** The call failed (`code` not 2xx, or an error code in the trace or its response), so it changed nothing. */
  'failed_call',
  /**
   * A replicateKey trace that names no project for the new key, whose region has no single
   * configured project: placing the key there would be a guess (it could alias another project).
   */
  'replica_project_unresolved',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/** Why a message cannot be used. Invalid messages belong in the DLQ, with `detail` attached. */
export const INVALID_REASONS = [
  /** The body exceeds `MAX_BODY_BYTES`. */
  'body_too_large',
  /** The body, or a string that must hold JSON (`Message`, `data`, `request`, `response`), is not JSON. */
  'not_json',
  /** Valid JSON, but none of the supported shapes. */
  'unknown_shape',
  /** More nested SNS/EventBridge wrappers than `MAX_ENVELOPE_DEPTH`. */
  'envelope_too_deep',
  /** An SNS or EventBridge wrapper whose payload field has the wrong type. */
  'invalid_envelope',
  /** A CloudEvent with another `specversion`, or without usable `data`. */
  'invalid_cloudevent',
  /** Key id missing, or not a KMS key id (docs/huawei-kms.md#key-ids). */
  'invalid_key_id',
  /** Project id missing, or not 32 characters of `[0-9a-zA-Z]` (docs/huawei-kms.md#key-ids). */
  'invalid_project_id',
  /** Region present but not a plausible region id (`cn-north-4`). */
  'invalid_region',
  /** Any other field with a wrong type, an excessive length or control characters. */
  'invalid_field',
  /** A bug: normalisation threw. `detail` carries the error's name and message. */
  'internal',
] as const;
export type InvalidReason = (typeof INVALID_REASONS)[number];

/**
 * The outcome of `normaliseEvent`: one usable event, or a machine-readable reason plus a
 * human sentence naming the field at fault. `detail` never quotes more than about 100 characters
 * of the input.
 */
export type NormaliseResult =
  | { kind: 'key_created'; event: KeyCreated }
  /** `scheduleKeyDeletion` / `cancelKeyDeletion` traces (ON_KEY_DELETION, docs/huawei-kms.md#key-deletion). */
  | { kind: 'key_deletion_scheduled'; event: KeyDeletion }
  | { kind: 'key_deletion_cancelled'; event: KeyDeletion }
  | { kind: 'skipped'; reason: SkipReason; detail: string }
  | { kind: 'invalid'; reason: InvalidReason; detail: string };

export type NormaliseFailure = Extract<NormaliseResult, { kind: 'skipped' | 'invalid' }>;
export type InvalidResult = Extract<NormaliseResult, { kind: 'invalid' }>;

function clipDetail(detail: string): string {
  return detail.length > MAX_DETAIL_LENGTH ? `${detail.slice(0, MAX_DETAIL_LENGTH - 1)}…` : detail;
}

/** Builds an `invalid` result; the detail is clipped to `MAX_DETAIL_LENGTH`. */
export function invalid(reason: InvalidReason, detail: string): InvalidResult {
  return { kind: 'invalid', reason, detail: clipDetail(detail) };
}

/** Builds a `skipped` result; the detail is clipped to `MAX_DETAIL_LENGTH`. */
export function skipped(reason: SkipReason, detail: string): NormaliseFailure {
  return { kind: 'skipped', reason, detail: clipDetail(detail) };
}
