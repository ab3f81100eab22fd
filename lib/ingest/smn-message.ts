import * as z from 'zod/mini';
import { lazySchema } from '../validation/lazy-schema.ts';

/**
 * Huawei SMN's HTTP(S) delivery envelope (snake_case, unlike AWS SNS), as documented for the
 * three classic message types (https://support.huaweicloud.com/usermanual-smn/smn_ug_a9002.html,
 * docs/huawei-kms.md#smn-delivery).
 */

/** What the ingest does with each `type`. */
export type SmnMessageKind = 'notification' | 'subscription_confirmation' | 'unsubscribe_confirmation';

/**
 * `HttpSubscriptionUserConfirm` / `HttpSubscriptionUserUnsubscribe` appear only on the current
 * Chinese page and their semantics are UNVERIFIED: they are read as the confirmation and
 * unsubscribe messages they are named after (same signed fields), and logged as such.
 */
const KIND_OF_TYPE: Readonly<Record<string, SmnMessageKind>> = {
  Notification: 'notification',
  SubscriptionConfirmation: 'subscription_confirmation',
  HttpSubscriptionUserConfirm: 'subscription_confirmation',
  UnsubscribeConfirmation: 'unsubscribe_confirmation',
  HttpSubscriptionUserUnsubscribe: 'unsubscribe_confirmation',
};

/** The header SMN sets on every delivery; its presence routes a request to SMN verification. */
export const SMN_MESSAGE_TYPE_HEADER = 'x-smn-message-type';
const SMN_TOPIC_HEADER = 'x-smn-topic-urn';
const SMN_MESSAGE_ID_HEADER = 'x-smn-message-id';

/** The envelope's schema, built on the first delivery (a token-only endpoint never builds it). */
const smnEnvelopeSchema = lazySchema(() => {
  const text = (min: number, max: number) => z.string().check(z.minLength(min), z.maxLength(max));
  const field = () => z.string().check(z.maxLength(256 * 1024));
  const short = () => text(1, 2048);
  return z.object({
    type: text(1, 64),
    signature: text(1, 4096),
    // Only `v1` is documented; an absent version is read as v1 (the verifier decides).
    signature_version: z.nullish(z.string().check(z.maxLength(16))),
    topic_urn: text(1, 512),
    message_id: text(1, 128),
    message: field(),
    subject: z.nullish(field()),
    subscribe_url: z.nullish(short()),
    unsubscribe_url: z.nullish(short()),
    signing_cert_url: short(),
    timestamp: text(1, 64),
  });
});

/** A parsed SMN delivery, with the fields its signature covers. */
export interface SmnMessage {
  kind: SmnMessageKind;
  type: string;
  signature: string;
  signatureVersion: string | undefined;
  topicUrn: string;
  messageId: string;
  message: string;
  /** Absent and empty are the same for the signature: both drop the subject lines. */
  subject: string | undefined;
  subscribeUrl: string | undefined;
  signingCertUrl: string;
  timestamp: string;
}

export type ParseSmnResult = { ok: true; message: SmnMessage } | { ok: false; detail: string };

/** True when the request says it is an SMN delivery (header, or SMN's signed body fields). */
export function looksLikeSmnDelivery(headers: Readonly<Record<string, string>>, body: unknown): boolean {
  if (headers[SMN_MESSAGE_TYPE_HEADER] !== undefined) return true;
  return (
    typeof body === 'object' &&
    body !== null &&
    !Array.isArray(body) &&
    Object.hasOwn(body, 'signing_cert_url') &&
    Object.hasOwn(body, 'topic_urn')
  );
}

/**
 * Reads an SMN delivery from its parsed JSON body and its headers (lower-cased names: HTTP/2
 * lower-cases them anyway). The body is what SMN signs, so it is authoritative; a header that
 * contradicts it makes the delivery invalid. The detail names fields, never their values.
 */
export function parseSmnMessage(body: unknown, headers: Readonly<Record<string, string>>): ParseSmnResult {
  const parsed = smnEnvelopeSchema().safeParse(body);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || 'body'))];
    return { ok: false, detail: `SMN envelope: invalid or missing ${fields.slice(0, 5).join(', ')}` };
  }
  const e = parsed.data;
  const kind = KIND_OF_TYPE[e.type];
  if (kind === undefined) return { ok: false, detail: 'SMN envelope: unknown type' };
  const mismatched = [
    [SMN_MESSAGE_TYPE_HEADER, e.type],
    [SMN_TOPIC_HEADER, e.topic_urn],
    [SMN_MESSAGE_ID_HEADER, e.message_id],
  ].filter(([name, value]) => headers[name as string] !== undefined && headers[name as string] !== value);
  if (mismatched.length > 0) {
    return { ok: false, detail: `SMN header ${mismatched.map(([n]) => n).join(', ')} contradicts the body` };
  }
  if (kind !== 'notification' && (e.subscribe_url ?? '') === '') {
    return { ok: false, detail: 'SMN envelope: invalid or missing subscribe_url' };
  }
  return {
    ok: true,
    message: {
      kind,
      type: e.type,
      signature: e.signature,
      signatureVersion: e.signature_version ?? undefined,
      topicUrn: e.topic_urn,
      messageId: e.message_id,
      message: e.message,
      subject: e.subject === null || e.subject === undefined || e.subject === '' ? undefined : e.subject,
      subscribeUrl: e.subscribe_url ?? undefined,
      signingCertUrl: e.signing_cert_url,
      timestamp: e.timestamp,
    },
  };
}
