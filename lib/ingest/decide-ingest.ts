import { createHash } from 'node:crypto';
import { checkFetchableUrl } from './signing-cert-policy.ts';
import type { IngestRequest } from './ingest-request.ts';
import { looksLikeSmnDelivery, parseSmnMessage, type SmnMessage } from './smn-message.ts';
import { isAllowedTopic, type TopicAllowList } from './topic-allow-list.ts';
import { triageKeyEvent } from './triage-key-event.ts';
import type { SignatureCheck } from './verify-smn-signature.ts';

/** SMN's largest message (https://support.huaweicloud.com/productdesc-smn/smn_pd_25005.html), SQS's too. */
export const MAX_INGEST_BODY_BYTES = 256 * 1024;

/** The configuration the decision reads. */
export interface IngestPolicy {
  /** Empty: the SMN route is off. */
  topics: TopicAllowList;
  signingCertHosts: readonly string[];
  subscribeHosts: readonly string[];
  /** False: no token configured, the token route (EventGrid, relays) is off. */
  tokenConfigured: boolean;
  /** Require the token on SMN notifications too, as a second factor (a subscription header). */
  requireTokenOnSmn: boolean;
}

/** What the handler established before deciding: the token check, and the signature once asked for. */
export interface Evidence {
  token: 'valid' | 'invalid' | 'absent';
  /** Undefined until the decision asks for it with `verify`. */
  signature?: SignatureCheck | undefined;
}

/** Where a delivery came from, for the one log line. Never the body, token or signature. */
export interface DeliveryContext {
  route?: 'smn' | 'token';
  smnType?: string;
  topicUrn?: string;
  messageId?: string;
}

export type RejectReason =
  | 'method_not_allowed'
  | 'unsupported_media_type'
  | 'body_too_large'
  | 'empty_body'
  | 'not_json'
  | 'not_an_object'
  | 'invalid_smn_message'
  | 'smn_route_disabled'
  | 'topic_not_allowed'
  | 'cert_url_invalid'
  | 'cert_url_not_https'
  | 'cert_host_not_allowed'
  | 'subscribe_url_not_allowed'
  | 'token_route_disabled'
  | 'token_missing'
  | 'token_invalid'
  | SignatureFailureReason;

type SignatureFailureReason = Extract<SignatureCheck, { ok: false }>['reason'];

export type IgnoreReason = 'not_kms' | 'not_create_key' | 'unsubscribe_confirmation';

export type IngestDecision =
  /** Not final: fetch (or take the pinned) certificate of this URL, verify, and decide again. */
  | { kind: 'verify'; certUrl: URL; message: SmnMessage; context: DeliveryContext }
  | {
      kind: 'enqueue';
      body: string;
      attributes: Record<string, string>;
      /** Identifies a repeat of the same delivery (see {@link dedupeKeyOf}). */
      dedupeKey: string | undefined;
      context: DeliveryContext;
    }
  | { kind: 'confirm'; url: URL; context: DeliveryContext }
  | { kind: 'ignore'; reason: IgnoreReason; detail?: string; context: DeliveryContext }
  | {
      kind: 'reject';
      status: 400 | 403 | 405 | 413 | 415;
      reason: RejectReason;
      detail?: string;
      context: DeliveryContext;
    };

/**
 * Content types a sender may plausibly use: SMN's is UNVERIFIED (AWS SNS, its model, sends
 * text/plain), EventGrid's structured CloudEvents use application/cloudevents+json. A missing
 * content type is tolerated for the same reason.
 */
function isAcceptedContentType(value: string | undefined): boolean {
  if (value === undefined || value.trim() === '') return true;
  const [type = '', ...params] = value.toLowerCase().split(';');
  const mediaType = type.trim();
  const charset = params.map((p) => p.trim()).find((p) => p.startsWith('charset='));
  if (charset !== undefined && !/^charset="?utf-?8"?$/.test(charset)) return false;
  return (
    mediaType === 'application/json' || mediaType === 'text/plain' || /^application\/[\w.+-]+\+json$/.test(mediaType)
  );
}

