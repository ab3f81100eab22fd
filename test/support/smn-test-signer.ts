import { createSign, generateKeyPairSync, type KeyObject, sign, X509Certificate } from 'node:crypto';

/**
 * A throwaway RSA key and a self-signed X.509 certificate made with node:crypto alone (a few
 * lines of DER), and an SMN signer for tests. The string to sign is built here independently of
 * lib/ingest/smn-string-to-sign.ts, so that a bug in one cannot make both agree.
 */
export interface TestSigner {
  pem: string;
  certificate: X509Certificate;
  privateKey: KeyObject;
  /** Signs SMN envelope fields (snake_case, as on the wire) with SHA256withRSA, base64. */
  signEnvelope(fields: Record<string, string | undefined>): string;
}

const der = (tag: number, content: Buffer): Buffer => {
  const n = content.length;
  const length =
    n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, content]);
};
const seq = (...parts: Buffer[]) => der(0x30, Buffer.concat(parts));
const SHA256_WITH_RSA = Buffer.from('06092a864886f70d01010b0500', 'hex');
const utcTime = (date: Date) => der(0x17, Buffer.from(`${date.toISOString().slice(2, 19).replace(/[-T:]/g, '')}Z`));
const commonName = (cn: string) =>
  seq(der(0x31, seq(Buffer.from('0603550403', 'hex'), der(0x0c, Buffer.from(cn, 'utf8')))));

export function createTestSigner(
  options: { commonName?: string; notBefore?: Date; notAfter?: Date; keyType?: 'rsa' | 'ec' } = {},
): TestSigner {
  const cn = options.commonName ?? 'Test-SMN-Signing';
  const notBefore = options.notBefore ?? new Date(Date.now() - 86_400_000);
  const notAfter = options.notAfter ?? new Date(Date.now() + 365 * 86_400_000);
  const { privateKey, publicKey } =
    options.keyType === 'ec'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const tbs = seq(
    der(0xa0, der(0x02, Buffer.from([2]))),
    der(0x02, Buffer.from([0x01, ...Buffer.from(Date.now().toString(16).padStart(12, '0'), 'hex')])),
    seq(SHA256_WITH_RSA.subarray(0, 11), SHA256_WITH_RSA.subarray(11)),
    commonName(cn),
    seq(utcTime(notBefore), utcTime(notAfter)),
    commonName(cn),
    publicKey.export({ type: 'spki', format: 'der' }),
  );
  const signature = sign('sha256', tbs, privateKey);
  const cert = seq(
    tbs,
    seq(SHA256_WITH_RSA.subarray(0, 11), SHA256_WITH_RSA.subarray(11)),
    der(0x03, Buffer.concat([Buffer.from([0]), signature])),
  );
  const pem = `-----BEGIN CERTIFICATE-----\n${cert
    .toString('base64')
    .replace(/.{64}/g, '$&\n')
    .replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
  return {
    pem,
    certificate: new X509Certificate(pem),
    privateKey,
    signEnvelope(fields) {
      // SMN: fields in alphabetical order, `name\nvalue\n` each; notifications drop an empty subject.
      const names =
        fields.type === 'Notification'
          ? ['message', 'message_id', 'subject', 'timestamp', 'topic_urn', 'type']
          : ['message', 'message_id', 'subscribe_url', 'timestamp', 'topic_urn', 'type'];
      const text = names
        .filter((name) => fields[name] !== undefined && fields[name] !== '')
        .map((name) => `${name}\n${fields[name]}\n`)
        .join('');
      return createSign('RSA-SHA256').update(text, 'utf8').sign(privateKey, 'base64');
    },
  };
}
