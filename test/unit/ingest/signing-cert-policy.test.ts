import { describe, expect, it } from 'vitest';
import { checkFetchableUrl, defaultSigningCertHosts } from '../../../lib/ingest/signing-cert-policy.ts';
import { CERT_URL } from './smn-fixtures.ts';

describe('defaultSigningCertHosts()', () => {
  it("names SMN's host of each region, with the SDK's domain exceptions added", () => {
    expect(defaultSigningCertHosts(['cn-north-4', 'ap-southeast-1'])).toEqual([
      'smn.cn-north-4.myhuaweicloud.com',
      'smn.ap-southeast-1.myhuaweicloud.com',
    ]);
    expect(defaultSigningCertHosts(['cn-north-2', 'eu-west-101'])).toEqual([
      'smn.cn-north-2.myhuaweicloud.com',
      'smn.cn-north-2.myhuaweicloud.cn',
      'smn.eu-west-101.myhuaweicloud.com',
      'smn.eu-west-101.myhuaweicloud.eu',
    ]);
  });
});

describe('checkFetchableUrl()', () => {
  const hosts = ['smn.cn-north-4.myhuaweicloud.com', '127.0.0.1:8443', 'localhost'];

  it("allows https on an allowed host (Huawei's sample certificate URL)", () => {
    const result = checkFetchableUrl(CERT_URL, hosts);
    expect(result.ok && result.url.href).toBe(CERT_URL);
  });

  it.each([
    ['https://smn.cn-north-1.myhuaweicloud.com/cert.pem', 'host_not_allowed'],
    ['https://smn.cn-north-4.myhuaweicloud.com.evil.example/cert.pem', 'host_not_allowed'],
    ['https://evil.example/smn.cn-north-4.myhuaweicloud.com/cert.pem', 'host_not_allowed'],
    ['https://smn.cn-north-4.myhuaweicloud.com:8443/cert.pem', 'host_not_allowed'],
    ['http://smn.cn-north-4.myhuaweicloud.com/cert.pem', 'url_not_https'],
    ['ftp://smn.cn-north-4.myhuaweicloud.com/cert.pem', 'url_not_https'],
    ['file:///etc/passwd', 'url_not_https'],
    ['https://user:pw@smn.cn-north-4.myhuaweicloud.com/cert.pem', 'url_invalid'],
    ['not a url', 'url_invalid'],
    ['http://127.0.0.1:9999/cert.pem', 'host_not_allowed'],
  ])('refuses %s (%s)', (url, reason) => {
    expect(checkFetchableUrl(url, hosts)).toEqual({ ok: false, reason });
  });

  it('allows plain http only to an allowed loopback host', () => {
    expect(checkFetchableUrl('http://127.0.0.1:8443/cert.pem', hosts).ok).toBe(true);
    expect(checkFetchableUrl('http://localhost/cert.pem', hosts).ok).toBe(true);
    expect(checkFetchableUrl('http://10.0.0.1:8443/cert.pem', ['10.0.0.1:8443'])).toEqual({
      ok: false,
      reason: 'url_not_https',
    });
  });

  it('compares host names case-insensitively', () => {
    expect(checkFetchableUrl('https://SMN.CN-NORTH-4.MyHuaweiCloud.com/c.pem', hosts).ok).toBe(true);
    expect(
      checkFetchableUrl('https://smn.cn-north-4.myhuaweicloud.com/c.pem', ['SMN.cn-north-4.myhuaweicloud.com']).ok,
    ).toBe(true);
  });
});
