import type { KeyCreated } from '../events/key-created.ts';
import type { KeyDetails } from '../huawei/types.ts';

/** Which project and region a key was listed in: the configuration says, never the key. */
export interface KeyScope {
  projectId: string;
  region: string;
}

/** Epoch values below this are taken as seconds, above as milliseconds (1e12 ms is 2001-09-09). */
const EPOCH_MS_THRESHOLD = 1e12;

/**
 * `creation_date` is an epoch timestamp as a string (docs/huawei-kms.md#listing-keys), in milliseconds in every
 * example; seconds are accepted too. Anything else gives `undefined`.
 *
 * @example toIsoDate('1764374400000') // '2025-11-29T00:00:00.000Z'
 */
export function toIsoDate(epoch: string | undefined): string | undefined {
  if (epoch === undefined || !/^\d{1,16}$/.test(epoch)) return undefined;
  const n = Number(epoch);
  const ms = n < EPOCH_MS_THRESHOLD ? n * 1000 : n;
  const date = new Date(ms);
  return Number.isFinite(date.getTime()) ? date.toISOString() : undefined;
}

/**
 * Turns a listed key into the `KeyCreated` the handler would have seen for it, so the naming
 * template gives a backfilled key the same alias an event would have: `key_alias`, `key_spec`,
 * `key_usage`, `origin`, `key_description`, `domain_id`, `enterprise_project_id` (from
 * `sys_enterprise_project_id`) and `created_at` (from `creation_date`). KeyDetails carries no
 * creator, so a template that needs `{created_by}` without `|default:…` cannot name such keys.
 */
export function keyCreatedFromDetails(details: KeyDetails, scope: KeyScope): KeyCreated {
  const event: KeyCreated = {
    key_id: details.key_id,
    project_id: scope.projectId,
    region: scope.region,
    source: 'key-details',
    envelopes: [],
  };
  const text = (value: string | undefined): string | undefined =>
    value === undefined || value === '' ? undefined : value;
  const domainId = text(details.domain_id);
  const createdAt = toIsoDate(details.creation_date);
  const keyAlias = text(details.key_alias);
  const keySpec = text(details.key_spec);
  const keyUsage = text(details.key_usage);
  const origin = text(details.origin);
  const enterpriseProjectId = text(details.sys_enterprise_project_id);
  const description = text(details.key_description);
  if (domainId !== undefined) event.domain_id = domainId;
  if (createdAt !== undefined) event.created_at = createdAt;
  if (keyAlias !== undefined) event.key_alias = keyAlias;
  if (keySpec !== undefined) event.key_spec = keySpec;
  if (keyUsage !== undefined) event.key_usage = keyUsage;
  if (origin !== undefined) event.origin = origin;
  if (enterpriseProjectId !== undefined) event.enterprise_project_id = enterpriseProjectId;
  if (description !== undefined) event.key_description = description;
  return event;
}
