/**
 * Ports and data types of the Huawei KMS layer. Field names of server data keep Huawei's
 * snake_case (docs/huawei-kms.md#alias-api, docs/huawei-kms.md#listing-keys), like `KeyCreated` does, so nothing is renamed twice.
 */

/** A request as the auth layer sees it: what will be sent, before authentication headers. */
export interface AuthRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  /** The exact body that will be sent (signed byte for byte by AK/SK auth). */
  body: string | undefined;
}

/** Adds authentication to a KMS request. Implementations: aksk-auth.ts, iam-token-auth.ts. */
export interface AuthProvider {
  /**
   * Returns the complete header map to send (the request's headers plus auth headers).
   * Rejects with a `KmsApiError` (code `IAM_AUTH`) when a token cannot be obtained, or with
   * the signal's reason when `signal` aborts first.
   */
  authorize(request: AuthRequest, projectId: string, signal?: AbortSignal): Promise<Record<string, string>>;
  /**
   * Told about a 401 for `projectId`, with the headers the refused request carried (what
   * `authorize` gave it). Returns true when a new attempt will authenticate differently: the
   * provider dropped those credentials, or already holds newer ones (the client then throws
   * `KMS_AUTH_EXPIRED`, which the retry policy retries once); false or absent when a retry cannot
   * help. Only the refused credentials are dropped: a 401 to a request sent before a refresh must
   * not throw the fresh ones away, or every request in flight at an expiry costs one more login.
   */
  onUnauthorized?(projectId: string, refused?: Readonly<Record<string, string>>): boolean;
}

/** An alias resource (docs/huawei-kms.md#alias-api "The alias object"). Times are opaque strings (ISO or epoch ms, docs/huawei-kms.md#alias-api). */
export interface AliasEntity {
  alias: string;
  key_id: string;
  domain_id?: string | undefined;
  alias_urn?: string | undefined;
  create_time?: string | undefined;
  update_time?: string | undefined;
}

/** KeyDetails (docs/huawei-kms.md#listing-keys); every field is a string on the wire. */
export interface KeyDetails {
  key_id: string;
  domain_id?: string | undefined;
  /** The key's display name, not an alias resource (docs/huawei-kms.md#key-events). */
  key_alias?: string | undefined;
  realm?: string | undefined;
  key_spec?: string | undefined;
  key_usage?: string | undefined;
  key_description?: string | undefined;
  creation_date?: string | undefined;
  scheduled_deletion_date?: string | undefined;
  expiration_time?: string | undefined;
  /** "1" pending activation, "2" enabled, "3" disabled, "4" pending deletion, "5" pending import. */
  key_state?: string | undefined;
  /** "1" for a service default key. */
  default_key_flag?: string | undefined;
  key_type?: string | undefined;
  origin?: string | undefined;
  key_rotation_enabled?: string | undefined;
  sys_enterprise_project_id?: string | undefined;
  keystore_id?: string | undefined;
}

/** Where a call goes: the region selects the endpoint, the project the path (docs/huawei-kms.md#alias-api). */
export interface KmsTarget {
  region: string;
  /** 32-character IAM project id of the region (docs/huawei-kms.md#key-ids). */
  projectId: string;
}

export interface CreateAliasInput extends KmsTarget {
  keyId: string;
  alias: string;
}

export interface ListAliasesInput extends KmsTarget {
  keyId?: string | undefined;
  /** Page size; Terraform uses 50 (docs/huawei-kms.md#listing-keys). */
  limit?: number | undefined;
  marker?: string | undefined;
}

export interface ListAllAliasesInput extends KmsTarget {
  keyId?: string | undefined;
  /** Page size. Default 50. */
  pageSize?: number | undefined;
}

export interface ListKeysInput extends KmsTarget {
  limit?: number | undefined;
  marker?: string | undefined;
  keyState?: string | undefined;
  /** Defaults to AES_256 on the server; pass "ALL" for every spec (docs/huawei-kms.md#listing-keys). */
  keySpec?: string | undefined;
  enterpriseProjectId?: string | undefined;
}

