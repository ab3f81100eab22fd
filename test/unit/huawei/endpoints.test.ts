import { describe, expect, it } from 'vitest';
import {
  assertSafeEndpoint,
  GLOBAL_IAM_ENDPOINT,
  iamEndpointFor,
  isRegionId,
  kmsEndpointFor,
} from '../../../lib/huawei/endpoints.ts';

// docs/huawei-kms.md#endpoints: every region id of KmsRegion 3.1.209, plus eu-west-0 from IamRegion.
const KNOWN_REGIONS =
  'eu-west-101 cn-north-4 cn-north-1 cn-north-2 cn-east-2 cn-east-3 cn-south-1 cn-south-2 af-south-1 cn-southwest-2 ap-southeast-1 ap-southeast-2 ap-southeast-3 la-south-2 sa-brazil-1 na-mexico-1 la-north-2 cn-north-9 ap-southeast-4 tr-west-1 ae-ad-1 my-kualalumpur-1 ru-moscow-1 cn-east-5 cn-east-4 me-east-1 ap-southeast-5 cn-south-4 cn-north-12 cn-north-11 af-north-1 cn-southwest-3 eu-west-0'.split(
    ' ',
  );

describe('kmsEndpointFor() / iamEndpointFor()', () => {
  it.each(KNOWN_REGIONS)('accepts the published region %s', (region) => {
    expect(isRegionId(region)).toBe(true);
  });

  it('builds the .com endpoints, and .eu for eu-west-101 (docs/huawei-kms.md#iam-tokens, docs/huawei-kms.md#endpoints)', () => {
    expect(kmsEndpointFor('cn-north-4')).toBe('https://kms.cn-north-4.myhuaweicloud.com');
    expect(kmsEndpointFor('eu-west-101')).toBe('https://kms.eu-west-101.myhuaweicloud.eu');
    expect(iamEndpointFor('ap-southeast-1')).toBe('https://iam.ap-southeast-1.myhuaweicloud.com');
    expect(iamEndpointFor('eu-west-101')).toBe('https://iam.eu-west-101.myhuaweicloud.eu');
    expect(iamEndpointFor()).toBe(GLOBAL_IAM_ENDPOINT);
  });

  it.each([
    '',
    'CN-NORTH-4',
    'cn-north',
    'cn-north-4.evil.com#',
    'evil.com/x',
    'cn-north-4/../x',
    'cn-north-4@evil',
    'cn north 4',
    'cn-north-4\n',
    'a-b-1',
    `${'x'.repeat(200)}-1`,
  ])('rejects the region %j so nothing can inject a host', (region) => {
    expect(() => kmsEndpointFor(region)).toThrow(/invalid Huawei region id/);
    expect(() => iamEndpointFor(region)).toThrow(/invalid Huawei region id/);
  });
});

describe('assertSafeEndpoint()', () => {
  it.each([
    'https://kms.cn-north-4.myhuaweicloud.com',
    'https://kms.example.internal:8443/prefix',
    'http://127.0.0.1:4566',
    'http://127.1.2.3',
    'http://localhost:3000/',
    'http://[::1]:9000',
  ])('accepts %s', (url) => {
    expect(assertSafeEndpoint(url)).toBeInstanceOf(URL);
  });

  it.each([
    ['http://kms.cn-north-4.myhuaweicloud.com', /plain http/],
    ['http://10.0.0.1', /plain http/],
    ['http://127.0.0.1.nip.io', /plain http/],
    ['http://localhost.evil.com', /plain http/],
    ['ftp://127.0.0.1', /must use https/],
    ['file:///etc/passwd', /must use https/],
    ['https://user:pw@kms.example', /credentials/],
    ['https://kms.example/?x=1', /query or a fragment/],
    ['https://kms.example/#x', /query or a fragment/],
    ['not a url', /valid absolute URL/],
    ['/relative', /valid absolute URL/],
  ])('rejects %s', (url, message) => {
    expect(() => assertSafeEndpoint(url)).toThrow(message);
  });

  it('accepts a URL object and returns a copy', () => {
    const input = new URL('https://kms.example');
    const out = assertSafeEndpoint(input);
    expect(out.href).toBe(input.href);
    expect(out).not.toBe(input);
  });
});
