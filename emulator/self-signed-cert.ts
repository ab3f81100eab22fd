// A throwaway RSA key and a self-signed X.509 v3 certificate (sha256WithRSAEncryption), made at
// emulator start to sign SMN messages. node:crypto makes keys and signatures but cannot issue a
// certificate, so the few DER structures of RFC 5280 docs/huawei-kms.md#cts-notifications.1 are written here (no dependency).
// The real SMN signing certificate is also sha256WithRSA (docs/huawei-kms.md#smn-signature).
import { generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';

export interface SigningIdentity {
  readonly privateKey: KeyObject;
  /** PEM `-----BEGIN CERTIFICATE-----`, what `signing_cert_url` serves. */
  readonly certificatePem: string;
}

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
}

const seq = (...items: Buffer[]): Buffer => tlv(0x30, ...items);

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const bytes: number[] = [(parts[0] ?? 0) * 40 + (parts[1] ?? 0)];
  for (const part of parts.slice(2)) {
    const chunk: number[] = [part & 0x7f];
    for (let v = part >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function positiveInteger(bytes: Buffer): Buffer {
  // DER INTEGER is signed: a leading 1 bit needs a 0x00 in front.
  return tlv(0x02, (bytes[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

function utcTime(date: Date): Buffer {
  // YYMMDDHHMMSSZ, valid for 1950–2049 (RFC 5280 docs/huawei-kms.md#rate-limits.1.2.5.1).
  const iso = date.toISOString();
  const text = `${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return tlv(0x17, Buffer.from(text, 'ascii'));
}

function name(commonName: string): Buffer {
  const rdn = (type: string, value: string): Buffer => tlv(0x31, seq(oid(type), tlv(0x0c, Buffer.from(value, 'utf8'))));
  return seq(rdn('2.5.4.6', 'CN'), rdn('2.5.4.10', 'Emulator'), rdn('2.5.4.3', commonName));
}

const SHA256_WITH_RSA = seq(oid('1.2.840.113549.1.1.11'), tlv(0x05));

/** A new 2048-bit RSA key and a certificate for it, valid from an hour ago for ten years. */
export function createSigningIdentity(
  commonName = 'Emulator-SMN-Message-Signing',
  nowMs = Date.now(),
): SigningIdentity {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const tbs = seq(
    tlv(0xa0, positiveInteger(Buffer.from([2]))), // [0] EXPLICIT version v3
    positiveInteger(randomBytes(16)),
    SHA256_WITH_RSA,
    name('Emulator CA'),
    seq(utcTime(new Date(nowMs - 3_600_000)), utcTime(new Date(nowMs + 10 * 365 * 86_400_000))),
    name(commonName),
    spki,
  );
  const signature = sign('sha256', tbs, privateKey);
  const der = seq(tbs, SHA256_WITH_RSA, tlv(0x03, Buffer.from([0]), signature));
  const b64 = der.toString('base64').replace(/.{1,64}/g, '$&\n');
  return { privateKey, certificatePem: `-----BEGIN CERTIFICATE-----\n${b64}-----END CERTIFICATE-----\n` };
}
