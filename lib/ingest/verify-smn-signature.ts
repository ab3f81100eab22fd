import { type X509Certificate, verify } from 'node:crypto';
import type { SmnMessage } from './smn-message.ts';
import { smnStringToSign } from './smn-string-to-sign.ts';

export type SignatureFailure =
  | 'unsupported_signature_version'
  | 'malformed_signature'
  | 'unsupported_certificate_key'
  | 'certificate_not_valid_now'
  | 'bad_signature';

export type SignatureCheck = { ok: true } | { ok: false; reason: SignatureFailure };

/** Standard base64 alphabet with padding, the encoding of SMN's `signature`. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Checks an SMN message's signature: RSA PKCS#1 v1.5 over SHA-256 of the UTF-8 string to sign,
 * with the signing certificate's public key (SMN's Go sample: `rsa.VerifyPKCS1v15(pub,
 * crypto.SHA256, …)`; docs/huawei-kms.md#smn-signature). Only `signature_version` `v1` is
 * documented; an absent version is read as v1 (UNVERIFIED whether SMN ever omits it), any other
 * is refused rather than guessed. Never throws.
 *
 * @param now the time the certificate must be valid at (ms since the epoch).
 */
export function verifySmnSignature(
  message: SmnMessage,
  certificate: X509Certificate,
  now: number = Date.now(),
): SignatureCheck {
  if (message.signatureVersion !== undefined && message.signatureVersion.toLowerCase() !== 'v1') {
    return { ok: false, reason: 'unsupported_signature_version' };
  }
  if (!BASE64.test(message.signature)) return { ok: false, reason: 'malformed_signature' };
  const key = certificate.publicKey;
  if (key.asymmetricKeyType !== 'rsa') return { ok: false, reason: 'unsupported_certificate_key' };
  if (now < Date.parse(certificate.validFrom) || now > Date.parse(certificate.validTo)) {
    return { ok: false, reason: 'certificate_not_valid_now' };
  }
  const signature = Buffer.from(message.signature, 'base64');
  try {
    const ok = verify('sha256', Buffer.from(smnStringToSign(message), 'utf8'), key, signature);
    return ok ? { ok: true } : { ok: false, reason: 'bad_signature' };
  } catch {
    return { ok: false, reason: 'bad_signature' };
  }
}
