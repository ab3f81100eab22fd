// Key tags (docs/huawei-kms.md#key-tags): POST /v1.0/{project_id}/kms/{key_id}/tags/action
// (BatchCreateKmsTags) and GET /v1.0/{project_id}/kms/{key_id}/tags (ShowKmsTags), with the rules
// and KMS.04xx codes of Huawei's Error Codes page. The checks are written here from the
// documentation, independently of lib/tags/tag-rules.ts, so that the emulator does not mirror the
// code it tests.
import { HuaweiError } from './error-bodies.ts';
import { asObject, asString, parseJsonObject } from './json.ts';

/**
 * What `create` does to a tag key the key already has with another value (undocumented for KMS):
 * `overwrites` (Huawei's convention for ECS, DeH, MRS tags) or `rejects` (400 KMS.0406).
 */
export type TagCreateReading = 'overwrites' | 'rejects';

export interface KeyTagOptions {
  readonly createReading: TagCreateReading;
  /** Documented: 10 tags per key. */
  readonly maxTagsPerKey: number;
  /** Field of the listing's count: both spellings are documented. */
  readonly countField: 'existTagsNum' | 'existTagNum';
}

export const DEFAULT_KEY_TAG_OPTIONS: KeyTagOptions = {
  createReading: 'overwrites',
  maxTagsPerKey: 10,
  countField: 'existTagsNum',
};

/** One tag write, for tests and chaos ("no tag overwritten unless asked"). */
export interface TagWrite {
  keyId: string;
  key: string;
  /** The value before; undefined when the tag was new. */
  from: string | undefined;
  /** The value after; undefined when the tag was deleted. */
  to: string | undefined;
}

const tagError = (code: string, message: string): HuaweiError => new HuaweiError(400, code, message, 'nested');

/** ASCII 0–31, `*`, `<`, `>`, `\` and `=` (SDK TagItem), forbidden in keys and values. */
const FORBIDDEN = /[\u0000-\u001f*<>\\=]/;

function characters(text: string): number {
  return [...text].length;
}

/** The tags of every key, and the log of writes. */
export class KeyTagStore {
  readonly #tags = new Map<string, Map<string, string>>();
  readonly writes: TagWrite[] = [];
  options: KeyTagOptions;

  constructor(options: KeyTagOptions = DEFAULT_KEY_TAG_OPTIONS) {
    this.options = options;
  }

  tagsOf(keyId: string): Array<{ key: string; value: string }> {
    return [...(this.#tags.get(keyId) ?? new Map<string, string>())].map(([key, value]) => ({ key, value }));
  }

  /** Sets tags without any check (seeding a conflict); not logged as a write. */
  put(keyId: string, tags: Readonly<Record<string, string>>): void {
    const map = this.#tags.get(keyId) ?? new Map<string, string>();
    for (const [key, value] of Object.entries(tags)) map.set(key, value);
    this.#tags.set(keyId, map);
  }

  reset(): void {
    this.#tags.clear();
    this.writes.length = 0;
  }

  /** `POST …/{key_id}/tags/action`: 204 with no body, or a HuaweiError; all or nothing. */
  batch(keyId: string, body: Uint8Array): void {
    const json = parseJsonObject(body);
    if (!json) throw new HuaweiError(400, 'KMS.0202', 'Invalid JSON format in request body.', 'nested');
    const action = json['action'];
    if (action !== 'create' && action !== 'delete') throw tagError('KMS.0404', 'Invalid action.');
    const raw = json['tags'];
    if (!Array.isArray(raw) || raw.length === 0) throw tagError('KMS.0401', 'The tag list is empty.');
    if (raw.length > this.options.maxTagsPerKey * 2) throw tagError('KMS.0407', 'Invalid tag list length.');
    const items = raw.map((item) => this.#readItem(item));
    const current = this.#tags.get(keyId) ?? new Map<string, string>();
    if (action === 'delete') {
      // Deleting a tag the key does not have is ignored (MRS documents deletion as idempotent).
      for (const { key } of items) {
        if (!current.has(key)) continue;
        this.writes.push({ keyId, key, from: current.get(key), to: undefined });
        current.delete(key);
      }
      this.#tags.set(keyId, current);
      return;
    }
    const added = new Set(items.map((i) => i.key).filter((k) => !current.has(k)));
    if (current.size + added.size > this.options.maxTagsPerKey) {
      throw tagError('KMS.0409', 'The total number of tags exceeds the limit.');
    }
    if (this.options.createReading === 'rejects') {
      const clash = items.find((i) => current.has(i.key) && current.get(i.key) !== i.value);
      if (clash) throw tagError('KMS.0406', `Invalid key in tag: tag key ${clash.key} already exists.`);
    }
    for (const { key, value } of items) {
      const from = current.get(key);
      if (from !== value) this.writes.push({ keyId, key, from, to: value });
      current.set(key, value);
    }
    this.#tags.set(keyId, current);
  }

  /** `GET …/{key_id}/tags`. */
  list(keyId: string): Record<string, unknown> {
    const tags = this.tagsOf(keyId);
    return { tags, [this.options.countField]: tags.length };
  }

  #readItem(item: unknown): { key: string; value: string } {
    const object = asObject(item);
    const key = asString(object?.['key']);
    if (key === undefined || key.trim() === '') throw tagError('KMS.0406', 'Invalid key in tag.');
    if (characters(key) > 36) throw tagError('KMS.0411', 'Invalid length of key in tag.');
    if (FORBIDDEN.test(key) || key.toLowerCase().startsWith('_sys_')) {
      throw tagError('KMS.0406', 'Invalid key in tag.');
    }
    const rawValue = object?.['value'];
    if (rawValue !== undefined && typeof rawValue !== 'string') throw tagError('KMS.0405', 'Invalid value in tag.');
    const value = rawValue ?? '';
    if (characters(value) > 43) throw tagError('KMS.0410', 'Invalid length of value in tag.');
    if (FORBIDDEN.test(value)) throw tagError('KMS.0405', 'Invalid value in tag.');
    return { key, value };
  }
}
