// The KMS operations behind the gateway: request validation, the rules of docs/huawei-kms.md#alias-rules, and the
// response bodies of docs/huawei-kms.md#alias-api, docs/huawei-kms.md#key-events, docs/huawei-kms.md#listing-keys. Runs after authentication; errors are thrown as HuaweiError
// (nested KMS shape, docs/huawei-kms.md#error-bodies).
import type { ProjectRef } from './accounts.ts';
import { HuaweiError, kmsError } from './error-bodies.ts';
import { asString, parseJsonObject, type JsonObject } from './json.ts';
import { KeyTagStore } from './kms-tags.ts';
import { KEY_SPECS, SYMMETRIC_KEY_SPECS, type KmsState, type StoredKey } from './kms-state.ts';
import { KEY_STATES, type KeyState, type KmsOperation } from './types.ts';

/** Key id format (docs/huawei-kms.md#key-ids, Huawei doc es-us CreateAlias). */
const KEY_ID_PATTERN = /^[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}$/;
/** key_alias charset and length (docs/huawei-kms.md#alias-rules, docs/huawei-kms.md#key-events); assumed to hold for alias resources too (unverified). */
const NAME_PATTERN = /^[a-zA-Z0-9:/_-]{1,255}$/;
/** Terraform and Cloud Custodian create `alias/<name>` against the live API (docs/huawei-kms.md#alias-rules, "The alias/ prefix"). */
const ALIAS_PREFIX = 'alias/';

export interface KmsApiOptions {
  /** Reject alias names that do not start with `alias/` (docs/huawei-kms.md#alias-rules, unverified; default true). */
  readonly requireAliasPrefix: boolean;
  /** `object` (the wire format, docs/huawei-kms.md#alias-api) or `array` (`[ {aliases, page_info} ]`, what the doc table says). */
  readonly listAliasesShape: 'object' | 'array';
  /** HTTP status of KMS.0207; unconfirmed, 404 by default (docs/huawei-kms.md#error-codes, unverified). */
  readonly keyNotFoundStatus: number;
  /** Code of the duplicate-alias 400; no alias-specific code is documented (docs/huawei-kms.md#error-codes), KMS.0308 by default. */
  readonly duplicateAliasCode: string;
  /** Code of the 400 for a key that already has `maxAliasesPerKey` aliases; undocumented, KMS.0308 by default. */
  readonly aliasLimitCode: string;
  /** At most 50 aliases per key (docs/huawei-kms.md#alias-rules). */
  readonly maxAliasesPerKey: number;
  /** List every alias of the project even when `key_id` is given (a server that ignores the filter). */
  readonly ignoreAliasKeyFilter?: boolean;
}

export const DEFAULT_KMS_API_OPTIONS: KmsApiOptions = {
  requireAliasPrefix: true,
  listAliasesShape: 'object',
  keyNotFoundStatus: 404,
  duplicateAliasCode: 'KMS.0308',
  aliasLimitCode: 'KMS.0308',
  maxAliasesPerKey: 50,
};

export interface KmsRequest {
  readonly operation: KmsOperation;
  readonly project: ProjectRef;
  readonly query: URLSearchParams;
  readonly body: Uint8Array;
  /** The `{key_id}` of a path (key tag routes). */
  readonly pathKeyId?: string;
}

export interface KmsResult {
  readonly status: number;
  /** Absent for 204. */
  readonly body?: unknown;
  /** The key the call acted on (the new key for createKey), for the call log. */
  readonly keyId?: string;
}

export interface CallTarget {
  keyId?: string;
  alias?: string;
  aliases?: string[];
}

/** Key id and alias(es) named by a request, read leniently, for the call log (also of rejected calls). */
export function callTarget(operation: KmsOperation, body: Uint8Array, query: URLSearchParams): CallTarget {
  if (operation === 'listAliases') {
    const keyId = query.get('key_id');
    return keyId ? { keyId } : {};
  }
  const json = parseJsonObject(body);
  const target: CallTarget = {};
  const keyId = asString(json?.[operation === 'associateAlias' ? 'target_key_id' : 'key_id']);
  if (keyId !== undefined) target.keyId = keyId;
  const alias = asString(json?.['alias']);
  if (alias !== undefined) target.alias = alias;
  const aliases = json?.['aliases'];
  if (operation === 'deleteAlias' && Array.isArray(aliases)) {
    target.aliases = aliases.filter((a): a is string => typeof a === 'string');
    if (target.aliases[0] !== undefined) target.alias = target.aliases[0];
  }
  return target;
}

// ---- parameter helpers -------------------------------------------------------------------------

function jsonBody(body: Uint8Array, emptyIsObject = false): JsonObject {
  if (emptyIsObject && body.length === 0) return {};
  const parsed = parseJsonObject(body);
  if (!parsed) throw kmsError.invalidJson();
  return parsed;
}