export interface DescribeKeyInput extends KmsTarget {
  keyId: string;
}

/** Every result carries the `X-Request-Id` of its response, when the server sent one. */
export interface WithRequestId {
  requestId: string | undefined;
}

export interface CreateAliasResult extends WithRequestId {
  alias: AliasEntity;
  /**
   * Set when the 201 did not carry the alias object this call asked for (another shape, or another
   * alias or key): why, by path and rule, never a value. The 201 still counts (docs/huawei-kms.md#alias-api).
   */
  unexpectedAnswer?: string | undefined;
}

export interface ListAliasesResult extends WithRequestId {
  aliases: AliasEntity[];
  /** The marker of the next page; undefined on the last page. */
  nextMarker: string | undefined;
}

export interface ListAllAliasesResult {
  aliases: AliasEntity[];
  pages: number;
  requestIds: string[];
}

export interface ListKeysResult extends WithRequestId {
  keys: string[];
  keyDetails: KeyDetails[];
  nextMarker: string | undefined;
  /** Parsed from the string "true"/"false" (docs/huawei-kms.md#listing-keys). */
  truncated: boolean;
  total: number | undefined;
}

export interface DescribeKeyResult extends WithRequestId {
  keyInfo: KeyDetails;
}

/**
 * The KMS port: the operations the functions and the CLI use. Every method sends exactly one
 * HTTP request (listAllAliases: one per page), never retries (compose `withRetry`), and rejects
 * with a `KmsApiError` on any failure (listAllAliases: `PaginationError` for a listing
 * that does not end). Operations only tests need (CreateKey) are not here, so they
 * are not in a Lambda bundle: see test/support/kms-test-client.ts.
 */
/** DeleteAlias input: one key and the aliases of it to delete. */
export interface DeleteAliasInput extends KmsTarget {
  keyId: string;
  aliases: readonly string[];
}

/** DeleteAlias (kms-alias-deletion.ts), used by ON_KEY_DELETION=release. */
export interface KmsAliasDeletion {
  deleteAlias(input: DeleteAliasInput, signal?: AbortSignal): Promise<WithRequestId>;
}

export interface KmsClient extends KmsTagOperations, KmsAliasDeletion {
  createAlias(input: CreateAliasInput, signal?: AbortSignal): Promise<CreateAliasResult>;
  listAliases(input: ListAliasesInput, signal?: AbortSignal): Promise<ListAliasesResult>;
  listAllAliases(input: ListAllAliasesInput, signal?: AbortSignal): Promise<ListAllAliasesResult>;
  listKeys(input: ListKeysInput, signal?: AbortSignal): Promise<ListKeysResult>;
  describeKey(input: DescribeKeyInput, signal?: AbortSignal): Promise<DescribeKeyResult>;
}

/** One tag of a key: Huawei's `{key, value}` item (docs/huawei-kms.md#key-tags). */
export interface KeyTag {
  key: string;
  value: string;
}

export interface CreateTagsInput extends KmsTarget {
  keyId: string;
  /** Huawei allows `create` and `delete` only. */
  action: 'create' | 'delete';
  tags: readonly KeyTag[];
}

export interface ListTagsInput extends KmsTarget {
  keyId: string;
}

export interface ListTagsResult extends WithRequestId {
  tags: KeyTag[];
  /** `existTagsNum` (or `existTagNum`), else `tags.length`. */
  count: number;
  /** Items of the listing that were not `{key: string}` objects, left out (a surprise to report). */
  dropped: number;
}

/** The tag operations of a key (lib/huawei/kms-tags-client.ts). */
export interface KmsTagOperations {
  /** `POST /v1.0/{project_id}/kms/{key_id}/tags/action`: one batch `create` or `delete`. */
  createTags(input: CreateTagsInput, signal?: AbortSignal): Promise<WithRequestId>;
  /** `GET /v1.0/{project_id}/kms/{key_id}/tags`. */
  listTags(input: ListTagsInput, signal?: AbortSignal): Promise<ListTagsResult>;
}
