import type { EventEnvelope, EventSource } from './key-created.ts';

/**
 * A key scheduled for deletion, or whose deletion was cancelled (CTS traces
 * `scheduleKeyDeletion` / `cancelKeyDeletion`, docs/huawei-kms.md#key-deletion). No naming
 * fields: the trace carries only the key id, so whatever the convention needs is read from the
 * key itself (DescribeKey) when it is needed.
 */
export interface KeyDeletion {
  key_id: string;
  project_id: string;
  /** Region id, when the trace says; the configured project map decides all the same. */
  region?: string;
  /** Account (domain) id: the caller's (`user.domain.id`), else `resource_account_id`. */
  domain_id?: string;
  /** ISO-8601 time of the call (`time`, else `record_time`), when readable. */
  time?: string;
  trace_id?: string;
  source: EventSource;
  envelopes: EventEnvelope[];
}

/** The two deletion operations, as `NormaliseResult` kinds. */
export type KeyDeletionKind = 'key_deletion_scheduled' | 'key_deletion_cancelled';
