import { describe, expect, it } from 'vitest';
import { describeLeak, findCredentialPatterns, findSecretLeaks } from './find-secret-leaks.ts';

const SK = 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc';
const AK = 'QTWAOYTTINDUT2QVKYUC';
const PASSWORD = 'Pa ss/w0rd#"quoted"';

describe('findSecretLeaks()', () => {
  it('finds a whole secret and reports where, how long and which one', () => {
    const lines = ['{"level":"INFO","message":"ok"}', `{"detail":"sk=${SK}"}`];
    expect(findSecretLeaks(lines, [AK, SK])).toEqual([
      { line: 1, secret: 1, form: 'raw', offset: 14, length: SK.length },
    ]);
  });

  it('finds any run of 8 or more characters of a secret, and none of 7', () => {
    const part = SK.slice(13, 21);
    expect(findSecretLeaks([`x${part}y`], [SK])).toEqual([{ line: 0, secret: 0, form: 'raw', offset: 1, length: 8 }]);
    expect(findSecretLeaks([`x${SK.slice(13, 20)}y`], [SK])).toEqual([]);
    expect(findSecretLeaks([`prefix ${SK.slice(0, 12)}`], [SK])[0]).toMatchObject({ length: 12 });
  });

  it('honours minLength', () => {
    expect(findSecretLeaks([SK.slice(0, 6)], [SK], { minLength: 6 })).toHaveLength(1);
    expect(findSecretLeaks([SK.slice(0, 11)], [SK], { minLength: 12 })).toEqual([]);
  });

  it('finds JSON-escaped, percent-encoded and base64 forms', () => {
    const json = JSON.stringify({ p: PASSWORD });
    const url = `https://iam.example/?p=${encodeURIComponent(PASSWORD)}`;
    const basic = `Authorization: Basic ${Buffer.from(`${AK}:${SK}`).toString('base64')}`;
    const leaks = findSecretLeaks([json, url, Buffer.from(SK).toString('base64url')], [PASSWORD, SK]);
    expect(leaks.map((l) => [l.line, l.secret, l.form])).toEqual([
      [0, 0, 'json'],
      [1, 0, 'url'],
      [2, 1, 'base64'],
    ]);
    // Base64 of a longer string holding the secret only aligns by chance; the raw forms are the contract.
    expect(findSecretLeaks([basic], [`${AK}:${SK}`]).map((l) => l.form)).toEqual(['base64']);
  });

  it('reports each secret once per line, at its first occurrence', () => {
    const leaks = findSecretLeaks([`${SK} and again ${SK}`, 'clean', AK], [SK, AK]);
    expect(leaks).toEqual([
      { line: 0, secret: 0, form: 'raw', offset: 0, length: SK.length },
      { line: 2, secret: 1, form: 'raw', offset: 0, length: AK.length },
    ]);
  });

  it('ignores low-entropy runs and runs wholly inside a benign fragment', () => {
    const sk = 'emulatorPermanentSecretKey00000000000001';
    const arn = 'arn:aws:sqs:us-east-1:000000000000:kms-key-events';
    expect(findSecretLeaks([arn], [sk])).toEqual([]);
    expect(findSecretLeaks(['the emulator answered'], [sk], { ignore: ['emulator'] })).toEqual([]);
    // ...but a run that crosses out of the benign word is still a leak.
    expect(findSecretLeaks(['emulatorPerm'], [sk], { ignore: ['emulator'] })).toHaveLength(1);
  });

  it('skips secrets shorter than minLength and non-string input', () => {
    expect(findSecretLeaks(['short'], ['short'])).toEqual([]);
    expect(findSecretLeaks([undefined as unknown as string, SK], [SK])).toHaveLength(1);
  });

  it('scales to large lines', () => {
    const big = 'x'.repeat(2_000_000);
    const started = performance.now();
    expect(findSecretLeaks([big, `${big}${SK}`], [SK, AK, PASSWORD])).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe('describeLeak()', () => {
  it('names the secret and shows context without the secret itself', () => {
    const lines = [`{"error":"signing with ${SK} failed"}`];
    const [leak] = findSecretLeaks(lines, [SK]);
    const text = describeLeak(leak!, lines, ['LOCAL_ACCOUNT.sk']);
    expect(text).toContain('LOCAL_ACCOUNT.sk');
    expect(text).toContain('signing with ');
    expect(findSecretLeaks([text], [SK])).toEqual([]);
  });
});

describe('findCredentialPatterns()', () => {
  it('finds signed Authorization headers, signatures and token headers whatever their value', () => {
    const lines = [
      'Authorization: SDK-HMAC-SHA256 Access=ANYAK, SignedHeaders=host, Signature=00',
      `sig Signature=${'ab'.repeat(32)}`,
      '{"X-Auth-Token":"MIIabcdefghijklmnopqrstu"}',
      'x-security-token: abcdefgh1234',
      'token MIIemuAbCdEfGh12345',
      'the security token is invalid',
      '{"Signature":"EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N85"}',
    ];
    expect(findCredentialPatterns(lines).map((p) => [p.line, p.pattern])).toEqual([
      [0, 'AK/SK Authorization header'],
      [1, 'request signature'],
      [2, 'X-Auth-Token header'],
      [3, 'X-Security-Token header'],
      [4, 'emulator IAM token'],
    ]);
  });
});
