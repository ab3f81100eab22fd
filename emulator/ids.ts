// Identifier generators. Formats follow what Huawei returns: 32-hex request ids (docs/huawei-kms.md#error-bodies,
// the flat APIG body example), lower-case UUID key ids (docs/huawei-kms.md#key-ids key-id regex).
import { createHash, randomBytes, randomUUID } from 'node:crypto';

export function newRequestId(): string {
  return randomBytes(16).toString('hex');
}

export function newKeyId(): string {
  return randomUUID();
}

/** A stable 32-hex id derived from names, for IAM user/agency ids that tests never need to know. */
export function stableHexId(...parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
}

/** An opaque token; real IAM tokens are long base64 strings starting with "MII". */
export function newIamToken(): string {
  return `MIIemu${randomBytes(48).toString('base64url')}`;
}