function optionalString(obj: JsonObject, name: string): string | undefined {
  const value = obj[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw kmsError.invalidParam(name);
  return value;
}

function requiredString(obj: JsonObject, name: string): string {
  const value = optionalString(obj, name);
  if (value === undefined || value === '') throw kmsError.missingParam(name);
  return value;
}

function checkKeyIdFormat(keyId: string): string {
  if (!KEY_ID_PATTERN.test(keyId)) throw kmsError.invalidKeyId();
  return keyId;
}

/** A positive integer given as a string (or a number, which a Jackson-style server would coerce). */
function positiveInt(value: unknown, name: string, max: number): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^\d+$/.test(text)) throw kmsError.invalidParam(name);
  const n = Number(text);
  if (n < 1 || n > max) throw kmsError.invalidParam(name);
  return n;
}

function validateAliasName(alias: string, options: KmsApiOptions): void {
  if (!NAME_PATTERN.test(alias)) throw kmsError.invalidParam('alias');
  if (options.requireAliasPrefix && (!alias.startsWith(ALIAS_PREFIX) || alias.length === ALIAS_PREFIX.length)) {
    throw kmsError.invalidParam('alias: it must start with alias/');
  }
  // Names ending in /default belong to service default keys (docs/huawei-kms.md#alias-rules "Reserved"; rejection is unverified).
  if (alias.endsWith('/default')) throw kmsError.invalidParam('alias: names ending with /default are reserved');
}

function existingKey(state: KmsState, req: KmsRequest, keyId: string, options: KmsApiOptions): StoredKey {
  const key = state.visibleKey(req.project.id, checkKeyIdFormat(keyId));
  if (!key) throw kmsError.keyNotFound(options.keyNotFoundStatus);
  return key;
}

/** Key-state rules for giving a key an alias (docs/huawei-kms.md#error-codes: KMS.0209/0210/0211). */
function checkAliasable(key: StoredKey): void {
  if (key.details.default_key_flag === '1') throw kmsError.defaultKey();
  if (key.details.key_state === '3') throw kmsError.keyDisabled();
  if (key.details.key_state === '4') throw kmsError.keyPendingDeletion();
}

function checkAliasQuota(state: KmsState, keyId: string, options: KmsApiOptions): void {
  if (state.aliasesOfKey(keyId).length >= options.maxAliasesPerKey) {
    throw new HuaweiError(
      400,
      options.aliasLimitCode,
      `The number of aliases of the key has reached the upper limit (${options.maxAliasesPerKey}).`,
      'nested',
    );
  }
}

// ---- operations --------------------------------------------------------------------------------

function createKey(req: KmsRequest, state: KmsState): KmsResult {
  const body = jsonBody(req.body);
  const keyAlias = requiredString(body, 'key_alias');
  if (!NAME_PATTERN.test(keyAlias) || keyAlias.endsWith('/default')) throw kmsError.invalidKeyAlias();
  const keySpec = optionalString(body, 'key_spec') ?? 'AES_256';
  if (!KEY_SPECS.includes(keySpec)) throw kmsError.invalidParam('key_spec');
  const keyUsage = optionalString(body, 'key_usage');
  if (keyUsage !== undefined) {
    const allowed = SYMMETRIC_KEY_SPECS.includes(keySpec) ? ['ENCRYPT_DECRYPT'] : ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'];
    if (!allowed.includes(keyUsage)) throw kmsError.invalidParam('key_usage');
  }
  const origin = optionalString(body, 'origin') ?? 'kms';
  if (origin !== 'kms' && origin !== 'external') throw kmsError.invalidParam('origin');
  const description = optionalString(body, 'key_description');
  if (description !== undefined && description.length > 255) throw kmsError.invalidParam('key_description');
  const sequence = optionalString(body, 'sequence');
  if (sequence !== undefined && sequence.length !== 36) throw kmsError.invalidSequence();
  const enterpriseProjectId = optionalString(body, 'enterprise_project_id');
  const keystoreId = optionalString(body, 'keystore_id');
  if (state.allKeys(req.project.id).some((k) => k.key_alias === keyAlias)) throw kmsError.duplicateKeyAlias();

  const created = state.createKey(req.project.id, {
    key_alias: keyAlias,
    key_spec: keySpec,
    origin,
    ...(keyUsage !== undefined ? { key_usage: keyUsage } : {}),
    ...(description !== undefined ? { key_description: description } : {}),
    ...(enterpriseProjectId !== undefined ? { enterprise_project_id: enterpriseProjectId } : {}),
    ...(keystoreId !== undefined ? { keystore_id: keystoreId } : {}),
  });
  return {
    status: 200,
    body: { key_info: { key_id: created.key_id, domain_id: created.domain_id, region_id: created.realm } },
    keyId: created.key_id,
  };
}

