// The SMN v2 operations behind the gateway (docs/huawei-kms.md#smn-api, from the SMN API
// reference "Creating a Topic", "Querying Topics", "Adding a Subscription", "Querying the
// Subscription List of a Specified Topic", "Publishing a Message"). Errors use the `smn` body shape.
import type { ProjectRef } from './accounts.ts';
import { HuaweiError } from './error-bodies.ts';
import { newRequestId } from './ids.ts';
import { asObject, asString, parseJsonObject, type JsonObject } from './json.ts';
import type { SmnPublisher } from './smn-publisher.ts';
import type { SmnState, SmnSubscription, SmnTopic } from './smn-state.ts';
import type { SmnOperation } from './types.ts';

const TOPIC_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$/;
/** Custom header names: `x-…` but not `x-smn…`, `[A-Za-z0-9-]` (SMN "Adding a Subscription", `extension.header`). */
const HEADER_NAME = /^x-(?!smn)[A-Za-z0-9-]+$/i;
const MAX_HEADERS = 10;
const MAX_HEADER_CHARS = 1024;

export interface SmnApiOptions {
  /**
   * Body of the 200 for a subscription that already exists: `urn` (`{request_id, subscription_urn}`)
   * or `code` (`{request_id, code: "SMN.0190", message}`). The documented fact is only "SMN.0190
   * This endpoint already exists, HTTP 200"; clients must accept both. Default `urn`.
   */
  readonly existingSubscriptionBody: 'urn' | 'code';
}

export interface SmnRequest {
  readonly operation: SmnOperation;
  readonly project: ProjectRef;
  readonly domainId: string;
  readonly topicUrn?: string;
  readonly query: URLSearchParams;
  readonly body: Uint8Array;
}

export interface SmnResult {
  readonly status: number;
  readonly body: unknown;
}

const smnError = {
  invalid: (what: string): HuaweiError => new HuaweiError(400, 'SMN.0002', `Invalid parameter: ${what}.`, 'smn'),
  invalidJson: (): HuaweiError => new HuaweiError(400, 'SMN.0001', 'The request body is not valid JSON.', 'smn'),
  topicNotFound: (): HuaweiError => new HuaweiError(404, 'SMN.0008', 'The topic does not exist.', 'smn'),
};

function jsonBody(body: Uint8Array): JsonObject {
  const parsed = parseJsonObject(body);
  if (!parsed) throw smnError.invalidJson();
  return parsed;
}

function page(query: URLSearchParams, maxLimit: number): { offset: number; limit: number } {
  const offsetText = query.get('offset') ?? '0';
  const limitText = query.get('limit') ?? String(maxLimit);
  if (!/^\d{1,9}$/.test(offsetText)) throw smnError.invalid('offset');
  if (!/^\d{1,9}$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > maxLimit) {
    throw smnError.invalid('limit');
  }
  return { offset: Number(offsetText), limit: Number(limitText) };
}

function topicOf(req: SmnRequest, state: SmnState): SmnTopic {
  const topic = req.topicUrn === undefined ? undefined : state.topic(req.topicUrn);
  if (!topic || topic.project_id !== req.project.id) throw smnError.topicNotFound();
  return topic;
}

function customHeaders(extension: unknown): Record<string, string> {
  if (extension === undefined || extension === null) return {};
  const header = asObject(asObject(extension)?.['header']);
  if (!header) throw smnError.invalid('extension.header');
  const entries = Object.entries(header);
  if (entries.length > MAX_HEADERS) throw smnError.invalid('extension.header: at most 10 headers');
  let chars = 0;
  const out: Record<string, string> = {};
  for (const [name, value] of entries) {
    if (!HEADER_NAME.test(name) || typeof value !== 'string' || !/^[\x20-\x7e]*$/.test(value)) {
      throw smnError.invalid(`extension.header ${name}`);
    }
    chars += name.length + value.length;
    out[name.toLowerCase()] = value;
  }
  if (chars > MAX_HEADER_CHARS) throw smnError.invalid('extension.header: more than 1024 characters');
  return out;
}

