// In-memory SMN data: topics (per project) and their subscriptions, with the confirmation tokens
// of unconfirmed ones (docs/huawei-kms.md#smn-api). Topic URN `urn:smn:{region}:{project_id}:{name}`;
// subscription URN `{topic_urn}:{32 hex}`. Status 0 unconfirmed, 1 confirmed, 3 canceled.
import { randomBytes } from 'node:crypto';
import type { ProjectRef } from './accounts.ts';
import { newRequestId } from './ids.ts';

/** Confirmation links are valid for 48 h (SMN user guide, "traffic control over subscription confirmation"). */
export const CONFIRM_TOKEN_TTL_MS = 48 * 3_600_000;

export type SubscriptionStatus = 0 | 1 | 3;

export interface SmnTopic {
  readonly topic_urn: string;
  readonly topic_id: string;
  readonly name: string;
  display_name: string;
  readonly project_id: string;
  readonly region: string;
  readonly create_time: string;
}

export interface SmnSubscription {
  readonly subscription_urn: string;
  readonly topic_urn: string;
  readonly protocol: string;
  readonly endpoint: string;
  readonly remark: string;
  /** The owning account (domain id). */
  readonly owner: string;
  status: SubscriptionStatus;
  /** `extension.header`: sent with messages once the subscription is confirmed. */
  readonly headers: Readonly<Record<string, string>>;
  confirmToken: string | undefined;
  tokenExpiresAt: number;
}

export function topicUrnOf(region: string, projectId: string, name: string): string {
  return `urn:smn:${region}:${projectId}:${name}`;
}

export class SmnState {
  readonly #topics = new Map<string, SmnTopic>();
  readonly #subscriptions = new Map<string, SmnSubscription>();
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** Idempotent by name: the existing topic and `created: false` when it is there already. */
  createTopic(project: ProjectRef, name: string, displayName: string): { topic: SmnTopic; created: boolean } {
    const urn = topicUrnOf(project.name, project.id, name);
    const existing = this.#topics.get(urn);
    if (existing) return { topic: existing, created: false };
    const topic: SmnTopic = {
      topic_urn: urn,
      topic_id: newRequestId(),
      name,
      display_name: displayName,
      project_id: project.id,
      region: project.name,
      create_time: new Date(this.#now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    };
    this.#topics.set(urn, topic);
    return { topic, created: true };
  }

  topic(urn: string): SmnTopic | undefined {
    return this.#topics.get(urn);
  }

  topics(projectId?: string): SmnTopic[] {
    return [...this.#topics.values()].filter((t) => projectId === undefined || t.project_id === projectId);
  }

  deleteTopic(urn: string): boolean {
    for (const [key, sub] of this.#subscriptions) if (sub.topic_urn === urn) this.#subscriptions.delete(key);
    return this.#topics.delete(urn);
  }

  /**
   * Idempotent by (topic, protocol, endpoint): an existing subscription that is not canceled is
   * returned with `created: false` (SMN answers 200, "SMN.0190 This endpoint already exists").
   */
  addSubscription(
    topic: SmnTopic,
    owner: string,
    input: { protocol: string; endpoint: string; remark: string; headers: Readonly<Record<string, string>> },
  ): { subscription: SmnSubscription; created: boolean } {
    const existing = this.subscriptions(topic.topic_urn).find(
      (s) => s.protocol === input.protocol && s.endpoint === input.endpoint && s.status !== 3,
    );
    if (existing) return { subscription: existing, created: false };
    const subscription: SmnSubscription = {
      subscription_urn: `${topic.topic_urn}:${randomBytes(16).toString('hex')}`,
      topic_urn: topic.topic_urn,
      protocol: input.protocol,
      endpoint: input.endpoint,
      remark: input.remark,
      owner,
      status: 0,
      headers: { ...input.headers },
      confirmToken: randomBytes(32).toString('hex'),
      tokenExpiresAt: this.#now() + CONFIRM_TOKEN_TTL_MS,
    };
    this.#subscriptions.set(subscription.subscription_urn, subscription);
    return { subscription, created: true };
  }

  subscription(urn: string): SmnSubscription | undefined {
    return this.#subscriptions.get(urn);
  }

  /** Subscriptions of a topic (or of every topic), in creation order. */
  subscriptions(topicUrn?: string): SmnSubscription[] {
    return [...this.#subscriptions.values()].filter((s) => topicUrn === undefined || s.topic_urn === topicUrn);
  }

  /** Confirms the subscription holding `token`; undefined for an unknown or expired token. */
  confirm(token: string): SmnSubscription | undefined {
    const sub = [...this.#subscriptions.values()].find((s) => s.confirmToken !== undefined && s.confirmToken === token);
    if (!sub || sub.tokenExpiresAt < this.#now()) return undefined;
    sub.status = 1;
    return sub;
  }

  deleteSubscription(urn: string): boolean {
    return this.#subscriptions.delete(urn);
  }

  reset(): void {
    this.#topics.clear();
    this.#subscriptions.clear();
  }
}