function listKeys(req: KmsRequest, state: KmsState): KmsResult {
  const body = jsonBody(req.body, true);
  // Unverified: No documented maximum; without `limit` every matching key is returned.
  const limit = positiveInt(body['limit'], 'limit', 10_000) ?? Number.MAX_SAFE_INTEGER;
  const markerValue = body['marker'];
  let offset = 0;
  if (markerValue !== undefined && markerValue !== null && markerValue !== '') {
    // The marker is the previous page's next_marker, an offset here (opaque to clients).
    const text = typeof markerValue === 'number' ? String(markerValue) : markerValue;
    if (typeof text !== 'string' || !/^\d+$/.test(text)) throw kmsError.invalidParam('marker');
    offset = Number(text);
  }
  const keyState = optionalString(body, 'key_state');
  if (keyState !== undefined && keyState !== '' && !KEY_STATES.includes(keyState as KeyState)) {
    throw kmsError.invalidParam('key_state');
  }
  // key_spec defaults to AES_256; "ALL" lists every spec (docs/huawei-kms.md#listing-keys).
  const keySpec = optionalString(body, 'key_spec') || 'AES_256';
  if (keySpec !== 'ALL' && !KEY_SPECS.includes(keySpec)) throw kmsError.invalidParam('key_spec');

  const matching = state
    .visibleKeysIn(req.project.id)
    .filter(
      (k) => (keySpec === 'ALL' || k.details.key_spec === keySpec) && (!keyState || k.details.key_state === keyState),
    );
  const page = matching.slice(offset, offset + limit);
  const truncated = offset + page.length < matching.length;
  return {
    status: 200,
    body: {
      keys: page.map((k) => k.details.key_id),
      key_details: page.map((k) => ({ ...k.details })),
      next_marker: truncated ? String(offset + page.length) : '',
      truncated: truncated ? 'true' : 'false',
      total: matching.length,
    },
  };
}

function describeKey(req: KmsRequest, state: KmsState, options: KmsApiOptions): KmsResult {
  const key = existingKey(state, req, requiredString(jsonBody(req.body), 'key_id'), options);
  return { status: 200, body: { key_info: { ...key.details } }, keyId: key.details.key_id };
}

function createAlias(req: KmsRequest, state: KmsState, options: KmsApiOptions): KmsResult {
  const body = jsonBody(req.body);
  const keyId = checkKeyIdFormat(requiredString(body, 'key_id'));
  const alias = requiredString(body, 'alias');
  validateAliasName(alias, options);
  const key = existingKey(state, req, keyId, options);
  checkAliasable(key);
  if (state.findAlias(req.project.id, alias)) {
    // Unique per account and region (docs/huawei-kms.md#alias-rules); the code is undocumented (docs/huawei-kms.md#error-codes), see duplicateAliasCode.
    throw new HuaweiError(400, options.duplicateAliasCode, `The alias ${alias} already exists.`, 'nested');
  }
  checkAliasQuota(state, keyId, options);
  return { status: 201, body: state.putAlias(req.project.id, keyId, alias), keyId };
}

function listAliases(req: KmsRequest, state: KmsState, options: KmsApiOptions): KmsResult {
  const keyId = req.query.get('key_id');
  // Without key_id every alias of the project is listed (docs/huawei-kms.md#alias-api).
  const all =
    keyId && options.ignoreAliasKeyFilter !== true
      ? state.aliasesOfKey(existingKey(state, req, keyId, options).details.key_id)
      : state.aliasesIn(req.project.id);
  // Unverified: No documented default or maximum for limit; 50 mirrors Terraform's page size.
  const limit = positiveInt(req.query.get('limit') ?? undefined, 'limit', 1000) ?? 50;
  // The marker is the last alias of the previous page; aliases are listed in name order, so a marker
  // stays valid when aliases are added or removed between pages.
  const marker = req.query.get('marker');
  const after = marker ? all.filter((a) => a.alias > marker) : all;
  const page = after.slice(0, limit);
  const nextMarker = after.length > page.length ? (page[page.length - 1]?.alias ?? '') : '';
  const payload = { aliases: page, page_info: { next_marker: nextMarker, current_count: page.length } };
  return { status: 200, body: options.listAliasesShape === 'array' ? [payload] : payload, ...(keyId ? { keyId } : {}) };
}

