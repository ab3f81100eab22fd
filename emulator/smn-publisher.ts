// Builds, signs and hands to the deliverer the messages SMN POSTs to HTTP(S) subscriptions
// (docs/huawei-kms.md#smn-delivery): a SubscriptionConfirmation when a subscription is added, and
// a Notification per confirmed subscription when a topic is published to. Body fields are
// snake_case as in SMN's samples; `subscribe_url`, `unsubscribe_url` and `signing_cert_url` point
// back at this emulator.
import { randomBytes } from 'node:crypto';
import type { SmnDeliverer } from './smn-delivery.ts';
import { type SignableMessage, type SmnMessageType, signSmnMessage } from './smn-signature.ts';
import type { SmnState, SmnSubscription, SmnTopic } from './smn-state.ts';
import type { SigningIdentity } from './self-signed-cert.ts';

export interface PublishResult {
  readonly messageId: string;
  /** Confirmed HTTP(S) subscriptions the message was handed to. */
  readonly deliveries: number;
}

/** `2024-07-10T09:43:44Z`, the form of SMN's samples. */
function smnTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function isHttp(sub: SmnSubscription): boolean {
  return sub.protocol === 'http' || sub.protocol === 'https';
}

export class SmnPublisher {
  readonly #state: SmnState;
  readonly #deliverer: SmnDeliverer;
  readonly #identity: SigningIdentity;
  readonly #baseUrl: () => string;
  readonly #now: () => number;
  /** The id in the certificate's file name, `SMN_{region}_{certId}.pem`. */
  readonly certId = randomBytes(16).toString('hex');
  published = 0;

  constructor(
    state: SmnState,
    deliverer: SmnDeliverer,
    identity: SigningIdentity,
    baseUrl: () => string,
    now: () => number,
  ) {
    this.#state = state;
    this.#deliverer = deliverer;
    this.#identity = identity;
    this.#baseUrl = baseUrl;
    this.#now = now;
  }

  certificateUrl(region: string): string {
    return `${this.#baseUrl()}/smn/SMN_${region}_${this.certId}.pem`;
  }

  get certificatePem(): string {
    return this.#identity.certificatePem;
  }

  #send(
    sub: SmnSubscription,
    type: SmnMessageType,
    fields: Record<string, string | undefined>,
    extraHeaders: Readonly<Record<string, string>>,
    messageId: string = randomBytes(16).toString('hex'),
  ): string {
    const topic = this.#state.topic(sub.topic_urn);
    const region = topic?.region ?? '';
    const signable: SignableMessage = {
      type,
      topic_urn: sub.topic_urn,
      message_id: messageId,
      timestamp: smnTimestamp(this.#now()),
      ...fields,
    } as SignableMessage;
    const body: Record<string, unknown> = {
      ...Object.fromEntries(Object.entries(signable).filter(([, v]) => v !== undefined)),
      signature: signSmnMessage(signable, this.#identity.privateKey),
      signature_version: 'v1',
      signing_cert_url: this.certificateUrl(region),
    };
    this.#deliverer.enqueue({
      endpoint: sub.endpoint,
      messageId,
      type,
      body,
      headers: {
        ...extraHeaders,
        'X-SMN-MESSAGE-TYPE': type,
        'X-SMN-MESSAGE-ID': messageId,
        'X-SMN-TOPIC-URN': sub.topic_urn,
        ...(type === 'SubscriptionConfirmation' ? {} : { 'X-SMN-SUBSCRIPTION-URN': sub.subscription_urn }),
      },
    });
    return messageId;
  }

  /**
   * POSTs the SubscriptionConfirmation of a new HTTP(S) subscription. Custom headers are not sent
   * with it: SMN documents them for confirmed subscriptions only (whether the confirmation carries
   * them is UNVERIFIED, so a receiver must not require them there).
   */
  sendConfirmation(sub: SmnSubscription): void {
    if (!isHttp(sub) || sub.confirmToken === undefined) return;
    const topic = this.#state.topic(sub.topic_urn);
    const region = topic?.region ?? '';
    const query = new URLSearchParams({
      token: sub.confirmToken,
      topic_urn: sub.topic_urn,
      region,
      region_id: region,
    });
    this.#send(
      sub,
      'SubscriptionConfirmation',
      {
        message: `You are invited to subscribe to topic ${sub.topic_urn}. To confirm the subscription, visit the subscribe_url.`,
        subscribe_url: `${this.#baseUrl()}/smn/subscription/confirm?${query.toString()}`,
      },
      {},
    );
  }

  /** Sends `message` to every confirmed HTTP(S) subscription of the topic. */
  publish(topic: SmnTopic, message: string, subject?: string): PublishResult {
    this.published += 1;
    const messageId = randomBytes(16).toString('hex');
    let deliveries = 0;
    for (const sub of this.#state.subscriptions(topic.topic_urn)) {
      if (!isHttp(sub) || sub.status !== 1) continue;
      const unsubscribe = new URLSearchParams({
        region: topic.region,
        region_id: topic.region,
        subscription_urn: sub.subscription_urn,
      });
      this.#send(
        sub,
        'Notification',
        {
          message,
          subject: subject === '' ? undefined : subject,
          unsubscribe_url: `${this.#baseUrl()}/smn/subscription/unsubscribe?${unsubscribe.toString()}`,
        },
        sub.headers,
        // One message id per published message, the same for every subscription (the publish
        // API returns it): a receiver's natural de-duplication key.
        messageId,
      );
      deliveries += 1;
    }
    return { messageId, deliveries };
  }
}
