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
