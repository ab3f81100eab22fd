/**
 * Bounds applied while normalising a message body. They exist so that one hostile or broken
 * message costs a bounded amount of work and log space, whatever it contains.
 */

/** SQS's own message size limit (256 KiB); anything larger did not come through SQS unchanged. */
export const MAX_BODY_BYTES = 256 * 1024;

/** SNS/SMN/EventBridge wrappers peeled before giving up (SNS → EventBridge → SNS is already contrived). */
export const MAX_ENVELOPE_DEPTH = 3;

/** Most characters of raw input quoted back in one `detail` string. */
export const MAX_QUOTED_INPUT = 40;

/** Longest `detail` string returned, whatever produced it. */
export const MAX_DETAIL_LENGTH = 400;

/** Longest ids (domain, user, trace, enterprise project) and short codes (`key_spec`...). */
export const MAX_IDENTIFIER_LENGTH = 128;

/** CreateKey limits `key_alias` to 255 characters (docs/huawei-kms.md#key-events). */
export const MAX_NAME_LENGTH = 255;

/** CreateKey allows 255 for `key_description` (docs/huawei-kms.md#key-events); a margin covers multi-unit characters. */
export const MAX_DESCRIPTION_LENGTH = 1024;

/** `resource_id` may be a URN ending in the key id (docs/huawei-kms.md#key-events, unverified), so it is longer than an id. */
export const MAX_RESOURCE_ID_LENGTH = 512;