function subscriptionView(sub: SmnSubscription): Record<string, unknown> {
  return {
    topic_urn: sub.topic_urn,
    protocol: sub.protocol,
    subscription_urn: sub.subscription_urn,
    owner: sub.owner,
    endpoint: sub.endpoint,
    remark: sub.remark,
    status: sub.status,
  };
}

function addSubscription(req: SmnRequest, state: SmnState, publisher: SmnPublisher, options: SmnApiOptions) {
  const topic = topicOf(req, state);
  const body = jsonBody(req.body);
  const protocol = asString(body['protocol']);
  const endpoint = asString(body['endpoint']);
  if (protocol === undefined || !['http', 'https', 'email', 'sms', 'functionstage'].includes(protocol)) {
    throw smnError.invalid('protocol');
  }
  if (endpoint === undefined || endpoint === '') throw smnError.invalid('endpoint');
  if ((protocol === 'http' || protocol === 'https') && !endpoint.startsWith(`${protocol}://`)) {
    throw smnError.invalid(`endpoint: a ${protocol} subscription needs a ${protocol}:// URL`);
  }
  const remark = asString(body['remark']) ?? '';
  if (Buffer.byteLength(remark) > 128) throw smnError.invalid('remark');
  const headers = customHeaders(body['extension']);
  const { subscription, created } = state.addSubscription(topic, req.domainId, { protocol, endpoint, remark, headers });
  const requestId = newRequestId();
  if (created) {
    publisher.sendConfirmation(subscription);
    return { status: 201, body: { request_id: requestId, subscription_urn: subscription.subscription_urn } };
  }
  return {
    status: 200,
    body:
      options.existingSubscriptionBody === 'code'
        ? { request_id: requestId, code: 'SMN.0190', message: 'This endpoint already exists' }
        : { request_id: requestId, subscription_urn: subscription.subscription_urn },
  };
}

export function handleSmnRequest(
  req: SmnRequest,
  state: SmnState,
  publisher: SmnPublisher,
  options: SmnApiOptions,
): SmnResult {
  switch (req.operation) {
    case 'smnCreateTopic': {
      const body = jsonBody(req.body);
      const name = asString(body['name']);
      if (name === undefined || !TOPIC_NAME.test(name)) throw smnError.invalid('name');
      const displayName = asString(body['display_name']) ?? '';
      if (Buffer.byteLength(displayName) > 192) throw smnError.invalid('display_name');
      // Idempotent: 200 with the existing topic's URN, 201 when created.
      const { topic, created } = state.createTopic(req.project, name, displayName);
      return { status: created ? 201 : 200, body: { request_id: newRequestId(), topic_urn: topic.topic_urn } };
    }
    case 'smnListTopics': {
      const { offset, limit } = page(req.query, 100);
      const all = state.topics(req.project.id);
      const topics = all.slice(offset, offset + limit).map((t) => ({
        topic_urn: t.topic_urn,
        name: t.name,
        display_name: t.display_name,
        push_policy: 0,
        enterprise_project_id: '0',
        topic_id: t.topic_id,
      }));
      return { status: 200, body: { request_id: newRequestId(), topic_count: all.length, topics } };
    }
    case 'smnAddSubscription':
      return addSubscription(req, state, publisher, options);
    case 'smnListSubscriptions': {
      const topic = topicOf(req, state);
      const { offset, limit } = page(req.query, 100);
      const all = state.subscriptions(topic.topic_urn);
      return {
        status: 200,
        body: {
          request_id: newRequestId(),
          subscription_count: all.length,
          subscriptions: all.slice(offset, offset + limit).map(subscriptionView),
        },
      };
    }
    case 'smnPublish': {
      const topic = topicOf(req, state);
      const body = jsonBody(req.body);
      const message = asString(body['message']);
      if (message === undefined || message === '') throw smnError.invalid('message');
      const subject = asString(body['subject']);
      const result = publisher.publish(topic, message, subject);
      return { status: 200, body: { request_id: newRequestId(), message_id: result.messageId } };
    }
  }
}
