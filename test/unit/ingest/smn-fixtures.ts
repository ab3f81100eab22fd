import type { TestSigner } from '../../support/smn-test-signer.ts';

export const TOPIC = 'urn:smn:cn-north-4:0f3a8c1e5b7d4e2a9c6b8d0e1f2a3b4c:kms-key-events';
export const CERT_URL =
  'https://smn.cn-north-4.myhuaweicloud.com/smn/SMN_cn-north-4_94f60ccdfbee4588aa4d555935a56ba3.pem';
export const SUBSCRIBE_URL =
  'https://console.huaweicloud.com/smn/subscription/confirm?token=abc&topic_urn=x&region=cn-north-4&region_id=cn-north-4';

/** A CTS createKey trace as a JSON string, as CTS is likely to put it in `message` (UNVERIFIED). */
export const TRACE_MESSAGE = JSON.stringify({
  service_type: 'KMS',
  resource_type: 'cmk',
  trace_name: 'createKey',
  code: 200,
  project_id: '0f3a8c1e5b7d4e2a9c6b8d0e1f2a3b4c',
  response: { key_info: { key_id: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', region_id: 'cn-north-4' } },
});

/** A signed SMN envelope (snake_case, as on the wire); `overrides` are applied after signing. */
export function signedEnvelope(
  signer: TestSigner,
  fields: Record<string, string | undefined> = {},
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const type = fields.type ?? 'Notification';
  const base: Record<string, string | undefined> = {
    type,
    topic_urn: TOPIC,
    message_id: '54bb04eddfc842e9b44ca36393f77cd3',
    message: TRACE_MESSAGE,
    timestamp: '2024-07-10T09:43:44Z',
    signing_cert_url: CERT_URL,
    signature_version: 'v1',
    ...(type === 'Notification'
      ? { subject: 'KMS key event', unsubscribe_url: 'https://console.huaweicloud.com/smn/subscription/unsubscribe' }
      : { subscribe_url: SUBSCRIBE_URL }),
    ...fields,
  };
  const envelope: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(base)) if (value !== undefined) envelope[name] = value;
  envelope.signature = signer.signEnvelope(base);
  return { ...envelope, ...overrides };
}
