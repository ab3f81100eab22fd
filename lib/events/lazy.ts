/**
 * Builds a value on first use and keeps it. The event schemas are built this way: zod spends
 * most of a cold start's application time constructing schemas (docs/performance.md, cold start),
 * and a shape's schemas are only needed once a message of that shape arrives.
 */
export function lazy<T>(build: () => T): () => T {
  let value: T | undefined;
  let built = false;
  return () => {
    if (!built) {
      value = build();
      built = true;
    }
    return value as T;
  };
}
