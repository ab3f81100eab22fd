// The CTS trace KMS records for a createKey call (docs/huawei-kms.md#key-events, the trace
// structure of the CTS user guide): service KMS, resource type `cmk`, trace name `createKey`,
// `request`/`response` as JSON strings, `time`/`record_time` as epoch milliseconds (what the CTS
// APIs return, docs/huawei-kms.md#trace-times), `code` the HTTP status as a string.
import { randomUUID } from 'node:crypto';
import type { EmulatorAccount, ProjectRef } from './accounts.ts';
import type { CtsTrace } from './cts-notifications.ts';

/** One KMS call, as CTS records it. */
export interface KmsCall {
  readonly project: ProjectRef;
  readonly account: EmulatorAccount;
  /** AK, IAM user name or `<domain>/<agency>`. */
  readonly principal: string;
  readonly status: number;
  readonly requestBody: string;
  readonly responseBody: unknown;
  readonly atMs: number;
}

export interface CreateKeyCall extends KmsCall {
  readonly keyId?: string;
  readonly keyAlias?: string;
}

/**
 * The trace of any KMS call: every KMS trace has this structure; the operation's name, its API
 * version and the resource it names differ (createKey names the new key, replicateKey its source).
 */
export function kmsTrace(
  call: KmsCall,
  what: { traceName: string; apiVersion: string; resourceId?: string | undefined; resourceName?: string | undefined },
): CtsTrace {
  const user = call.account.users[0]?.name ?? call.principal;
  const userId = `${call.account.domainId.slice(0, 16)}${'0'.repeat(16)}`;
  return {
    trace_id: randomUUID(),
    code: String(call.status),
    trace_name: what.traceName,
    resource_type: 'cmk',
    trace_rating: call.status < 400 ? 'normal' : 'warning',
    api_version: what.apiVersion,
    source_ip: '127.0.0.1',
    trace_type: 'ApiCall',
    service_type: 'KMS',
    event_type: 'system',
    project_id: call.project.id,
    request: call.requestBody,
    response: JSON.stringify(call.responseBody ?? {}),
    ...(what.resourceId === undefined ? {} : { resource_id: what.resourceId }),
    ...(what.resourceName === undefined ? {} : { resource_name: what.resourceName }),
    resource_account_id: call.account.domainId,
    tracker_name: 'system',
    time: call.atMs,
    record_time: call.atMs + 1,
    user: {
      domain: { name: call.account.domainName, id: call.account.domainId },
      name: user,
      id: userId,
      type: 'User',
      principal_id: userId,
    },
  };
}

export function createKeyTrace(call: CreateKeyCall): CtsTrace {
  return kmsTrace(call, {
    traceName: 'createKey',
    apiVersion: 'v1.0',
    resourceId: call.keyId,
    resourceName: call.keyAlias,
  });
}

/**
 * The trace of a scheduleKeyDeletion / cancelKeyDeletion call: the same structure as createKey's,
 * with the request `{key_id, pending_days}` and the answer `{key_id, key_state}`
 * (docs/huawei-kms.md#key-deletion; the trace names are the DEW audit table's).
 */
export function keyDeletionTrace(
  call: Omit<CreateKeyCall, 'keyAlias'>,
  traceName: 'scheduleKeyDeletion' | 'cancelKeyDeletion',
): CtsTrace {
  return { ...createKeyTrace(call), trace_name: traceName };
}
