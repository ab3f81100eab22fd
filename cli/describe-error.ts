import { scrubSecretText } from '../lib/audit/secret-registry.ts';
import { AppError, toErrorSummary } from '../lib/errors/app-error.ts';

/** A one-line, secret-free description of what stopped a command (scrubbed: it may quote a response). */
export function describeError(err: unknown): string {
  if (err instanceof AppError) {
    const summary = toErrorSummary(err);
    return scrubSecretText(`${summary.code}: ${summary.message}`);
  }
  return scrubSecretText(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
}
