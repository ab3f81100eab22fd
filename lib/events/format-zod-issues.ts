import type * as z from 'zod/mini';
import { type InvalidReason, type InvalidResult, invalid } from './normalise-result.ts';

/** The field an issue is about decides the reason code; everything else is `invalid_field`. */
const REASON_BY_FIELD: ReadonlyMap<PropertyKey, InvalidReason> = new Map<PropertyKey, InvalidReason>([
  ['key_id', 'invalid_key_id'],
  ['project_id', 'invalid_project_id'],
  ['region', 'invalid_region'],
  ['region_id', 'invalid_region'],
]);

/** At most this many issues are listed; a hostile body can fail every field at once. */
const MAX_LISTED_ISSUES = 3;

/**
 * Turns a zod failure into an `invalid` result: the reason comes from the first issue's field,
 * the detail lists up to three issues as `path: message`, one per field.
 *
 * Zod's own messages never quote input values, and ours quote at most 40 characters.
 *
 * @param prefix where the parsed object sits in the body, e.g. `Message.cts.` (may be empty).
 */
export function invalidFromZodError(error: z.core.$ZodError, prefix: string): InvalidResult {
  const lines: string[] = [];
  const seen = new Set<string>();
  let reason: InvalidReason | undefined;
  for (const issue of error.issues) {
    const path = issue.path.map(String).join('.');
    if (seen.has(path)) continue;
    seen.add(path);
    reason ??= REASON_BY_FIELD.get(issue.path.at(-1) ?? '') ?? 'invalid_field';
    if (lines.length < MAX_LISTED_ISSUES) {
      const label = path === '' ? prefix.slice(0, -1) || 'body' : `${prefix}${path}`;
      lines.push(`${label}: ${issue.message}`);
    }
  }
  const more = seen.size > lines.length ? ` (and ${seen.size - lines.length} more)` : '';
  return invalid(reason ?? 'invalid_field', `${lines.join('; ')}${more}`);
}
