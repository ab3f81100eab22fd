/**
 * What to do when `POST …/tags/action` (`create`) fails. Pure: it reads the status, the
 * Huawei error code and message that the KMS client already parsed.
 *
 * KMS documents these tag codes (Error Codes page,
 * https://support.huaweicloud.com/intl/en-us/api-dew/ErrorCode.html; HTTP 400 shown for
 * KMS.0401, the others inferred from their neighbours):
 * KMS.0401 empty tag list, 0404 bad action, 0405 bad value, 0406 bad key, 0407 bad tag list
 * length, 0409 too many tags, 0410 value length, 0411 key length, 0412/0413 key/value list length.
 * No code is documented for "the key already has this tag key with another value" (if Huawei
 * rejects that at all, see plan-tags.ts), so a tag-key error, a generic KMS.0308 and a message
 * that says "exist" or "duplicate" are all read as "maybe": list the tags and plan again, once.
 */

/** The parts of a failed call this classifier reads. */
export interface TagFailure {
  status?: number | undefined;
  /** Huawei error code, e.g. `KMS.0409`. */
  code?: string | undefined;
  message?: string | undefined;
}

export type TagFailureAction =
  /** The key's existing tags may explain it (limit reached, key exists): list, then `planTags`, once. */
  | 'list-and-replan'
  /** Huawei refused a tag our rules accepted: permanent (INVALID_TAGS), and a surprise worth a metric. */
  | 'invalid-tags'
  /** Not a tag problem: the usual retry/permanent classification of KMS errors applies. */
  | 'not-a-tag-failure';

/** Codes that the key's existing tags can explain. */
export const TAG_REPLAN_CODES: ReadonlySet<string> = new Set(['KMS.0409', 'KMS.0406', 'KMS.0308']);
/** Codes that mean the tags themselves were refused. */
export const TAG_INVALID_CODES: ReadonlySet<string> = new Set([
  'KMS.0401',
  'KMS.0404',
  'KMS.0405',
  'KMS.0407',
  'KMS.0410',
  'KMS.0411',
  'KMS.0412',
  'KMS.0413',
]);

const EXISTS_MESSAGE = /\b(exist|exists|existing|duplicate|duplicated|already)\b/i;

/**
 * Classifies a failed tag `create`.
 *
 * @example classifyTagFailure({ status: 400, code: 'KMS.0409' })  // 'list-and-replan'
 * @example classifyTagFailure({ status: 429, code: 'APIGW.0308' }) // 'not-a-tag-failure'
 */
export function classifyTagFailure(failure: TagFailure): TagFailureAction {
  const status = failure.status ?? 0;
  if (status < 400 || status >= 500 || status === 401 || status === 403 || status === 429) {
    return 'not-a-tag-failure';
  }
  const code = failure.code ?? '';
  if (TAG_REPLAN_CODES.has(code)) return 'list-and-replan';
  if (TAG_INVALID_CODES.has(code)) return 'invalid-tags';
  if (EXISTS_MESSAGE.test(failure.message ?? '') && /tag/i.test(failure.message ?? '')) return 'list-and-replan';
  return 'not-a-tag-failure';
}
