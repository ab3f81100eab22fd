/**
 * The CTS trace names that announce a new KMS key, lower-cased (names are compared
 * case-insensitively, docs/huawei-kms.md#key-events):
 * - `createKey`: a new key, whatever its origin (`kms`, or `external` for imported material);
 * - `replicateKey`: a replica of a key in another region. UNVERIFIED: the DEW page of operations
 *   CTS records does not list it; the name follows the API (ReplicateKey) and the IAM action
 *   `kms:cmk:replicate` (docs/huawei-kms.md#replicas-and-imported-keys).
 *
 * `importKeyMaterial` is not here: it fills a key that createKey already made.
 */
export const CREATE_KEY_TRACE = 'createkey';
export const REPLICATE_KEY_TRACE = 'replicatekey';
export const IMPORT_KEY_MATERIAL_TRACE = 'importkeymaterial';

const KEY_CREATING_TRACES: ReadonlySet<string> = new Set([CREATE_KEY_TRACE, REPLICATE_KEY_TRACE]);

/** True for a trace name (any case) that announces a new key. */
export function isKeyCreatingTrace(traceName: string): boolean {
  return KEY_CREATING_TRACES.has(traceName.toLowerCase());
}

/**
 * The traces of a key's deletion being scheduled or cancelled (ON_KEY_DELETION,
 * docs/huawei-kms.md#key-deletion): the queue handler decides what they do, so the ingest lets them through.
 */
const KEY_DELETION_TRACES: ReadonlySet<string> = new Set(['schedulekeydeletion', 'cancelkeydeletion']);

/** True for a trace name (any case) the queue handler acts on: a new key, or a key's deletion scheduled or cancelled. */
export function isKeyEventTrace(traceName: string): boolean {
  return isKeyCreatingTrace(traceName) || KEY_DELETION_TRACES.has(traceName.toLowerCase());
}
