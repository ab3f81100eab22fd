/**
 * Tag drift of one key (issue 12 docs/huawei-kms.md#alias-api, TAG_TEMPLATE on), pure: compares what the tag template
 * renders for the key with the tags it carries. Only the template's own keys are managed; every
 * other tag of the key is none of our business and never reported.
 */
import type { KeyCreated } from '../events/key-created.ts';
import type { CompiledTagTemplate } from '../tags/compiled-tag-template.ts';
import { planTags, type Tag } from '../tags/plan-tags.ts';
import { renderTags } from '../tags/render-tags.ts';

export const TAG_DRIFT_KINDS = ['tag_missing', 'tag_drift', 'tag_case_variant', 'tags_invalid'] as const;
export type TagDriftKind = (typeof TAG_DRIFT_KINDS)[number];

export interface TagDriftItem {
  key_id: string;
  key_alias?: string;
  /**
   * `tag_missing`: a managed tag is absent (`backfill` would add it); `tag_drift`: it holds another
   * value; `tag_case_variant`: it exists only in another case; `tags_invalid`: the template cannot
   * give this key valid tags.
   */
  kind: TagDriftKind;
  tag?: string;
  expected?: string;
  found?: string;
  reason?: string;
}

/** The findings of one key whose alias is `alias`, given the tags it carries. */
export function findTagDrift(
  template: CompiledTagTemplate,
  key: { key_id: string; key_alias?: string | undefined; event: KeyCreated; alias: string },
  existing: readonly Tag[],
): TagDriftItem[] {
  const base = { key_id: key.key_id, ...(key.key_alias ? { key_alias: key.key_alias } : {}) };
  const rendered = renderTags(template, key.event, key.alias);
  if (!rendered.ok) return [{ ...base, kind: 'tags_invalid', reason: rendered.reason }];
  // Overwrite off: a value someone else set is drift to report, never something to replace here.
  const plan = planTags(rendered.tags, existing, { overwrite: false, semantics: 'overwrites' });
  return [
    ...plan.create.map((t): TagDriftItem => ({ ...base, kind: 'tag_missing', tag: t.key, expected: t.value })),
    ...plan.conflicts.map(
      (c): TagDriftItem => ({
        ...base,
        kind: c.reason === 'case-variant' ? 'tag_case_variant' : 'tag_drift',
        tag: c.existingKey,
        expected: c.desired,
        found: c.existing,
      }),
    ),
  ];
}
