// In-memory KMS data: keys (per project) and alias resources (unique per account + region,
// docs/huawei-kms.md#alias-rules). No validation of API input happens here; kms-api.ts does that. The seeding
// methods are deliberately lenient so tests can set up states the API would refuse.
import type { AccountDirectory, ProjectRef } from './accounts.ts';
import { newKeyId } from './ids.ts';
import type { AliasEntity, KeyDetails, KeyState } from './types.ts';

/** Symmetric specs; the rest are asymmetric (docs/huawei-kms.md#key-events key_spec list). */
export const SYMMETRIC_KEY_SPECS: readonly string[] = ['AES_256', 'SM4'];
export const KEY_SPECS: readonly string[] = [
  ...SYMMETRIC_KEY_SPECS,
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'EC_P256',
  'EC_P384',
  'SM2',
];

/** Days between scheduling deletion and the deletion date (Huawei's default pending window, 7–1096 days). */
const PENDING_DELETION_MS = 7 * 24 * 60 * 60 * 1000;

export interface CreateKeyInput {
  key_id?: string;
  key_alias?: string;
  key_spec?: string;
  key_usage?: string;
  key_description?: string;
  key_state?: KeyState;
  default_key_flag?: '0' | '1';
  keystore_id?: string;
  origin?: 'kms' | 'external';
  enterprise_project_id?: string;
  key_rotation_enabled?: 'true' | 'false';
  /** The key exists but KMS answers KMS.0207 for it (and hides it from lists) for this long. */
  visibleAfterMs?: number;
}

export interface StoredKey {
  readonly details: KeyDetails;
  readonly project: ProjectRef;
  readonly visibleAt: number;
}

interface StoredAlias {
  entity: AliasEntity;
  readonly projectId: string;
}

