import type { IngestTokenSource } from '../config/ingest-config.ts';

/** Returns the expected token, or undefined when none is configured. */
export type ExpectedToken = () => Promise<string | undefined>;

export interface TokenSourceOptions {
  /** Reads a secret's text (lib/config/fetch-aws-secret.ts `fetchAwsSecretText` in Lambda). */
  readSecret: (id: string) => Promise<string>;
  /** How long a token read from the secret is kept, so that a rotation takes effect. */
  ttlMs?: number;
  now?: () => number;
}

/**
 * The expected ingest token. From Secrets Manager it is read on first use (the extension answers
 * once the runtime is up) and kept for `ttlMs`. The secret holds the token as plain text, or as
 * JSON `{"token": "..."}`. A failed read is not kept, so the next request tries again.
 */
export function createTokenSource(source: IngestTokenSource, options: TokenSourceOptions): ExpectedToken {
  if (source.kind === 'none') return async () => undefined;
  if (source.kind === 'value') return async () => source.value;
  const ttlMs = options.ttlMs ?? 300_000;
  const now = options.now ?? Date.now;
  let cached: { value: Promise<string>; at: number } | undefined;
  return () => {
    if (cached === undefined || now() - cached.at > ttlMs) {
      const value = options.readSecret(source.id).then(tokenOf);
      const entry = { value, at: now() };
      cached = entry;
      value.catch(() => {
        if (cached === entry) cached = undefined;
      });
    }
    return cached.value;
  };
}

function tokenOf(text: string): string {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      const parsed = JSON.parse(trimmed) as { token?: unknown };
      if (typeof parsed.token === 'string' && parsed.token !== '') return parsed.token;
    } catch {
      // Not JSON after all: the whole text is the token.
    }
  }
  if (trimmed === '') throw new Error('the ingest token secret is empty');
  return trimmed;
}
