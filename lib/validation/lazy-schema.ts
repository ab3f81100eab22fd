/**
 * Schemas on the Lambda path are written with zod's functional build, `zod/mini`
 * (https://zod.dev/packages/mini): the same parser (zod's core) behind a smaller API, so a cold
 * start loads and compiles less than zod's classic API, whose module defines every schema class
 * and attaches its methods to each schema built (docs/performance.md, cold start).
 *
 * Each schema is built on first use and kept: a cold start does not pay for shapes no message
 * has used yet. Building the first one also gives zod its English messages, as the classic API
 * does on its own: `zod/mini` leaves them out, and an issue a schema gives no message of its own
 * would read "Invalid input" without them.
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

function useEnglishMessages(): void {
  if (z.config().localeError === undefined) z.config(en());
}

/** Builds a schema (or a set of them) on first use and keeps it. */
export function lazySchema<T>(build: () => T): () => T {
  let value: T | undefined;
  let built = false;
  return () => {
    if (!built) {
      useEnglishMessages();
      value = build();
      built = true;
    }
    return value as T;
  };
}
