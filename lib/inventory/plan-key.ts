import type { KeyCreated } from '../events/key-created.ts';
import type { KeyDetails } from '../huawei/types.ts';
import type { CompiledTemplate } from '../naming/compile-alias-template.ts';
import { type AliasPart, deriveAlias } from '../naming/derive-alias.ts';
import { type KeyScope, keyCreatedFromDetails } from './key-created-from-details.ts';
import { type KeySkip, keySkipOf } from './key-skip-reason.ts';

/** What the naming convention asks for one listed key. */
export type KeyPlan =
  | ({ kind: 'skip' } & KeySkip)
  | { kind: 'naming_failed'; code: 'MISSING_FIELD' | 'INVALID_ALIAS'; reason: string; parts: AliasPart[] }
  /** `event`: the key as the handler would read it (tags render from it). */
  | { kind: 'alias'; alias: string; parts: AliasPart[]; event: KeyCreated };

/**
 * The one decision backfill and reconcile share: skip the key (with a reason), or derive its
 * alias exactly as the handler would (`keyCreatedFromDetails` → `deriveAlias`). Pure.
 */
export function planKey(details: KeyDetails, template: CompiledTemplate, scope: KeyScope): KeyPlan {
  const skip = keySkipOf(details);
  if (skip !== undefined) return { kind: 'skip', ...skip };
  const event = keyCreatedFromDetails(details, scope);
  const derived = deriveAlias(template, event);
  if (!derived.ok) return { kind: 'naming_failed', code: derived.code, reason: derived.reason, parts: derived.parts };
  return { kind: 'alias', alias: derived.alias, parts: derived.parts, event };
}
