/**
 * Schemas of KMS success bodies (docs/huawei-kms.md#alias-api, docs/huawei-kms.md#key-events, docs/huawei-kms.md#listing-keys) and pure parsers over them.
 * Tolerant where Huawei’s documentation is: extra fields are ignored, `null` counts as absent, ids and
 * times that arrive as numbers are kept as strings (docs/huawei-kms.md#alias-api: "treat them as opaque").
 */
import * as z from 'zod/mini';
import { lazySchema } from '../validation/lazy-schema.ts';
import { compiledObject, preparedOptional } from '../validation/schema-builders.ts';
import type { AliasEntity, KeyDetails } from './types.ts';

export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: string };

// Each schema is built on its first use (lazySchema). Only CreateAlias's answer is parsed on the
// happy path; the listing and key schemas serve the failure path and the operator tools, so a
// cold start does not build them (docs/performance.md, cold start).

const opaqueValue = (v: unknown): unknown => (v === null ? undefined : typeof v === 'number' ? String(v) : v);

/** An optional string field that may come as a number or null (a new schema on each call). */
export const opaqueString = () => preparedOptional(z.string(), opaqueValue);

const arrayOrEmpty = <T extends z.ZodMiniType>(item: T) =>
  z.pipe(
    z.transform((v: unknown) => (v === null || v === undefined ? [] : v)),
    z.array(item),
  );

/** CreateAlias's answer is parsed on the happy path, but built on the first one, not at init. */
export const AliasEntitySchema = lazySchema(() =>
  compiledObject({
    alias: z.string().check(z.minLength(1)),
    key_id: z.string().check(z.minLength(1)),
    domain_id: opaqueString(),
    alias_urn: opaqueString(),
    create_time: opaqueString(),
    update_time: opaqueString(),
  }),
);

/**
 * docs/huawei-kms.md#alias-api: the wire format is an object `{aliases, page_info}`; the docs' table and SDK models say
 * an array of such objects. Both are accepted (unverified which one every region sends).
 */
const ListAliasesResponseSchema = lazySchema(() => {
  const AliasPageSchema = z.object({
    aliases: arrayOrEmpty(AliasEntitySchema()),
    page_info: z.pipe(
      z.transform((v: unknown) => (v === null ? undefined : v)),
      z.optional(z.object({ next_marker: opaqueString() })),
    ),
  });
  return z.union([AliasPageSchema, z.array(AliasPageSchema)]);
});

const KeyDetailsSchema = lazySchema(() =>
  z.object({
    key_id: z.string().check(z.minLength(1)),
    domain_id: opaqueString(),
    key_alias: opaqueString(),
    realm: opaqueString(),
    key_spec: opaqueString(),
    key_usage: opaqueString(),
    key_description: opaqueString(),
    creation_date: opaqueString(),
    scheduled_deletion_date: opaqueString(),
    expiration_time: opaqueString(),
    key_state: opaqueString(),
    default_key_flag: opaqueString(),
    key_type: opaqueString(),
    origin: opaqueString(),
    key_rotation_enabled: opaqueString(),
    sys_enterprise_project_id: opaqueString(),
    keystore_id: opaqueString(),
  }),
);

const ListKeysResponseSchema = lazySchema(() => {
  /** docs/huawei-kms.md#listing-keys: `truncated` is the string "true"/"false"; a boolean is accepted too. */
  const truncatedFlag = z.pipe(
    z.transform((v: unknown) => {
      if (v === 'true' || v === true) return true;
      if (v === 'false' || v === false || v === null || v === undefined) return false;
      return v;
    }),
    z.boolean(),
  );
  const optionalCount = z.pipe(
    z.transform((v: unknown) =>
      v === null ? undefined : typeof v === 'string' && /^[0-9]{1,15}$/.test(v) ? Number(v) : v,
    ),
    z.optional(z.int().check(z.nonnegative())),
  );
  return z.object({
    keys: arrayOrEmpty(z.string()),
    key_details: arrayOrEmpty(KeyDetailsSchema()),
    next_marker: opaqueString(),
    truncated: truncatedFlag,
    total: optionalCount,
  });
});

