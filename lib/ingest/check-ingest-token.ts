import { createHash, timingSafeEqual } from 'node:crypto';

/** The header that carries the shared token (EventGrid webhook header, SMN subscription extension header). */
export const INGEST_TOKEN_HEADER = 'x-ingest-token';

/**
 * Compares a presented token with the expected one in constant time: both are hashed first, so
 * the comparison neither leaks the expected length nor throws on different lengths
 * (`timingSafeEqual` requires equal lengths).
 */
export function tokenMatches(expected: string, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  const a = createHash('sha256').update(expected, 'utf8').digest();
  const b = createHash('sha256').update(presented, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/**
 * Why a value cannot serve as the ingest token, or undefined when it can. One rule for both
 * sources, INGEST_TOKEN and the Secrets Manager secret: SMN custom header values are ASCII
 * (docs/huawei-kms.md#smn-delivery), and a shorter shared secret can be guessed.
 */
export function ingestTokenProblem(value: string): string | undefined {
  if (value.length < 16) return 'must be at least 16 characters (a shared secret shorter than that can be guessed)';
  if (value.length > 512) return 'must be at most 512 characters';
  if (!/^[\x21-\x7e]+$/.test(value)) return 'must be printable ASCII without spaces (it travels as an HTTP header)';
  return undefined;
}
