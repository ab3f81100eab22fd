// Throwaway keys and X.509 v3 certificates, made at run time: an RSA one the emulator signs SMN
// messages with, and an EC one a TLS server presents (tests, the emulator over https).
// node:crypto makes keys and signatures but cannot issue a certificate, so the few DER structures
// of RFC 5280 section 4.1 (https://www.rfc-editor.org/rfc/rfc5280#section-4.1) are written here:
// no dependency, and no `openssl` command, which a CI machine need not have.
// The real SMN signing certificate is also sha256WithRSA (docs/huawei-kms.md#smn-signature).
import { generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';

export interface SigningIdentity {
  readonly privateKey: KeyObject;
  /** PEM `-----BEGIN CERTIFICATE-----`, what `signing_cert_url` serves. */
  readonly certificatePem: string;
}

/** A TLS server's key and certificate, in the shape `tls.createServer` takes them. */
export interface TlsIdentity {
  /** PEM `-----BEGIN PRIVATE KEY-----` (PKCS#8). */
  readonly key: string;
  /** PEM `-----BEGIN CERTIFICATE-----`; self-signed, so a client trusts it by passing it as `ca`. */
  readonly cert: string;
}

export interface TlsIdentityOptions {
  readonly commonName: string;
  /** Host names the certificate is for (ASCII; an internationalised name in its xn-- form). */
  readonly dnsNames?: readonly string[];
  /** IPv4 or IPv6 addresses the certificate is for, in text form. */
  readonly ipAddresses?: readonly string[];
  readonly nowMs?: number;
  /** Valid from an hour before `nowMs` (clock skew) for this many days. */
  readonly validDays?: number;
}

// --- DER (X.690), just what a certificate needs ---

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
  // DER INTEGER is signed and minimal (X.690 section 8.3.2): no leading 0x00 unless the next byte
  // has its top bit set. OpenSSL refuses any other padding ("illegal padding"), which random
  // serial bytes starting with 0x00 would otherwise produce once in a few hundred certificates.
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const minimal = bytes.subarray(start);
  return tlv(0x02, (minimal[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), minimal]) : minimal);
}

function utcTime(date: Date): Buffer {
  // YYMMDDHHMMSSZ, valid for 1950–2049 (RFC 5280 section 4.1.2.5.1).
  const iso = date.toISOString();
  const text = `${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return tlv(0x17, Buffer.from(text, 'ascii'));
}

function name(commonName: string): Buffer {
  const rdn = (type: string, value: string): Buffer => tlv(0x31, seq(oid(type), tlv(0x0c, Buffer.from(value, 'utf8'))));
  return seq(rdn('2.5.4.6', 'CN'), rdn('2.5.4.10', 'Emulator'), rdn('2.5.4.3', commonName));
}

function pem(label: string, der: Buffer): string {
  const b64 = der.toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${b64}-----END ${label}-----\n`;
}

// --- Certificate (RFC 5280 section 4.1) ---

/** AlgorithmIdentifier and how node:crypto signs for it. */
interface SignatureAlgorithm {
  readonly identifier: Buffer;
  readonly sign: (tbs: Buffer, key: KeyObject) => Buffer;
}

// sha256WithRSAEncryption, parameters NULL (RFC 4055 section 5).
const SHA256_WITH_RSA: SignatureAlgorithm = {
  identifier: seq(oid('1.2.840.113549.1.1.11'), tlv(0x05)),
  sign: (tbs, key) => sign('sha256', tbs, key),
};

// ecdsa-with-SHA256, parameters absent; the signature value is the DER Ecdsa-Sig-Value
// (RFC 5758 section 3.2), not node's alternative raw r||s.
const ECDSA_WITH_SHA256: SignatureAlgorithm = {
  identifier: seq(oid('1.2.840.10045.4.3.2')),
  sign: (tbs, key) => sign('sha256', tbs, { key, dsaEncoding: 'der' }),
};

interface CertificateFields {
  readonly issuer: string;
  readonly subject: string;
  readonly publicKey: KeyObject;
  readonly issuerKey: KeyObject;
  readonly algorithm: SignatureAlgorithm;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Each a DER Extension; none leaves the optional [3] field out. */
  readonly extensions?: readonly Buffer[];
}

function issueCertificate(fields: CertificateFields): Buffer {
  const { extensions = [] } = fields;
  const tbs = seq(
    tlv(0xa0, positiveInteger(Buffer.from([2]))), // [0] EXPLICIT version v3
    positiveInteger(randomBytes(16)), // at most 20 octets (RFC 5280 section 4.1.2.2)
    fields.algorithm.identifier,
    name(fields.issuer),
    seq(utcTime(fields.notBefore), utcTime(fields.notAfter)),
    name(fields.subject),
    fields.publicKey.export({ type: 'spki', format: 'der' }),
    ...(extensions.length > 0 ? [tlv(0xa3, seq(...extensions))] : []), // [3] EXPLICIT Extensions
  );
  const signature = fields.algorithm.sign(tbs, fields.issuerKey);
  return seq(tbs, fields.algorithm.identifier, tlv(0x03, Buffer.from([0]), signature));
}

/** Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING } */
function extension(id: string, critical: boolean, value: Buffer): Buffer {
  // DER leaves a DEFAULT value out, so `critical` appears only when TRUE.
  return seq(oid(id), ...(critical ? [tlv(0x01, Buffer.from([0xff]))] : []), tlv(0x04, value));
}

/** iPAddress octets: 4 for IPv4, 16 for IPv6 (RFC 5280 section 4.2.1.6). */
function ipAddressOctets(text: string): Buffer {
  if (isIPv4(text)) return Buffer.from(text.split('.').map(Number));
  // A zone (fe80::1%eth0) names a local interface, not part of the address a certificate holds.
  if (!isIPv6(text) || text.includes('%')) throw new TypeError(`not an IP address: ${text}`);
  const toGroups = (part: string): number[] => {
    if (part === '') return [];
    return part.split(':').flatMap((group) => {
      if (!group.includes('.')) return [Number.parseInt(group, 16)];
      const [a = 0, b = 0, c = 0, d = 0] = group.split('.').map(Number); // ::ffff:192.0.2.1
      return [(a << 8) | b, (c << 8) | d];
    });
  };
  const [head = '', tail] = text.split('::');
  const high = toGroups(head);
  const low = tail === undefined ? [] : toGroups(tail);
  const groups = [...high, ...new Array<number>(8 - high.length - low.length).fill(0), ...low];
  const octets = Buffer.alloc(16);
  groups.forEach((g, i) => octets.writeUInt16BE(g, i * 2));
  return octets;
}

function subjectAltName(dnsNames: readonly string[], ipAddresses: readonly string[]): Buffer {
  // GeneralNames: dNSName [2] IA5String, iPAddress [7] OCTET STRING, IMPLICIT (RFC 5280
  // section 4.2.1.6). IA5String is ASCII; an IDN goes in as its A-label (RFC 5280 section 7.2).
  for (const dns of dnsNames) {
    if (!/^[\x21-\x7e]+$/.test(dns)) throw new TypeError(`not an ASCII host name: ${dns}`);
  }
  const names = [
    ...dnsNames.map((dns) => tlv(0x82, Buffer.from(dns, 'ascii'))),
    ...ipAddresses.map((ip) => tlv(0x87, ipAddressOctets(ip))),
  ];
  // Not critical: the subject is not empty (RFC 5280 section 4.2.1.6).
  return extension('2.5.29.17', false, seq(...names));
}

// basicConstraints cA FALSE (RFC 5280 section 4.2.1.9; the DEFAULT leaves an empty SEQUENCE).
// OpenSSL accepts the certificate as its own trust anchor without it; it says outright that the
// key signs TLS handshakes, never other certificates, so trusting it trusts this one server only.
const END_ENTITY = extension('2.5.29.19', true, seq());

const DAY_MS = 86_400_000;

/** A new 2048-bit RSA key and a certificate for it, valid from an hour ago for ten years. */
export function createSigningIdentity(
  commonName = 'Emulator-SMN-Message-Signing',
  nowMs = Date.now(),
): SigningIdentity {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const der = issueCertificate({
    issuer: 'Emulator CA',
    subject: commonName,
    publicKey,
    issuerKey: privateKey,
    algorithm: SHA256_WITH_RSA,
    notBefore: new Date(nowMs - 3_600_000),
    notAfter: new Date(nowMs + 10 * 365 * DAY_MS),
  });
  return { privateKey, certificatePem: pem('CERTIFICATE', der) };
}

/**
 * A new EC P-256 key and a truly self-signed certificate for it (issuer = subject, signed by its
 * own key), naming the server's host names and addresses. A client that passes `cert` as its `ca`
 * trusts exactly this server: Node checks the chain, then the names (tls.checkServerIdentity).
 */
export function createTlsIdentity(options: TlsIdentityOptions): TlsIdentity {
  const { commonName, dnsNames = [], ipAddresses = [], nowMs = Date.now(), validDays = 365 } = options;
  if (dnsNames.length + ipAddresses.length === 0) {
    // GeneralNames is SIZE (1..MAX); a server certificate names its hosts there (RFC 6125 section 6.4).
    throw new TypeError('a TLS identity needs at least one DNS name or IP address');
  }
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const der = issueCertificate({
    issuer: commonName,
    subject: commonName,
    publicKey,
    issuerKey: privateKey,
    algorithm: ECDSA_WITH_SHA256,
    notBefore: new Date(nowMs - 3_600_000),
    notAfter: new Date(nowMs + validDays * DAY_MS),
    extensions: [END_ENTITY, subjectAltName(dnsNames, ipAddresses)],
  });
  return { key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), cert: pem('CERTIFICATE', der) };
}
