/**
 * The SMN v2 calls `wire` needs (docs/huawei-kms.md#smn-api): create a topic (idempotent: 200 when
 * it exists, 201 when created), list topics, add an HTTP(S) subscription (idempotent: 200 when the
 * endpoint is subscribed already, "SMN.0190 This endpoint already exists"), list a topic's
 * subscriptions. Answers are read leniently (the 200 of an existing subscription may carry the
 * URN or only the SMN.0190 code: both are accepted). One HTTP request per call (one per page for
 * listings), no retries; failures are the Huawei error types (lib/errors/huawei-errors.ts) from the shared signed call.
 */
import { UnexpectedResponseError } from '../errors/huawei-errors.ts';
import type { ServiceTarget, SignedJsonCall } from './signed-json-call.ts';

export interface SmnTopicInfo {
  topicUrn: string;
  name: string;
  displayName: string;
}

/** Subscription `status`: 0 unconfirmed, 1 confirmed, 3 canceled (docs/huawei-kms.md#smn-delivery). */
export interface SmnSubscriptionInfo {
  subscriptionUrn: string;
  topicUrn: string;
  protocol: string;
  endpoint: string;
  remark: string;
  status: number | undefined;
}

export interface AddSubscriptionInput {
  protocol: 'http' | 'https';
  endpoint: string;
  remark?: string;
  /** `extension.header`: ≤10 `x-…` headers sent with every message to the confirmed subscription. */
  headers?: Record<string, string>;
}

export interface SmnClient {
  createTopic(
    target: ServiceTarget,
    name: string,
    displayName: string,
    signal?: AbortSignal,
  ): Promise<{ topicUrn: string; created: boolean }>;
  listTopics(target: ServiceTarget, signal?: AbortSignal): Promise<SmnTopicInfo[]>;
  addSubscription(
    target: ServiceTarget,
    topicUrn: string,
    input: AddSubscriptionInput,
    signal?: AbortSignal,
  ): Promise<{ subscriptionUrn: string | undefined; created: boolean }>;
  listSubscriptions(target: ServiceTarget, topicUrn: string, signal?: AbortSignal): Promise<SmnSubscriptionInfo[]>;
}

const PAGE = 100;
/** 3,000 topics per account is SMN's quota; 10,000 subscriptions per topic. */
const MAX_PAGES = 101;

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function unexpected(operation: string, status: number, reason: string): UnexpectedResponseError {
  return new UnexpectedResponseError(`${operation} failed: unexpected answer (${reason})`, { status, operation });
}

function listOf(json: unknown, field: string): unknown[] | undefined {
  const value = record(json)?.[field];
  return Array.isArray(value) ? value : undefined;
}

export function createSmnClient(call: SignedJsonCall): SmnClient {
  const base = (target: ServiceTarget) => ['v2', target.projectId, 'notifications', 'topics'];

  async function pages<T>(
    operation: string,
    fetchPage: (offset: number) => Promise<{ status: number; json: unknown }>,
    field: string,
    map: (item: Record<string, unknown>) => T,
  ): Promise<T[]> {
    const out: T[] = [];
    for (let page = 0; page < MAX_PAGES; page++) {
      const { status, json } = await fetchPage(page * PAGE);
      const items = listOf(json, field);
      if (items === undefined) throw unexpected(operation, status, `no ${field} list`);
      for (const item of items) {
        const r = record(item);
        if (r) out.push(map(r));
      }
      if (items.length < PAGE) return out;
    }
    throw unexpected(operation, 200, `more than ${MAX_PAGES} pages`);
  }

  return {
    async createTopic(target, name, displayName, signal) {
      const operation = 'smn.createTopic';
      const res = await call(
        { operation, target, method: 'POST', segments: base(target), payload: { name, display_name: displayName } },
        signal,
      );
      const topicUrn = text(record(res.json)?.['topic_urn']);
      if (topicUrn === '') throw unexpected(operation, res.status, 'no topic_urn');
      return { topicUrn, created: res.status === 201 };
    },

    listTopics(target, signal) {
      const operation = 'smn.listTopics';
      return pages(
        operation,
        (offset) =>
          call(
            {
              operation,
              target,
              method: 'GET',
              segments: base(target),
              query: { offset: String(offset), limit: String(PAGE) },
            },
            signal,
          ),
        'topics',
        (t) => ({ topicUrn: text(t['topic_urn']), name: text(t['name']), displayName: text(t['display_name']) }),
      );
    },

    async addSubscription(target, topicUrn, input, signal) {
      const operation = 'smn.addSubscription';
      const payload: Record<string, unknown> = {
        protocol: input.protocol,
        endpoint: input.endpoint,
        remark: input.remark ?? '',
        ...(input.headers === undefined || Object.keys(input.headers).length === 0
          ? {}
          : { extension: { header: input.headers } }),
      };
      const res = await call(
        { operation, target, method: 'POST', segments: [...base(target), topicUrn, 'subscriptions'], payload },
        signal,
      );
      const urn = text(record(res.json)?.['subscription_urn']);
      return { subscriptionUrn: urn === '' ? undefined : urn, created: res.status === 201 };
    },

    listSubscriptions(target, topicUrn, signal) {
      const operation = 'smn.listSubscriptions';
      return pages(
        operation,
        (offset) =>
          call(
            {
              operation,
              target,
              method: 'GET',
              segments: [...base(target), topicUrn, 'subscriptions'],
              query: { offset: String(offset), limit: String(PAGE) },
            },
            signal,
          ),
        'subscriptions',
        (s) => ({
          subscriptionUrn: text(s['subscription_urn']),
          topicUrn: text(s['topic_urn']),
          protocol: text(s['protocol']),
          endpoint: text(s['endpoint']),
          remark: text(s['remark']),
          status:
            typeof s['status'] === 'number'
              ? s['status']
              : Number.isFinite(Number(s['status'])) && s['status'] !== ''
                ? Number(s['status'])
                : undefined,
        }),
      );
    },
  };
}
