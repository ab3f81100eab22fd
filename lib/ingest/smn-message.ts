import * as z from 'zod';

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

const Field = z.string().max(256 * 1024);
const Short = z.string().min(1).max(2048);

const SmnEnvelopeSchema = z.object({
  type: z.string().min(1).max(64),
  signature: z.string().min(1).max(4096),
  // Only `v1` is documented; an absent version is read as v1 (the verifier decides).
  signature_version: z.string().max(16).nullish(),
  topic_urn: z.string().min(1).max(512),
  message_id: z.string().min(1).max(128),
  message: Field,
  subject: Field.nullish(),
  subscribe_url: Short.nullish(),
  unsubscribe_url: Short.nullish(),
  signing_cert_url: Short,
  timestamp: z.string().min(1).max(64),
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
  const parsed = SmnEnvelopeSchema.safeParse(body, { jitless: true });
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
