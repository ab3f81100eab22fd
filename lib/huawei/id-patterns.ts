/**
 * The shapes of Huawei's ids, in one place: configuration checks them at cold start, the event
 * normaliser on every message, and the clients before an id goes into a host name or a path. One
 * definition, so a value can never pass one check and fail a stricter one later (a region that
 * the configuration accepted but the endpoint builder refused sent every message to the DLQ).
 */

/**
 * Region ids as Huawei spells them: `cn-north-4`, `ap-southeast-1`, `eu-west-101`,
 * `my-kualalumpur-1`, `ae-ad-1`: a two-letter prefix, one to three words, then a number
 * (docs/huawei-kms.md#endpoints). Strict, because the id becomes part of a host name.
 */
export const REGION_ID_PATTERN = /^[a-z]{2}(?:-[a-z]{2,20}){1,3}-[0-9]{1,3}$/;

/** IAM project ids: 32 characters of `[0-9a-zA-Z]`, hex in every example (docs/huawei-kms.md#key-ids). */
export const PROJECT_ID_PATTERN = /^[0-9a-zA-Z]{32}$/;

/** KMS key ids: 36 characters, 8-4-4-4-12 of `[0-9a-z]` (docs/huawei-kms.md#key-ids). */
export const KEY_ID_PATTERN = /^[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}$/;

/** Whether `region` is a syntactically valid Huawei region id. */
export function isRegionId(region: string): boolean {
  return REGION_ID_PATTERN.test(region);
}
