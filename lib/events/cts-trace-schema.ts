/**
 * Schemas for a CTS trace of KMS `createKey` (docs/huawei-kms.md#key-events). A trace is read in stages so that
 * traces we do not care about are *skipped* before their other fields are judged:
 * {@link CtsTraceHeaderSchema} (which operation?) → {@link CtsCallStatusSchema} (did it
 * succeed?) → {@link CtsCreateKeyTraceSchema} plus the decoded `request`/`response` bodies.
 * Unknown fields are stripped by zod, so `__proto__`/`constructor` keys never reach the result.
 */
import type * as z from 'zod/mini';
import { fieldSchemas, objectSchema, optionalField } from './field-schemas.ts';
import { lazySchema } from '../validation/lazy-schema.ts';

function buildCtsTraceSchemas() {
  const {
    CodeSchema,
    DescriptionSchema,
    HttpStatusSchema,
    IdentifierSchema,
    KeyIdSchema,
    NameSchema,
    ProjectIdSchema,
    RegionIdSchema,
    ResourceIdSchema,
  } = fieldSchemas();
  /** Which service, resource type and operation the trace records. */
  const CtsTraceHeaderSchema = objectSchema({
    service_type: CodeSchema,
    trace_name: CodeSchema,
    // Absent in some producers' traces; when present it must be `cmk` (DEW table, docs/huawei-kms.md#key-events).
    resource_type: optionalField(CodeSchema),
  });

  /** The HTTP status of the recorded call. */
  const CtsCallStatusSchema = objectSchema({ code: HttpStatusSchema });

  /** CTS `UserInfo` (docs/huawei-kms.md#key-events). `type` is `User`, `AssumedAgency`, `ExternalUser`... (Cloud Custodian). */
  const CtsUserSchema = objectSchema({
    name: optionalField(NameSchema),
    id: optionalField(IdentifierSchema),
    type: optionalField(CodeSchema),
    domain: optionalField(
      objectSchema({
        name: optionalField(NameSchema),
        id: optionalField(IdentifierSchema),
      }),
    ),
  });

  /** The trace fields that feed `KeyCreated`, other than `request`/`response`. */
  const CtsCreateKeyTraceSchema = objectSchema({
    project_id: optionalField(ProjectIdSchema),
    // Not in the documented trace structure (docs/huawei-kms.md#key-events); read when a producer adds it.
    region_id: optionalField(RegionIdSchema),
    resource_id: optionalField(ResourceIdSchema),
    resource_account_id: optionalField(IdentifierSchema),
    // `time`/`record_time` are read by parseTraceTime: an unreadable time is noted, never invalid.
    trace_id: optionalField(IdentifierSchema),
    user: optionalField(CtsUserSchema),
  });

  /**
   * The CreateKey request body (docs/huawei-kms.md#key-events). Only the length and control-character bounds are enforced:
   * KMS already accepted these values, and the naming layer validates what reaches an alias.
   */
  const CreateKeyRequestSchema = objectSchema({
    key_alias: optionalField(NameSchema),
    key_spec: optionalField(CodeSchema),
    key_usage: optionalField(CodeSchema),
    origin: optionalField(CodeSchema),
    enterprise_project_id: optionalField(IdentifierSchema),
    key_description: optionalField(DescriptionSchema),
  });

  /** The CreateKey response body: `{"key_info": {key_id, domain_id, region_id}}` (docs/huawei-kms.md#key-events, the Node.js SDK `KeKInfo`). */
  const CreateKeyResponseSchema = objectSchema({
    key_info: optionalField(
      objectSchema({
        key_id: optionalField(KeyIdSchema),
        domain_id: optionalField(IdentifierSchema),
        region_id: optionalField(RegionIdSchema),
      }),
    ),
  });
  /**
   * The ReplicateKey request body (`POST /v2/{project_id}/kms/keys/{key_id}/replicate`,
   * docs/huawei-kms.md#replicas-and-imported-keys): `key_id` is the key being copied,
   * `replica_region`/`replica_project_id` where the new key lives, `key_alias`/`key_description`/
   * `enterprise_project_id` the new key's own. The API requires the region and project; both are
   * optional here because what CTS keeps of the request is unverified.
   */
  const ReplicateKeyRequestSchema = objectSchema({
    key_id: optionalField(KeyIdSchema),
    replica_region: optionalField(RegionIdSchema),
    replica_project_id: optionalField(ProjectIdSchema),
    key_alias: optionalField(NameSchema),
    key_description: optionalField(DescriptionSchema),
    enterprise_project_id: optionalField(IdentifierSchema),
  });

  /**
   * The ReplicateKey answer is flat, `{key_id, domain_id, region}` (Python SDK
   * `replicate_key_response.py`); `key_info` is also read in case CTS or a relay nests it like
   * CreateKey's answer (unverified).
   */
  const ReplicaKeyInfoSchema = objectSchema({
    key_id: optionalField(KeyIdSchema),
    domain_id: optionalField(IdentifierSchema),
    region: optionalField(RegionIdSchema),
    region_id: optionalField(RegionIdSchema),
  });
  const ReplicateKeyResponseSchema = objectSchema({
    ...ReplicaKeyInfoSchema.shape,
    key_info: optionalField(ReplicaKeyInfoSchema),
  });
  return {
    ReplicateKeyRequestSchema,
    ReplicateKeyResponseSchema,
    CtsTraceHeaderSchema,
    CtsCallStatusSchema,
    CtsUserSchema,
    CtsCreateKeyTraceSchema,
    CreateKeyRequestSchema,
    CreateKeyResponseSchema,
  };
}

/** The CTS trace schemas, built when the first trace arrives. */
export const ctsTraceSchemas = lazySchema(buildCtsTraceSchemas);
type Schemas = ReturnType<typeof ctsTraceSchemas>;
export type CtsTraceHeader = z.infer<Schemas['CtsTraceHeaderSchema']>;
export type CtsCallStatus = z.infer<Schemas['CtsCallStatusSchema']>;
export type CtsUser = z.infer<Schemas['CtsUserSchema']>;
export type CtsCreateKeyTrace = z.infer<Schemas['CtsCreateKeyTraceSchema']>;
export type CreateKeyRequest = z.infer<Schemas['CreateKeyRequestSchema']>;
export type CreateKeyResponse = z.infer<Schemas['CreateKeyResponseSchema']>;
export type ReplicateKeyRequest = z.infer<Schemas['ReplicateKeyRequestSchema']>;
export type ReplicateKeyResponse = z.infer<Schemas['ReplicateKeyResponseSchema']>;
