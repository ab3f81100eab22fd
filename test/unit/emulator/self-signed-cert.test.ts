import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { checkServerIdentity } from 'node:tls';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSigningIdentity, createTlsIdentity } from '../../../emulator/self-signed-cert.ts';

// The certificates are read back by node:crypto's X509Certificate, i.e. by OpenSSL, a parser
// written independently of the DER this module writes.

/** Serial bytes to hand out instead of random ones, for the one test that needs an exact serial. */
const serial = vi.hoisted(() => ({ next: undefined as Buffer | undefined }));
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  return { ...real, randomBytes: (size: number) => serial.next ?? real.randomBytes(size) };
});
afterEach(() => {
  serial.next = undefined;
});

const NOW = Date.UTC(2030, 5, 15, 12, 0, 0);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('createTlsIdentity()', () => {
  const identity = createTlsIdentity({
    commonName: 'kms.test',
    dnsNames: ['kms.test', '*.kms.test'],
    ipAddresses: ['127.0.0.1', '::1'],
    nowMs: NOW,
    validDays: 2,
  });
  const cert = new X509Certificate(identity.cert);

  it('is self-signed: issuer = subject, and its own public key verifies its signature', () => {
    expect(cert.subject).toBe('C=CN\nO=Emulator\nCN=kms.test');
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.checkIssued(cert)).toBe(true);
    // An end entity: trusting it as `ca` trusts this server, not certificates it could sign.
    expect(cert.ca).toBe(false);
  });

  it('pairs a PKCS#8 P-256 key with the certificate', () => {
    expect(identity.key).toMatch(/^-----BEGIN PRIVATE KEY-----\n[\s\S]+\n-----END PRIVATE KEY-----\n$/);
    const key = createPrivateKey(identity.key);
    expect(key.asymmetricKeyDetails).toEqual({ namedCurve: 'prime256v1' });
    expect(cert.checkPrivateKey(key)).toBe(true);
    expect(createPublicKey(key).export({ type: 'spki', format: 'der' })).toEqual(
      cert.publicKey.export({ type: 'spki', format: 'der' }),
    );
  });

  it('names its hosts and addresses in subjectAltName', () => {
    expect(cert.subjectAltName).toBe('DNS:kms.test, DNS:*.kms.test, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(cert.checkHost('kms.test')).toBe('kms.test');
    expect(cert.checkHost('eu.kms.test')).toBe('*.kms.test'); // the name that matched
    expect(cert.checkHost('other.test')).toBeUndefined();
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkIP('::1')).toBe('::1');
    expect(cert.checkIP('127.0.0.2')).toBeUndefined();
  });

  it('passes the check a TLS client makes of the server name', () => {
    const peer = cert.toLegacyObject();
    expect(checkServerIdentity('kms.test', peer)).toBeUndefined();
    expect(checkServerIdentity('127.0.0.1', peer)).toBeUndefined();
    expect(checkServerIdentity('other.test', peer)).toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  });

  it('is valid from an hour before now for the days asked', () => {
    expect(cert.validFromDate).toEqual(new Date(NOW - HOUR));
    expect(cert.validToDate).toEqual(new Date(NOW + 2 * DAY));
  });

  it.each([
    ['::'],
    ['1::'],
    ['::ffff:10.0.0.1'],
    ['2001:db8::ffff:192.0.2.1'],
    ['fe80::1:2:3:4'],
    ['2001:db8:0:0:1::1'],
    ['1:2:3:4:5:6:7:8'],
    ['ABCD:ef01::9'],
  ])('writes the 16 octets of the IPv6 address %s', (address) => {
    const v6 = new X509Certificate(createTlsIdentity({ commonName: 'v6', ipAddresses: [address] }).cert);
    // checkIP parses the address itself, so a match means both sides agree on the octets.
    expect(v6.checkIP(address)).toBeDefined();
    expect(v6.checkIP('2001:db8::2')).toBeUndefined();
  });

  it('refuses what it cannot put in a certificate', () => {
    expect(() => createTlsIdentity({ commonName: 'none' })).toThrow(/at least one/);
    expect(() => createTlsIdentity({ commonName: 'x', ipAddresses: ['localhost'] })).toThrow(/not an IP address/);
    expect(() => createTlsIdentity({ commonName: 'x', ipAddresses: ['fe80::1%eth0'] })).toThrow(/not an IP address/);
    expect(() => createTlsIdentity({ commonName: 'x', dnsNames: ['bücher.test'] })).toThrow(/not an ASCII host name/);
  });

  it('writes a serial that starts with zero bytes as a minimal DER INTEGER (OpenSSL refuses padding)', () => {
    serial.next = Buffer.from('00002a0000000000000000000000002a', 'hex');
    const padded = new X509Certificate(createTlsIdentity({ commonName: 'serial', dnsNames: ['serial.test'] }).cert);
    expect(padded.serialNumber).toBe('2A0000000000000000000000002A');
    serial.next = Buffer.from('80000000000000000000000000000001', 'hex');
    const topBit = new X509Certificate(createTlsIdentity({ commonName: 'serial', dnsNames: ['serial.test'] }).cert);
    expect(topBit.serialNumber).toBe('80000000000000000000000000000001'); // positive: 0x00 in front
  });
});

describe('createSigningIdentity()', () => {
  it('issues an RSA certificate for the SMN signer, signed by its own key, without extensions', () => {
    const { privateKey, certificatePem } = createSigningIdentity('Signer', NOW);
    const cert = new X509Certificate(certificatePem);
    expect(cert.subject).toBe('C=CN\nO=Emulator\nCN=Signer');
    expect(cert.issuer).toBe('C=CN\nO=Emulator\nCN=Emulator CA');
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.checkPrivateKey(privateKey)).toBe(true);
    expect(privateKey.asymmetricKeyDetails).toMatchObject({ modulusLength: 2048 });
    expect(cert.subjectAltName).toBeUndefined();
    expect(cert.validFromDate).toEqual(new Date(NOW - HOUR));
    expect(cert.validToDate).toEqual(new Date(NOW + 10 * 365 * DAY));
  });
});