/** The ISO form the alias doc example uses (`2024-04-01T00:00:00Z`, docs/huawei-kms.md#alias-api). */
function aliasTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export class KmsState {
  readonly #directory: AccountDirectory;
  readonly #now: () => number;
  readonly #keys = new Map<string, StoredKey>();
  /** Keyed by `<domain_id>|<region>|<alias>`: aliases are unique per account and region (docs/huawei-kms.md#alias-rules). */
  readonly #aliases = new Map<string, StoredAlias>();
  #keyCounter = 0;

  constructor(directory: AccountDirectory, now: () => number) {
    this.#directory = directory;
    this.#now = now;
  }

  #project(projectId: string): { project: ProjectRef; domainId: string } {
    const match = this.#directory.project(projectId);
    if (!match) throw new Error(`unknown project ${projectId}`);
    return { project: match.project, domainId: match.account.domainId };
  }

  #aliasSlot(projectId: string, alias: string): string {
    const { project, domainId } = this.#project(projectId);
    return `${domainId}|${project.name}|${alias}`;
  }

  createKey(projectId: string, input: CreateKeyInput = {}): KeyDetails {
    const { project, domainId } = this.#project(projectId);
    const now = this.#now();
    const keySpec = input.key_spec ?? 'AES_256';
    const symmetric = SYMMETRIC_KEY_SPECS.includes(keySpec);
    const origin = input.origin ?? 'kms';
    const state: KeyState = input.key_state ?? (origin === 'external' ? '5' : '2');
    this.#keyCounter += 1;
    const details: KeyDetails = {
      key_id: input.key_id ?? newKeyId(),
      domain_id: domainId,
      key_alias: input.key_alias ?? `emulator-key-${this.#keyCounter}`,
      realm: project.name,
      key_spec: keySpec,
      // Huawei defaults: ENCRYPT_DECRYPT for symmetric keys, SIGN_VERIFY for asymmetric ones (unverified).
      key_usage: input.key_usage ?? (symmetric ? 'ENCRYPT_DECRYPT' : 'SIGN_VERIFY'),
      key_description: input.key_description ?? '',
      creation_date: String(now),
      scheduled_deletion_date: state === '4' ? String(now + PENDING_DELETION_MS) : '',
      key_state: state,
      default_key_flag: input.default_key_flag ?? '0',
      // Unverified: "1" for symmetric and "2" for asymmetric keys; docs/huawei-kms.md#listing-keys lists key_type without its values.
      key_type: symmetric ? '1' : '2',
      expiration_time: '',
      origin,
      key_rotation_enabled: input.key_rotation_enabled ?? 'false',
      sys_enterprise_project_id: input.enterprise_project_id ?? '0',
      keystore_id: input.keystore_id ?? '0',
    };
    if (this.#keys.has(details.key_id)) throw new Error(`key ${details.key_id} already exists`);
    this.#keys.set(details.key_id, { details, project, visibleAt: now + (input.visibleAfterMs ?? 0) });
    return { ...details };
  }

  key(keyId: string): StoredKey | undefined {
    return this.#keys.get(keyId);
  }

  /** The key when it lives in `projectId` and has become visible (see `visibleAfterMs`). */
  visibleKey(projectId: string, keyId: string): StoredKey | undefined {
    const key = this.#keys.get(keyId);
    return key && key.project.id === projectId && key.visibleAt <= this.#now() ? key : undefined;
  }

  /** Visible keys of a project, in creation order. */
  visibleKeysIn(projectId: string): StoredKey[] {
    const now = this.#now();
    return [...this.#keys.values()].filter((k) => k.project.id === projectId && k.visibleAt <= now);
  }

  allKeys(projectId?: string): KeyDetails[] {
    return [...this.#keys.values()]
      .filter((k) => projectId === undefined || k.project.id === projectId)
      .map((k) => ({ ...k.details }));
  }

  setKeyState(keyId: string, state: KeyState): void {
    const key = this.#keys.get(keyId);
    if (!key) throw new Error(`unknown key ${keyId}`);
    key.details.key_state = state;
    key.details.scheduled_deletion_date = state === '4' ? String(this.#now() + PENDING_DELETION_MS) : '';
  }

  /** Removes the key and its aliases; false when it did not exist. */
  deleteKey(keyId: string): boolean {
    if (!this.#keys.delete(keyId)) return false;
    for (const [slot, stored] of this.#aliases) if (stored.entity.key_id === keyId) this.#aliases.delete(slot);
    return true;
  }

  /** Aliases of one key, sorted by name. */
  aliasesOfKey(keyId: string): AliasEntity[] {
    return this.#sorted([...this.#aliases.values()].filter((a) => a.entity.key_id === keyId));
  }

  /** Aliases in one project (or everywhere), sorted by name. */
  aliasesIn(projectId?: string): AliasEntity[] {
    return this.#sorted(
      [...this.#aliases.values()].filter((a) => projectId === undefined || a.projectId === projectId),
    );
  }

  #sorted(list: StoredAlias[]): AliasEntity[] {
    return list.map((a) => ({ ...a.entity })).sort((a, b) => (a.alias < b.alias ? -1 : a.alias > b.alias ? 1 : 0));
  }

  findAlias(projectId: string, alias: string): AliasEntity | undefined {
    const stored = this.#aliases.get(this.#aliasSlot(projectId, alias));
    return stored ? { ...stored.entity } : undefined;
  }

  /** Creates the alias, or points an existing one at `keyId` (keeping its create_time). */
  putAlias(projectId: string, keyId: string, alias: string): AliasEntity {
    const { project, domainId } = this.#project(projectId);
    const slot = this.#aliasSlot(projectId, alias);
    const now = aliasTime(this.#now());
    const existing = this.#aliases.get(slot);
    const entity: AliasEntity = {
      domain_id: domainId,
      key_id: keyId,
      alias,
      alias_urn: `kms:${project.name}:${domainId}:alias:${alias}`,
      create_time: existing?.entity.create_time ?? now,
      update_time: now,
    };
    this.#aliases.set(slot, { entity, projectId });
    return { ...entity };
  }

  deleteAlias(projectId: string, alias: string): boolean {
    return this.#aliases.delete(this.#aliasSlot(projectId, alias));
  }

  reset(): void {
    this.#keys.clear();
    this.#aliases.clear();
    this.#keyCounter = 0;
  }
}
