/**
 * The CTS v3 key event notification calls `wire` needs (docs/huawei-kms.md#cts-notifications):
 * create (`POST /v3/{project_id}/notifications`; a duplicate name is 400 CTS.0400), find by name
 * (`GET /v3/{project_id}/notifications/smn?notification_name=`), update
 * (`PUT /v3/{project_id}/notifications`, with `notification_id` and `status`). One request per call,
 * no retries; failures are the Huawei error types (lib/errors/huawei-errors.ts) from the shared signed call.
 */
import { UnexpectedResponseError } from '../errors/huawei-errors.ts';
import type { ServiceTarget, SignedJsonCall } from './signed-json-call.ts';

export interface CtsNotificationOperation {
  service_type: string;
  resource_type: string;
  trace_names: string[];
}

export interface CtsNotificationFilter {
  condition: 'AND' | 'OR';
  is_support_filter: boolean;
  rule: string[];
}

/** What `wire` sends: the create fields (Huawei's snake_case, sent as is). */
export interface CtsNotificationSpec {
  notification_name: string;
  operation_type: 'complete' | 'customized';
  operations: CtsNotificationOperation[];
  notify_user_list: { user_group: string; user_list: string[] }[];
  topic_id: string;
  filter?: CtsNotificationFilter;
  /** Huawei only: `cts_admin_trust` makes CTS create the agency it publishes with. */
  agency_name?: string;
}

/** A notification as CTS returns it; fields read leniently (absent ones are undefined). */
export interface CtsNotificationInfo {
  notificationId: string;
  notificationName: string;
  operationType: string | undefined;
  operations: CtsNotificationOperation[];
  status: string | undefined;
  topicId: string | undefined;
  filter: CtsNotificationFilter | undefined;
}

export interface CtsClient {
  createNotification(
    target: ServiceTarget,
    spec: CtsNotificationSpec,
    signal?: AbortSignal,
  ): Promise<CtsNotificationInfo>;
  findNotification(target: ServiceTarget, name: string, signal?: AbortSignal): Promise<CtsNotificationInfo | undefined>;
  updateNotification(
    target: ServiceTarget,
    spec: CtsNotificationSpec & { notification_id: string; status: 'enabled' | 'disabled' },
    signal?: AbortSignal,
  ): Promise<CtsNotificationInfo>;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function optionalText(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Reads one notification; undefined when it has no id or name. */
export function readNotification(value: unknown): CtsNotificationInfo | undefined {
  const n = record(value);
  const id = optionalText(n?.['notification_id']);
  const name = optionalText(n?.['notification_name']);
  if (!n || id === undefined || name === undefined) return undefined;
  const operations = (Array.isArray(n['operations']) ? n['operations'] : []).flatMap((o) => {
    const op = record(o);
    return op
      ? [
          {
            service_type: optionalText(op['service_type']) ?? '',
            resource_type: optionalText(op['resource_type']) ?? '',
            trace_names: strings(op['trace_names']),
          },
        ]
      : [];
  });
  const f = record(n['filter']);
  const filter: CtsNotificationFilter | undefined = f
    ? {
        condition: f['condition'] === 'OR' ? 'OR' : 'AND',
        is_support_filter: f['is_support_filter'] === true,
        rule: strings(f['rule']),
      }
    : undefined;
  return {
    notificationId: id,
    notificationName: name,
    operationType: optionalText(n['operation_type']),
    operations,
    status: optionalText(n['status']),
    topicId: optionalText(n['topic_id']),
    filter,
  };
}

function expectNotification(operation: string, status: number, json: unknown): CtsNotificationInfo {
  const n = readNotification(json);
  if (n === undefined) {
    throw new UnexpectedResponseError(`${operation} failed: unexpected answer (no notification_id)`, {
      status,
      operation,
    });
  }
  return n;
}

export function createCtsClient(call: SignedJsonCall): CtsClient {
  const base = (target: ServiceTarget) => ['v3', target.projectId, 'notifications'];
  return {
    async createNotification(target, spec, signal) {
      const operation = 'cts.createNotification';
      const res = await call(
        { operation, target, method: 'POST', segments: base(target), payload: { ...spec } },
        signal,
      );
      return expectNotification(operation, res.status, res.json);
    },

    async findNotification(target, name, signal) {
      const operation = 'cts.listNotifications';
      const res = await call(
        { operation, target, method: 'GET', segments: [...base(target), 'smn'], query: { notification_name: name } },
        signal,
      );
      const list = record(res.json)?.['notifications'];
      if (!Array.isArray(list)) {
        throw new UnexpectedResponseError(`${operation} failed: unexpected answer (no notifications list)`, {
          status: res.status,
          operation,
        });
      }
      // The name parameter is a filter on the server; match exactly here too.
      return list.map(readNotification).find((n) => n?.notificationName === name);
    },

    async updateNotification(target, spec, signal) {
      const operation = 'cts.updateNotification';
      const res = await call(
        { operation, target, method: 'PUT', segments: base(target), payload: { ...spec } },
        signal,
      );
      return expectNotification(operation, res.status, res.json);
    },
  };
}
