// CTS key event notifications: storage, and which notifications a trace triggers
// (docs/huawei-kms.md#cts-notifications, from the CTS API "Creating a Key Event Notification").
// A notification matches a trace when it is enabled, its operations cover the trace (or
// `operation_type` is `complete`), and its filter rules (`field = value` / `field != value`,
// joined by `condition` AND/OR) hold for the trace.
import { randomUUID } from 'node:crypto';
import type { ProjectRef } from './accounts.ts';

export interface CtsOperation {
  service_type: string;
  resource_type: string;
  trace_names: string[];
}

export interface CtsFilter {
  condition: 'AND' | 'OR';
  is_support_filter: boolean;
  rule: string[];
}

export interface CtsNotification {
  notification_id: string;
  notification_name: string;
  operation_type: 'complete' | 'customized';
  operations: CtsOperation[];
  notify_user_list: { user_group: string; user_list: string[] }[];
  status: 'enabled' | 'disabled';
  topic_id: string;
  notification_type: 'smn';
  project_id: string;
  create_time: number;
  filter?: CtsFilter;
  domain_id: string;
  agency_name?: string;
}

/** A trace as CTS records it; only the fields a notification looks at are typed. */
export type CtsTrace = Readonly<Record<string, unknown>> & {
  readonly service_type: string;
  readonly resource_type: string;
  readonly trace_name: string;
};

/** Fields a filter rule may name (CTS API, `filter.rule`). */
export const FILTER_FIELDS = ['api_version', 'code', 'trace_rating', 'trace_type', 'resource_id', 'resource_name'];
const RULE_PATTERN = /^\s*([a-z_]+)\s*(!=|=)\s*(.*?)\s*$/;

export interface ParsedRule {
  readonly field: string;
  readonly op: '=' | '!=';
  readonly value: string;
}

export function parseRule(rule: string): ParsedRule | undefined {
  const m = RULE_PATTERN.exec(rule);
  if (!m || !FILTER_FIELDS.includes(m[1] ?? '')) return undefined;
  return { field: m[1] ?? '', op: m[2] === '!=' ? '!=' : '=', value: m[3] ?? '' };
}

function ruleHolds(rule: ParsedRule, trace: CtsTrace): boolean {
  const raw = trace[rule.field];
  const actual = raw === undefined || raw === null ? '' : String(raw);
  return rule.op === '=' ? actual === rule.value : actual !== rule.value;
}

/** Service and resource names compare case-insensitively (docs write both `cmk` and `CMK`). */
function covers(op: CtsOperation, trace: CtsTrace): boolean {
  return (
    op.service_type.toLowerCase() === trace.service_type.toLowerCase() &&
    op.resource_type.toLowerCase() === trace.resource_type.toLowerCase() &&
    op.trace_names.includes(trace.trace_name)
  );
}

export function notificationMatches(n: CtsNotification, trace: CtsTrace): boolean {
  if (n.status !== 'enabled') return false;
  if (n.operation_type === 'customized' && !n.operations.some((op) => covers(op, trace))) return false;
  const filter = n.filter;
  if (!filter?.is_support_filter || filter.rule.length === 0) return true;
  const results = filter.rule.map((r) => {
    const parsed = parseRule(r);
    return parsed !== undefined && ruleHolds(parsed, trace);
  });
  return filter.condition === 'OR' ? results.some(Boolean) : results.every(Boolean);
}

export class CtsNotificationStore {
  readonly #byId = new Map<string, CtsNotification>();
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  byName(projectId: string, name: string): CtsNotification | undefined {
    return this.list(projectId).find((n) => n.notification_name === name);
  }

  byId(id: string): CtsNotification | undefined {
    return this.#byId.get(id);
  }

  list(projectId?: string): CtsNotification[] {
    return [...this.#byId.values()].filter((n) => projectId === undefined || n.project_id === projectId);
  }

  create(
    project: ProjectRef,
    domainId: string,
    fields: Omit<CtsNotification, 'notification_id' | 'project_id' | 'create_time' | 'domain_id' | 'notification_type'>,
  ): CtsNotification {
    const notification: CtsNotification = {
      ...fields,
      notification_id: randomUUID(),
      notification_type: 'smn',
      project_id: project.id,
      create_time: this.#now(),
      domain_id: domainId,
    };
    this.#byId.set(notification.notification_id, notification);
    return notification;
  }

  delete(id: string): boolean {
    return this.#byId.delete(id);
  }

  reset(): void {
    this.#byId.clear();
  }
}
