// The CTS v3 key event notification operations behind the gateway
// (docs/huawei-kms.md#cts-notifications, from the CTS API "Creating", "Querying" and "Modifying a
// Key Event Notification"). Errors use the flat shape with CTS codes (`CTS.0400` for a duplicate name).
import type { ProjectRef } from './accounts.ts';
import {
  type CtsFilter,
  type CtsNotification,
  type CtsNotificationStore,
  type CtsOperation,
  parseRule,
} from './cts-notifications.ts';
import { HuaweiError } from './error-bodies.ts';
import { asObject, asString, parseJsonObject, type JsonObject } from './json.ts';
import type { CtsApiOperation } from './types.ts';

/** The console allows at most 64 characters `[A-Za-z0-9_]`. */
const NOTIFICATION_NAME = /^[A-Za-z0-9_]{1,64}$/;
const MAX_FILTER_RULES = 6;

export interface CtsRequest {
  readonly operation: CtsApiOperation;
  readonly project: ProjectRef;
  readonly domainId: string;
  readonly query: URLSearchParams;
  readonly body: Uint8Array;
}

export interface CtsResult {
  readonly status: number;
  readonly body: unknown;
}

const ctsError = {
  invalid: (what: string): HuaweiError => new HuaweiError(400, 'CTS.0001', `Invalid parameter: ${what}.`, 'flat'),
  duplicateName: (): HuaweiError => new HuaweiError(400, 'CTS.0400', 'NotificationV3 name is existed already', 'flat'),
  // Emulator choice: no public source gives the code for an unknown notification id.
  notFound: (): HuaweiError => new HuaweiError(404, 'CTS.0404', 'The notification does not exist.', 'flat'),
};

function jsonBody(body: Uint8Array): JsonObject {
  const parsed = parseJsonObject(body);
  if (!parsed) throw ctsError.invalid('request body');
  return parsed;
}

function operations(value: unknown): CtsOperation[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw ctsError.invalid('operations');
  return value.map((item) => {
    const op = asObject(item);
    const service = asString(op?.['service_type']);
    const resource = asString(op?.['resource_type']);
    const names = op?.['trace_names'];
    if (!service || !resource || !Array.isArray(names) || !names.every((n) => typeof n === 'string')) {
      throw ctsError.invalid('operations');
    }
    return { service_type: service, resource_type: resource, trace_names: [...names] as string[] };
  });
}

function filter(value: unknown): CtsFilter | undefined {
  if (value === undefined || value === null) return undefined;
  const f = asObject(value);
  const condition = asString(f?.['condition']) ?? 'AND';
  const rule = f?.['rule'] ?? [];
  if (condition !== 'AND' && condition !== 'OR') throw ctsError.invalid('filter.condition');
  if (!Array.isArray(rule) || rule.length > MAX_FILTER_RULES || !rule.every((r) => typeof r === 'string')) {
    throw ctsError.invalid('filter.rule');
  }
  for (const r of rule) if (parseRule(r as string) === undefined) throw ctsError.invalid(`filter.rule ${r}`);
  const support = f?.['is_support_filter'];
  return { condition, is_support_filter: support === undefined ? true : support === true, rule: [...rule] as string[] };
}

function userList(value: unknown): CtsNotification['notify_user_list'] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.length > 10) throw ctsError.invalid('notify_user_list');
  return value.map((item) => {
    const entry = asObject(item);
    const users = entry?.['user_list'] ?? [];
    if (!Array.isArray(users) || !users.every((u) => typeof u === 'string')) throw ctsError.invalid('notify_user_list');
    return { user_group: asString(entry?.['user_group']) ?? '', user_list: [...users] as string[] };
  });
}

/** The fields create and update share, read from a request body. */
function notificationFields(body: JsonObject) {
  const name = asString(body['notification_name']);
  if (name === undefined || !NOTIFICATION_NAME.test(name)) throw ctsError.invalid('notification_name');
  const operationType = asString(body['operation_type']);
  if (operationType !== 'complete' && operationType !== 'customized') throw ctsError.invalid('operation_type');
  const ops = operations(body['operations']);
  if (operationType === 'customized' && ops.length === 0) throw ctsError.invalid('operations');
  const topicId = asString(body['topic_id']) ?? '';
  const agencyName = asString(body['agency_name']);
  const parsedFilter = filter(body['filter']);
  return {
    notification_name: name,
    operation_type: operationType,
    operations: ops,
    notify_user_list: userList(body['notify_user_list']),
    topic_id: topicId,
    ...(parsedFilter === undefined ? {} : { filter: parsedFilter }),
    ...(agencyName === undefined ? {} : { agency_name: agencyName }),
  } as const;
}

export function handleCtsRequest(req: CtsRequest, store: CtsNotificationStore): CtsResult {
  switch (req.operation) {
    case 'ctsCreateNotification': {
      const fields = notificationFields(jsonBody(req.body));
      if (store.byName(req.project.id, fields.notification_name)) throw ctsError.duplicateName();
      const created = store.create(req.project, req.domainId, { ...fields, status: 'enabled' });
      return { status: 201, body: created };
    }
    case 'ctsListNotifications': {
      const name = req.query.get('notification_name');
      const list = store.list(req.project.id).filter((n) => !name || n.notification_name === name);
      return { status: 200, body: { notifications: list } };
    }
    case 'ctsUpdateNotification': {
      const body = jsonBody(req.body);
      const id = asString(body['notification_id']);
      if (!id) throw ctsError.invalid('notification_id');
      const status = asString(body['status']);
      if (status !== 'enabled' && status !== 'disabled') throw ctsError.invalid('status');
      const fields = notificationFields(body);
      if (status === 'enabled' && fields.topic_id === '') throw ctsError.invalid('topic_id');
      const existing = store.byId(id);
      if (!existing || existing.project_id !== req.project.id) throw ctsError.notFound();
      const clash = store.byName(req.project.id, fields.notification_name);
      if (clash && clash.notification_id !== id) throw ctsError.duplicateName();
      // PUT replaces the notification's settings (the create fields) and sets its status.
      delete existing.filter;
      delete existing.agency_name;
      Object.assign(existing, fields, { status });
      return { status: 200, body: existing };
    }
  }
}