function deleteAlias(req: KmsRequest, state: KmsState, options: KmsApiOptions): KmsResult {
  const body = jsonBody(req.body);
  const keyId = checkKeyIdFormat(requiredString(body, 'key_id'));
  const aliases = body['aliases'];
  if (aliases === undefined || aliases === null || (Array.isArray(aliases) && aliases.length === 0)) {
    throw kmsError.missingParam('aliases');
  }
  if (!Array.isArray(aliases) || !aliases.every((a): a is string => typeof a === 'string')) {
    throw kmsError.invalidParam('aliases');
  }
  const key = existingKey(state, req, keyId, options);
  if (key.details.default_key_flag === '1') throw kmsError.defaultKey();
  for (const alias of aliases) {
    // Undocumented: deleting an alias that is not on this key is refused rather than ignored.
    if (state.findAlias(req.project.id, alias)?.key_id !== keyId) {
      throw new HuaweiError(400, 'KMS.0308', `Invalid aliases: ${alias} is not an alias of the key.`, 'nested');
    }
  }
  for (const alias of aliases) state.deleteAlias(req.project.id, alias);
  return { status: 204, keyId };
}

/** Huawei's pending window: 7–1096 days (ScheduleKeyDeletion, docs/huawei-kms.md#key-deletion). */
const MIN_PENDING_DAYS = 7;
const MAX_PENDING_DAYS = 1096;

/**
 * ScheduleKeyDeletion: `{key_id, pending_days}` (a string in Huawei's SDK model) → 200
 * `{key_id, key_state: "4"}`. The key keeps its aliases while pending deletion.
 */
function scheduleKeyDeletion(req: KmsRequest, state: KmsState, options: KmsApiOptions): KmsResult {
  const body = jsonBody(req.body);
  const key = existingKey(state, req, requiredString(body, 'key_id'), options);
  const days = Number(body['pending_days'] ?? MIN_PENDING_DAYS);
  if (!Number.isInteger(days) || days < MIN_PENDING_DAYS || days > MAX_PENDING_DAYS) {
    throw kmsError.invalidParam('pending_days');
  }
  if (key.details.default_key_flag === '1') throw kmsError.defaultKey();
  if (key.details.key_state === '4') throw kmsError.keyPendingDeletion();
  state.setKeyState(key.details.key_id, '4');
  return { status: 200, body: { key_id: key.details.key_id, key_state: '4' }, keyId: key.details.key_id };
}

/**
 * CancelKeyDeletion: `{key_id}` → 200 `{key_id, key_state}`. (unverified) The key comes back disabled
 * ("3"), as the DEW user guide describes cancelling; refused unless pending deletion.
 */
function cancelKeyDeletion(req: KmsRequest, state: KmsState, options: KmsApiOptions): KmsResult {
  const key = existingKey(state, req, requiredString(jsonBody(req.body), 'key_id'), options);
  if (key.details.key_state !== '4') throw kmsError.invalidParam('key_id: the key is not pending deletion');
  state.setKeyState(key.details.key_id, '3');
  return { status: 200, body: { key_id: key.details.key_id, key_state: '3' }, keyId: key.details.key_id };
}

function associateAlias(req: KmsRequest, state: KmsState, options: KmsApiOptions): KmsResult {
  const body = jsonBody(req.body);
  const alias = requiredString(body, 'alias');
  const targetKeyId = checkKeyIdFormat(requiredString(body, 'target_key_id'));
  validateAliasName(alias, options);
  const existing = state.findAlias(req.project.id, alias);
  // Undocumented: associating an alias that does not exist is a 400 KMS.0308.
  if (!existing) throw new HuaweiError(400, 'KMS.0308', `Invalid alias: ${alias} is not found.`, 'nested');
  const key = existingKey(state, req, targetKeyId, options);
  checkAliasable(key);
  if (existing.key_id !== targetKeyId) checkAliasQuota(state, targetKeyId, options);
  return { status: 200, body: state.putAlias(req.project.id, targetKeyId, alias), keyId: targetKeyId };
}

export function handleKmsRequest(
  req: KmsRequest,
  state: KmsState,
  options: KmsApiOptions,
  tags: KeyTagStore = new KeyTagStore(),
): KmsResult {
  switch (req.operation) {
    case 'createTags':
    case 'listTags': {
      const keyId = checkKeyIdFormat(req.pathKeyId ?? '');
      existingKey(state, req, keyId, options);
      if (req.operation === 'listTags') return { status: 200, body: tags.list(keyId), keyId };
      tags.batch(keyId, req.body);
      return { status: 204, keyId };
    }
    case 'createKey':
      return createKey(req, state);
    case 'listKeys':
      return listKeys(req, state);
    case 'describeKey':
      return describeKey(req, state, options);
    case 'createAlias':
      return createAlias(req, state, options);
    case 'listAliases':
      return listAliases(req, state, options);
    case 'deleteAlias':
      return deleteAlias(req, state, options);
    case 'associateAlias':
      return associateAlias(req, state, options);
    case 'scheduleKeyDeletion':
      return scheduleKeyDeletion(req, state, options);
    case 'cancelKeyDeletion':
      return cancelKeyDeletion(req, state, options);
  }
}
