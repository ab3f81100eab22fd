/**
 * The retry class of a failed Huawei answer, decided once, when the error is built (as smithy's
 * `service-error-classification` does with constant tables and tiny predicates). The codes and
 * statuses are Huawei's: `docs/huawei-kms.md#error-codes` and `docs/huawei-kms.md#rate-limits`.
 *
 * | Failure                                                 | retry class        |
 * |---------------------------------------------------------|--------------------|
 * | HTTP 429, `APIGW.0308` / `APIG.0308` on any status       | `throttling`       |
 * | `KMS.0101` / `KMS.0102` on any status                    | `transient`        |
 * | `KMS.0207` (key not visible yet right after CreateKey)   | `not-yet-visible`  |
 * | HTTP 500/502/503/504                                     | `transient`        |
 * | anything else (4xx, 3xx, 501...)                         | false (permanent)  |
 *
 * A 401 (or a code of {@link CREDENTIAL_REFUSED_CODES}) after the auth provider dropped its
 * token is `auth-refresh`: kms-client.ts decides that, since only it knows the provider's answer.
 */
import type { RetryClass } from '../errors/app-error.ts';

/** APIGW.0308 comes with 429. */
export const THROTTLING_STATUS_CODES: ReadonlySet<number> = new Set([429]);

/** Huawei says to retry 500, 502, 504 (and 429); 503 is the standard "try later". */
export const RETRYABLE_STATUS_CODES: ReadonlySet<number> = new Set([500, 502, 503, 504]);

/** Gateway throttling; the same text is also published as `APIG.0308`. */
export const THROTTLING_CODES: ReadonlySet<string> = new Set(['APIGW.0308', 'APIG.0308']);

/** KMS internal error / abnormal I/O (HTTP 500 in Huawei's example). */
export const TRANSIENT_SERVER_CODES: ReadonlySet<string> = new Set(['KMS.0101', 'KMS.0102']);

/**
 * "Key does not exist". Right after CreateKey the key may not be visible to KMS reads yet
 * (eventual consistency, UNVERIFIED), so it is retried, but only inside a short window (lib/retry).
 */
export const NOT_VISIBLE_CODES: ReadonlySet<string> = new Set(['KMS.0207']);

/**
 * The credentials were refused: the token is empty, invalid or expired (KMS.0301–0303, the gateway's
 * APIGW.0301 and APIGW.0307 "The token must be updated", https://support.huaweicloud.com/en-us/ocr_faq/ocr_01_0089.html),
 * or names another project (KMS.0305). The status of the KMS codes is unverified
 * (docs/huawei-kms.md#error-codes: 401 likely), so they count on any status, as a 401 does.
 */
export const CREDENTIAL_REFUSED_CODES: ReadonlySet<string> = new Set([
  'KMS.0301',
  'KMS.0302',
  'KMS.0303',
  'KMS.0305',
  'APIGW.0301',
  'APIG.0301',
  'APIGW.0307',
  'APIG.0307',
]);

/** A 401, or a code that says the credentials (the token) were refused, on any status. */
export const isCredentialRefused = (status: number, huaweiCode: string | undefined): boolean =>
  status === 401 || (huaweiCode !== undefined && CREDENTIAL_REFUSED_CODES.has(huaweiCode));

/** 429, or a gateway throttling code on any status. */
export const isThrottlingFailure = (status: number, huaweiCode: string | undefined): boolean =>
  THROTTLING_STATUS_CODES.has(status) || (huaweiCode !== undefined && THROTTLING_CODES.has(huaweiCode));

/** KMS.0101 / KMS.0102: internal error or abnormal I/O. */
export const isTransientServerCode = (huaweiCode: string | undefined): boolean =>
  huaweiCode !== undefined && TRANSIENT_SERVER_CODES.has(huaweiCode);

/** KMS.0207: the key is not (yet) visible. */
export const isNotVisibleFailure = (huaweiCode: string | undefined): boolean =>
  huaweiCode !== undefined && NOT_VISIBLE_CODES.has(huaweiCode);

/** 500/502/503/504. */
export const isRetryableStatus = (status: number): boolean => RETRYABLE_STATUS_CODES.has(status);

/** The retry class of an HTTP failure (status outside 2xx) per the table above. */
export function classifyHuaweiFailure(status: number, huaweiCode: string | undefined): RetryClass {
  if (isThrottlingFailure(status, huaweiCode)) return 'throttling';
  if (isTransientServerCode(huaweiCode)) return 'transient';
  if (isNotVisibleFailure(huaweiCode)) return 'not-yet-visible';
  if (isRetryableStatus(status)) return 'transient';
  return false;
}
