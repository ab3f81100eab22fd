/**
 * Types shared by the compiler and `deriveAlias`. A `CompiledTemplate` is only meaningful when
 * produced by `compileAliasTemplate`, which has proved that it can yield a valid alias.
 */
import type { AliasFilter } from './alias-filters.ts';
import type { EventFieldName, EventFieldReader } from './alias-fields.ts';

/** Where a placeholder's value came from. */
export type AliasPartSource = 'event' | 'constant' | 'default';

/**
 * How one placeholder was filled; `deriveAlias` returns one per placeholder, in order. The tag
 * templates (lib/tags) fill theirs the same way, with one more source (`alias`).
 */
export interface AliasPart<Source extends string = AliasPartSource> {
  /** As written: `{key_alias|slug}`. */
  placeholder: string;
  source: Source;
  /** Event field or constant name. */
  field: string;
  /** Value before filters (`""` when the field is missing). */
  raw: string;
  /** Value after filters, as it appears in the alias. */
  value: string;
  /** Filters as written: `['slug', 'truncate:20']`. */
  filters: string[];
}

/** One piece of a compiled template, evaluated in order by `deriveAlias`. */
export type TemplateSegment =
  | { readonly kind: 'literal'; readonly text: string }
  /** Constants are resolved (filters included) at compile time. */
  | { readonly kind: 'constant'; readonly part: Readonly<AliasPart> }
  | {
      readonly kind: 'field';
      readonly placeholder: string;
      readonly field: EventFieldName;
      readonly read: EventFieldReader;
      readonly filters: readonly AliasFilter[];
      readonly filterSources: readonly string[];
    };

/** A template proven (by `compileAliasTemplate`) able to produce a valid alias. Frozen. */
export interface CompiledTemplate {
  /** The template as configured. */
  readonly source: string;
  readonly segments: readonly TemplateSegment[];
  /** Event fields the template reads, in order of first use. */
  readonly fields: readonly EventFieldName[];
  /** Non-fatal advice for the cold-start log (e.g. a free-text field without `|slug`). */
  readonly warnings: readonly string[];
}