/**
 * The whole admission decision, pure: from the request, the configuration and what has been
 * verified so far, to enqueue | confirm | ignore | reject (or `verify` when an SMN signature
 * must be checked first). Checks run cheapest first, and nothing is fetched for a delivery
 * that a cheaper check already refuses (unknown topic, foreign certificate host, missing token).
 */
export function decideIngest(request: IngestRequest, policy: IngestPolicy, evidence: Evidence): IngestDecision {
  const none: DeliveryContext = {};
  if (request.method !== 'POST') return reject(405, 'method_not_allowed', none);
  if (!isAcceptedContentType(request.headers['content-type'])) return reject(415, 'unsupported_media_type', none);
  if (request.bodyBytes > MAX_INGEST_BODY_BYTES) return reject(413, 'body_too_large', none);
  if (request.body.trim() === '') return reject(400, 'empty_body', none);
  let parsed: unknown;
  try {
    parsed = JSON.parse(request.body);
  } catch {
    return reject(400, 'not_json', none);
  }
  return looksLikeSmnDelivery(request.headers, parsed)
    ? decideSmn(request, parsed, policy, evidence)
    : decideTokenRoute(request, parsed, policy, evidence);
}

function decideSmn(request: IngestRequest, parsed: unknown, policy: IngestPolicy, evidence: Evidence): IngestDecision {
  const base: DeliveryContext = { route: 'smn' };
  if (policy.topics.urns.size === 0) return reject(403, 'smn_route_disabled', base);
  const read = parseSmnMessage(parsed, request.headers);
  if (!read.ok) return reject(400, 'invalid_smn_message', base, read.detail);
  const m = read.message;
  const context: DeliveryContext = { route: 'smn', smnType: m.type, topicUrn: m.topicUrn, messageId: m.messageId };
  if (!isAllowedTopic(policy.topics, m.topicUrn)) return reject(403, 'topic_not_allowed', context);
  const cert = checkFetchableUrl(m.signingCertUrl, policy.signingCertHosts);
  if (!cert.ok) {
    const reason = (
      {
        url_invalid: 'cert_url_invalid',
        url_not_https: 'cert_url_not_https',
        host_not_allowed: 'cert_host_not_allowed',
      } as const
    )[cert.reason];
    return reject(403, reason, context);
  }
  // A wrong token is refused wherever it appears. A missing one only on notifications: SMN
  // sends a subscription's custom headers to confirmed subscriptions, and whether they are on
  // the confirmation POST is UNVERIFIED.
  if (evidence.token === 'invalid') return reject(403, 'token_invalid', context);
  if (policy.requireTokenOnSmn && m.kind === 'notification' && evidence.token === 'absent') {
    return reject(403, 'token_missing', context);
  }
  if (evidence.signature === undefined) return { kind: 'verify', certUrl: cert.url, message: m, context };
  if (!evidence.signature.ok) return reject(403, evidence.signature.reason, context);
  switch (m.kind) {
    case 'notification': {
      const triage = triageKeyEvent(m.message);
      if (triage.kind === 'drop') return ignoreOf(triage, context);
      return {
        kind: 'enqueue',
        body: m.message,
        attributes: { smn_message_id: m.messageId, smn_topic_urn: m.topicUrn },
        dedupeKey: dedupeKeyOf(['smn', m.topicUrn, m.messageId, m.message]),
        context,
      };
    }
    case 'subscription_confirmation': {
      const target = checkFetchableUrl(m.subscribeUrl ?? '', policy.subscribeHosts);
      if (!target.ok) return reject(403, 'subscribe_url_not_allowed', context);
      return { kind: 'confirm', url: target.url, context };
    }
    case 'unsubscribe_confirmation':
      return { kind: 'ignore', reason: 'unsubscribe_confirmation', context };
  }
}

