/**
 * The canonical event a custom producer can send instead of a CTS trace:
 * `{"type": "kms.key.created", "key_id", "project_id", ...}`. Field names match `KeyCreated`.
 */
import * as z from 'zod/mini';
import { ctsTraceSchemas } from './cts-trace-schema.ts';
import { fieldSchemas, objectSchema, optionalField } from './field-schemas.ts';
import { lazySchema } from '../validation/lazy-schema.ts';

/** The only canonical `type` this function acts on. */
export const CANONICAL_EVENT_TYPE = 'kms.key.created';

function buildCanonicalEventSchema() {
  const { CodeSchema, IdentifierSchema, KeyIdSchema, NameSchema, ProjectIdSchema, RegionIdSchema, TimestampSchema } =
    fieldSchemas();
  const CanonicalCreatorSchema = objectSchema({
    name: optionalField(NameSchema),
    id: optionalField(IdentifierSchema),
    type: optionalField(CodeSchema),
    domain_name: optionalField(NameSchema),
  });

  /** `created_by` is a plain name or a `KeyCreator`-shaped object; a name becomes `{name}`. */
  const CreatedBySchema = z.pipe(
    z.transform((value: unknown) => (typeof value === 'string' ? { name: value } : value)),
    CanonicalCreatorSchema,
  );

  /** The canonical event; only `type`, `key_id` and `project_id` are required. */
  return objectSchema({
    type: z.literal(CANONICAL_EVENT_TYPE, { error: `must be "${CANONICAL_EVENT_TYPE}"` }),
    key_id: KeyIdSchema,
    project_id: ProjectIdSchema,
    region: optionalField(RegionIdSchema),
    domain_id: optionalField(IdentifierSchema),
    // The CreateKey request fields, validated as in a trace's `request`.
    ...ctsTraceSchemas().CreateKeyRequestSchema.shape,
    created_by: optionalField(CreatedBySchema),
    created_at: optionalField(TimestampSchema),
    trace_id: optionalField(IdentifierSchema),
  });
}

/** The canonical event schema, built when the first canonical event arrives. */
export const canonicalEventSchema = lazySchema(buildCanonicalEventSchema);
export type CanonicalEvent = z.infer<ReturnType<typeof canonicalEventSchema>>;
