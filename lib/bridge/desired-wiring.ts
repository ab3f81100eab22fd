/**
 * What `kms-auto-alias wire` sets up in each project, and how an existing CTS notification is
 * judged against it. Pure. The notification covers the KMS traces on `cmk` that the queue
 * handler acts on ({@link KMS_CREATE_KEY_OPERATION}, docs/huawei-kms.md#key-events) and only
 * successful calls: the filter rule `code = 200`
 * (docs/huawei-kms.md#cts-notifications: rule fields `code`…, operators `=`/`!=`).
 */
import type { CtsNotificationInfo, CtsNotificationOperation, CtsNotificationSpec } from './cts-client.ts';

export const DEFAULT_TOPIC_NAME = 'kms-auto-alias-key-events';
/** CTS notification names allow `[A-Za-z0-9_]` only (≤64). */
export const DEFAULT_NOTIFICATION_NAME = 'kms_auto_alias_key_events';
/** The custom header SMN sends with each notification; the ingest function checks it. */
export const INGEST_TOKEN_HEADER = 'x-ingest-token';
export const SUCCESS_RULE = 'code = 200';

/**
 * Every KMS trace the queue handler acts on: new keys (`createKey`, and `replicateKey` for a replica
 * in another region) and, for ON_KEY_DELETION, `scheduleKeyDeletion` / `cancelKeyDeletion`
 * (docs/huawei-kms.md#replicas-and-imported-keys, #key-deletion). With ON_KEY_DELETION=keep the
 * deletion traces only reach the audit. `wire --check` requires only `createKey`: the other names
 * are unverified, and a notification made by hand for new keys alone is still healthy.
 * UNVERIFIED: whether `service_type` is exactly `KMS` (docs/huawei-kms.md#unverified).
 */
export const KMS_CREATE_KEY_OPERATION = {
  service_type: 'KMS',
  resource_type: 'cmk',
  trace_names: ['createKey', 'replicateKey', 'scheduleKeyDeletion', 'cancelKeyDeletion'],
};

export function notificationSpec(name: string, topicUrn: string): CtsNotificationSpec {
  return {
    notification_name: name,
    operation_type: 'customized',
    operations: [{ ...KMS_CREATE_KEY_OPERATION, trace_names: [...KMS_CREATE_KEY_OPERATION.trace_names] }],
    notify_user_list: [],
    topic_id: topicUrn,
    filter: { condition: 'AND', is_support_filter: true, rule: [SUCCESS_RULE] },
    // Huawei: CTS creates (or reuses) its service agency to publish to SMN with this name.
    agency_name: 'cts_admin_trust',
  };
}

const normaliseRule = (rule: string): string => rule.replace(/\s+/g, '').toLowerCase();

/** What is wrong with an existing notification; empty when it does what `wire` wants. */
export function notificationProblems(n: CtsNotificationInfo, topicUrn: string | undefined): string[] {
  const problems: string[] = [];
  if (n.status !== 'enabled') problems.push(`status is ${n.status ?? 'unknown'}, not enabled`);
  if (topicUrn !== undefined && n.topicId !== topicUrn) {
    problems.push(
      `publishes to ${n.topicId === undefined || n.topicId === '' ? 'no topic' : n.topicId}, not the topic`,
    );
  }
  const covers =
    n.operationType === 'complete' ||
    n.operations.some(
      (op) =>
        op.service_type.toLowerCase() === 'kms' &&
        op.resource_type.toLowerCase() === 'cmk' &&
        op.trace_names.includes('createKey'),
    );
  if (!covers) problems.push('does not cover KMS createKey on cmk');
  const rules = n.filter?.is_support_filter === true ? n.filter.rule.map(normaliseRule) : [];
  const successOnly =
    rules.includes(normaliseRule(SUCCESS_RULE)) && (n.filter?.condition === 'AND' || rules.length === 1);
  if (!successOnly) problems.push(`filter is not "${SUCCESS_RULE}" (successful calls only)`);
  return problems;
}

const isKmsCmk = (op: CtsNotificationOperation): boolean =>
  op.service_type.toLowerCase() === 'kms' && op.resource_type.toLowerCase() === 'cmk';

/**
 * The spec `wire` sends to fix an existing notification. CTS's PUT replaces the whole notification
 * (docs/huawei-kms.md#cts-notifications), so sending `wanted` as it is would silently drop what
 * someone added for other services (or other KMS traces) and narrow a `complete` notification to
 * KMS. Only what `notificationProblems` names is changed: the other operations are kept, and the
 * KMS `cmk` entry gets our trace names added to its own.
 */
export function updatedNotificationSpec(wanted: CtsNotificationSpec, found: CtsNotificationInfo): CtsNotificationSpec {
  if (found.operationType === 'complete') return { ...wanted, operation_type: 'complete', operations: [] };
  const ours = wanted.operations.find(isKmsCmk);
  const existing = found.operations.find(isKmsCmk);
  const kms =
    ours === undefined
      ? []
      : [{ ...ours, trace_names: [...new Set([...(existing?.trace_names ?? []), ...ours.trace_names])] }];
  return { ...wanted, operations: [...found.operations.filter((op) => !isKmsCmk(op)), ...kms] };
}
