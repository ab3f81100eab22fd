import type { IngestTokenSource } from '../config/ingest-config.ts';
import { ingestTokenProblem } from './check-ingest-token.ts';

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
 * JSON `{"token": "..."}`, held to INGEST_TOKEN's rule (16–512 printable ASCII characters); a
 * secret that breaks it is a failed read. A failed read is not kept, so the next request tries again.
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
  let token = trimmed;
  if (trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      // Not JSON after all: the whole text is the token.
    }
    // A JSON document is never the token itself: its text is no secret once its value is empty
    // or under another name (`{"token": ""}` would be a token anyone can guess).
    if (typeof parsed === 'object' && parsed !== null) {
      const value: unknown = Reflect.get(parsed, 'token');
      if (typeof value !== 'string') throw new Error('the ingest token secret is JSON without a "token" string');
      token = value;
    }
  }
  // The rule INGEST_TOKEN is held to at cold start; the message names the rule, never the value.
  const problem = ingestTokenProblem(token);
  if (problem !== undefined) throw new Error(`the ingest token secret's token ${problem}`);
  return token;
}
