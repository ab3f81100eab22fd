// Wire types shared by the emulator modules. Field names and string-typed values follow the
// Huawei contract in docs/huawei-kms.md (docs/huawei-kms.md#alias-api alias object, docs/huawei-kms.md#listing-keys KeyDetails).

/** The KMS operations the emulator serves (docs/huawei-kms.md#alias-api, docs/huawei-kms.md#key-events, docs/huawei-kms.md#listing-keys). */
export type KmsOperation =
  | 'createKey'
  | 'listKeys'
  | 'describeKey'
  | 'createAlias'
  | 'listAliases'
  | 'deleteAlias'
  | 'associateAlias'
  | 'scheduleKeyDeletion'
  | 'cancelKeyDeletion'
  | 'createTags'
  | 'listTags';

/** SMN v2 operations (docs/huawei-kms.md#smn-api); signed like KMS calls. */
export type SmnOperation =
  | 'smnCreateTopic'
  | 'smnListTopics'
  | 'smnAddSubscription'
  | 'smnListSubscriptions'
  | 'smnPublish';

/** CTS v3 key event notification operations (docs/huawei-kms.md#cts-notifications). */
export type CtsApiOperation = 'ctsCreateNotification' | 'ctsListNotifications' | 'ctsUpdateNotification';

/** Unauthenticated SMN links: the confirmation and unsubscribe links, the signing certificate. */
export type SmnPublicOperation = 'smnConfirm' | 'smnUnsubscribe' | 'smnCertificate';

/** KMS v2 operations served outside kms-api.ts: ReplicateKey (replicate-key.ts). */
export type KmsV2Operation = 'replicateKey';

/** Every operation a call record can carry: KMS, SMN, CTS, the IAM token endpoint, or an unrouted request. */
export type Operation =
  | KmsOperation
  | KmsV2Operation
  | SmnOperation
  | CtsApiOperation
  | SmnPublicOperation
  | 'iamToken'
  | 'stsAssumeAgency'
  | 'unknown';

export function isSmnOperation(op: Operation): op is SmnOperation {
  return op.startsWith('smn') && !isSmnPublicOperation(op);
}

export function isCtsOperation(op: Operation): op is CtsApiOperation {
  return op.startsWith('cts');
}

export function isSmnPublicOperation(op: Operation): op is SmnPublicOperation {
  return op === 'smnConfirm' || op === 'smnUnsubscribe' || op === 'smnCertificate';
}

export const KMS_OPERATIONS: readonly KmsOperation[] = [
  'createKey',
  'listKeys',
  'describeKey',
  'createAlias',
  'listAliases',
  'deleteAlias',
  'associateAlias',
  'scheduleKeyDeletion',
  'cancelKeyDeletion',
  'createTags',
  'listTags',
];

export function isKmsOperation(op: Operation): op is KmsOperation {
  return (KMS_OPERATIONS as readonly string[]).includes(op);
}

/**
 * list-keys `key_state` values (docs/huawei-kms.md#key-ids): "1" pending activation, "2" enabled, "3" disabled,
 * "4" pending deletion, "5" pending import.
 */
export type KeyState = '1' | '2' | '3' | '4' | '5';

export const KEY_STATES: readonly KeyState[] = ['1', '2', '3', '4', '5'];

/** KeyDetails as describe-key and list-keys return it; every value is a string (docs/huawei-kms.md#listing-keys). */
export interface KeyDetails {
  key_id: string;
  domain_id: string;
  key_alias: string;
  realm: string;
  key_spec: string;
  key_usage: string;
  key_description: string;
  creation_date: string;
  scheduled_deletion_date: string;
  key_state: KeyState;
  default_key_flag: '0' | '1';
  key_type: string;
  expiration_time: string;
  origin: 'kms' | 'external';
  key_rotation_enabled: 'true' | 'false';
  sys_enterprise_project_id: string;
  keystore_id: string;
}

/** The alias object of create/associate/list (docs/huawei-kms.md#alias-api, Huawei doc CreateAlias + the Node.js SDK AliasEntity). */
export interface AliasEntity {
  domain_id: string;
  key_id: string;
  alias: string;
  alias_urn: string;
  create_time: string;
  update_time: string;
}

/** One request as the emulator saw it; pushed when the request arrives, completed when it is answered. */
export interface CallRecord {
  /** Emulator clock (`options.now`) when the request arrived. */
  at: number;
  method: string;
  /** Path without the query string. */
  path: string;
  operation: Operation;
  /** HTTP status sent; 0 while the call is still in progress or when the connection was reset/dropped. */
  status: number;
  huaweiCode?: string;
  /** AK, IAM user name or `<domain>/<agency>`; the claimed AK or '' when authentication failed early. */
  principal: string;
  requestId: string;
  keyId?: string;
  alias?: string;
  /** delete-alias only: every alias named in the body. */
  aliases?: string[];
  /** stsAssumeAgency only: the temporary AK it issued (an AK identifies, it is not the secret). */
  issuedAk?: string;
  /** Short description of the injected fault, e.g. `status 429 APIGW.0308`, `reset`, `hang 300ms`. */
  fault?: string;
  /** Set when the emulator itself failed (answered 500 KMS.0101); a bug in the emulator, not a simulated fault. */
  internalError?: string;
}