function decideTokenRoute(
  request: IngestRequest,
  parsed: unknown,
  policy: IngestPolicy,
  evidence: Evidence,
): IngestDecision {
  const context: DeliveryContext = { route: 'token' };
  if (!policy.tokenConfigured) return reject(403, 'token_route_disabled', context);
  if (evidence.token === 'absent') return reject(403, 'token_missing', context);
  if (evidence.token === 'invalid') return reject(403, 'token_invalid', context);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return reject(400, 'not_an_object', context);
  }
  const object = parsed as Record<string, unknown>;
  const rebuilt = structuredCloudEvent(request.headers, object, request.body);
  const body = rebuilt ?? request.body;
  // CloudEvents: `source` + `id` identify an event; other bodies carry no delivery id.
  const event = rebuilt === undefined ? object : (JSON.parse(rebuilt) as Record<string, unknown>);
  const { id, source } = event;
  const isCloudEvent = Object.hasOwn(event, 'specversion') && typeof id === 'string' && id.length <= 128;
  if (isCloudEvent) context.messageId = id;
  const triage = triageKeyEvent(body);
  if (triage.kind === 'drop') return ignoreOf(triage, context);
  return {
    kind: 'enqueue',
    body,
    attributes: isCloudEvent ? { cloudevent_id: id } : {},
    dedupeKey: isCloudEvent ? dedupeKeyOf(['ce', typeof source === 'string' ? source : '', id, body]) : undefined,
    context,
  };
}

const CE_ATTRIBUTES = ['id', 'source', 'type', 'subject', 'time', 'datacontenttype', 'dataschema'] as const;

/**
 * EventGrid's webhook mode (structured or binary CloudEvents) is UNVERIFIED. A binary-mode
 * delivery (attributes in `ce-*` headers, the body is `data`) is rebuilt as the structured
 * event the queue handler reads; a structured one is enqueued as it came.
 */
function structuredCloudEvent(
  headers: Readonly<Record<string, string>>,
  data: Record<string, unknown>,
  dataText: string,
): string | undefined {
  const specversion = headers['ce-specversion'];
  if (specversion === undefined || Object.hasOwn(data, 'specversion')) return undefined;
  const event: Record<string, unknown> = { specversion };
  for (const name of CE_ATTRIBUTES) {
    const value = headers[`ce-${name}`];
    if (value !== undefined) event[name] = value;
  }
  // The body text is spliced in as `data`, not re-serialised: JSON.stringify recurses and throws
  // (a 5xx) on data nested deeper than its stack, which JSON.parse still reads. The text is JSON
  // already (parsed by the caller), so the result is the same structured event.
  return `${JSON.stringify(event).slice(0, -1)},"data":${dataText}}`;
}

/**
 * A repeat is the same delivery again: the sender's id within its scope (SMN's `message_id` within
 * its topic, the scope of its uniqueness being undocumented; a CloudEvent's `id` within its
 * `source`) and the same body, so that a sender that reuses an id for another event never has
 * that event answered `duplicate` and dropped. Hashed: a fixed-size key, whatever the body.
 */
function dedupeKeyOf(parts: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify(parts), 'utf8').digest('hex');
}

function ignoreOf(
  triage: { reason: 'not_kms' | 'not_create_key'; serviceType: string; traceName: string | undefined },
  context: DeliveryContext,
): IngestDecision {
  const detail = `service_type ${JSON.stringify(triage.serviceType)}, trace_name ${JSON.stringify(triage.traceName ?? null)}`;
  return { kind: 'ignore', reason: triage.reason, detail, context };
}

function reject(
  status: 400 | 403 | 405 | 413 | 415,
  reason: RejectReason,
  context: DeliveryContext,
  detail?: string,
): IngestDecision {
  return detail === undefined
    ? { kind: 'reject', status, reason, context }
    : { kind: 'reject', status, reason, detail, context };
}
