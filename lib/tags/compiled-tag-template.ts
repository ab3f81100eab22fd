/**
 * Types shared by the tag template compiler and `renderTags`. A `CompiledTagTemplate` is only
 * meaningful when produced by `compileTagTemplate`, which has proved that it can yield valid tags.
 */
import type { AliasFilter } from '../naming/alias-filters.ts';
import type { EventFieldName, EventFieldReader } from '../naming/alias-fields.ts';
import type { AliasPart } from '../naming/compiled-template.ts';

/** Where a placeholder's value came from; `alias` is the alias chosen for this key. */
export type TagValuePartSource = 'event' | 'constant' | 'default' | 'alias';

/** How one placeholder of a tag value was filled: as in an alias, with `alias` as a source. */
export type TagValuePart = AliasPart<TagValuePartSource>;

/** One piece of a value template, evaluated in order by `renderTags`. */
export type TagValueSegment =
  | { readonly kind: 'literal'; readonly text: string }
  /** Constants are resolved (filters included) at compile time. */
  | { readonly kind: 'constant'; readonly part: Readonly<TagValuePart> }
  | {
      readonly kind: 'field';
      readonly placeholder: string;
      readonly field: EventFieldName;
      readonly read: EventFieldReader;
      readonly filters: readonly AliasFilter[];
      readonly filterSources: readonly string[];
    }
  | {
      readonly kind: 'alias';
      readonly placeholder: string;
      readonly filters: readonly AliasFilter[];
      readonly filterSources: readonly string[];
    };

/** One tag of the template: a literal key and its value template. */
export interface CompiledTag {
  readonly key: string;
  /** The value template as configured (trimmed). */
  readonly valueSource: string;
  readonly segments: readonly TagValueSegment[];
}

/** A tag template proven (by `compileTagTemplate`) able to produce valid tags. Frozen. */
export interface CompiledTagTemplate {
  /** The template as configured. */
  readonly source: string;
  /** In template order; keys are unique. */
  readonly tags: readonly CompiledTag[];
  /** The tag keys this deployment manages (the only ones it ever creates, reports or overwrites). */
  readonly keys: readonly string[];
  /** Event fields the template reads, in order of first use. */
  readonly fields: readonly EventFieldName[];
  /** True when some value uses `{alias}`: tags then need the alias decided first. */
  readonly usesAlias: boolean;
  /** Non-fatal advice for the cold-start log. */
  readonly warnings: readonly string[];
}