const DescribeKeyResponseSchema = lazySchema(() => z.object({ key_info: KeyDetailsSchema() }));

/** Parses `json` with `schema`; the failure reason names the path and the rule, never the value. */
export function parseWithSchema<T>(schema: z.core.$ZodType<T>, json: unknown): ParseResult<T> {
  const parsed = z.safeParse(schema, json);
  if (parsed.success) return { ok: true, value: parsed.data };
  // Paths and messages only: never the received values.
  const first = parsed.error.issues[0];
  const where = first === undefined || first.path.length === 0 ? 'body' : first.path.join('.');
  return { ok: false, reason: `${where}: ${first?.message ?? 'unexpected shape'}` };
}

function emptyToUndefined(marker: string | undefined): string | undefined {
  return marker === undefined || marker.trim() === '' ? undefined : marker;
}

/** Parses a ListAliases body of either shape into one page. */
export function parseListAliasesBody(
  json: unknown,
): ParseResult<{ aliases: AliasEntity[]; nextMarker: string | undefined }> {
  const parsed = parseWithSchema(ListAliasesResponseSchema(), json);
  if (!parsed.ok) return parsed;
  const pages = Array.isArray(parsed.value) ? parsed.value : [parsed.value];
  const last = pages.at(-1);
  return {
    ok: true,
    value: {
      aliases: pages.flatMap((page) => page.aliases),
      nextMarker: emptyToUndefined(last?.page_info?.next_marker),
    },
  };
}

/** Parses a CreateAlias / AssociateAlias body (the alias object, docs/huawei-kms.md#alias-api). */
export function parseAliasBody(json: unknown): ParseResult<AliasEntity> {
  const plain = plainAliasEntity(json);
  return plain === undefined ? parseWithSchema(AliasEntitySchema(), json) : { ok: true, value: plain };
}

const OPTIONAL_ALIAS_FIELDS = ['domain_id', 'alias_urn', 'create_time', 'update_time'] as const;

/**
 * The answer as KMS gives it, every field a string, taken without zod: the value the schema gives
 * such a body (the shape's fields in its order, an optional one only when the body has it, no
 * other key). Any other body (a number or a null to convert, an id missing or empty, an inherited
 * key) goes through the schema, which decides and words the failure. Once a message on the happy
 * path, the schema's parse was about 2 % of its CPU time (docs/performance.md).
 */
function plainAliasEntity(json: unknown): AliasEntity | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const body = json as Record<string, unknown>;
  const { alias, key_id } = body;
  if (typeof alias !== 'string' || alias === '' || typeof key_id !== 'string' || key_id === '') return undefined;
  if (!Object.hasOwn(body, 'alias') || !Object.hasOwn(body, 'key_id')) return undefined;
  const entity: AliasEntity = { alias, key_id };
  for (const field of OPTIONAL_ALIAS_FIELDS) {
    if (!(field in body)) continue;
    const value = body[field];
    if (typeof value !== 'string' || !Object.hasOwn(body, field)) return undefined;
    entity[field] = value;
  }
  return entity;
}

/** Parses a ListKeys body (docs/huawei-kms.md#listing-keys). */
export function parseListKeysBody(json: unknown): ParseResult<{
  keys: string[];
  keyDetails: KeyDetails[];
  nextMarker: string | undefined;
  truncated: boolean;
  total: number | undefined;
}> {
  const parsed = parseWithSchema(ListKeysResponseSchema(), json);
  if (!parsed.ok) return parsed;
  const { keys, key_details, next_marker, truncated, total } = parsed.value;
  return {
    ok: true,
    value: { keys, keyDetails: key_details, nextMarker: emptyToUndefined(next_marker), truncated, total },
  };
}

/** Parses a DescribeKey body `{key_info}` (docs/huawei-kms.md#listing-keys). */
export function parseDescribeKeyBody(json: unknown): ParseResult<KeyDetails> {
  const parsed = parseWithSchema(DescribeKeyResponseSchema(), json);
  return parsed.ok ? { ok: true, value: parsed.value.key_info } : parsed;
}
