import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../../lib/errors/app-error.ts';
import { KmsApiError } from '../../../lib/errors/huawei-errors.ts';
import { MAX_KEPT_MESSAGE_CHARS, parseErrorBody, parseHuaweiError } from '../../../lib/huawei/parse-huawei-error.ts';

const parse = (status: number, bodyText: string | undefined, headers: Record<string, string> = {}) =>
  parseHuaweiError({ status, bodyText, headers, operation: 'createAlias' });

describe('parseErrorBody() — the three body shapes of docs/huawei-kms.md#error-bodies', () => {
  it('reads the KMS nested shape', () => {
    expect(parseErrorBody('{"error":{"error_code":"KMS.0207","error_msg":"key not exist."}}')).toEqual({
      json: true,
      huaweiCode: 'KMS.0207',
      huaweiMessage: 'key not exist.',
    });
  });

  it('reads the API Gateway flat shape with request_id', () => {
    expect(
      parseErrorBody(
        '{"error_msg":"The throttling threshold has been reached: policy user over ratelimit,limit:20,time:1 second","error_code":"APIGW.0308","request_id":"7d01abc"}',
      ),
    ).toEqual({
      json: true,
      huaweiCode: 'APIGW.0308',
      huaweiMessage: 'The throttling threshold has been reached: policy user over ratelimit,limit:20,time:1 second',
      requestId: '7d01abc',
    });
  });

  it('reads the {"error":{"code","message"}} shape', () => {
    expect(parseErrorBody('{"error":{"code":"KMS.0306","message":"no permission"}}')).toEqual({
      json: true,
      huaweiCode: 'KMS.0306',
      huaweiMessage: 'no permission',
    });
  });

  it('reads the IAM keystone shape (numeric code is the status again, not a Huawei code)', () => {
    expect(
      parseErrorBody(
        '{"error":{"code":401,"message":"The request you have made requires authentication.","title":"Unauthorized"}}',
      ),
    ).toEqual({ json: true, huaweiMessage: 'The request you have made requires authentication.' });
  });

  it('keeps a top-level request_id when the fields are nested', () => {
    expect(parseErrorBody('{"request_id":"r-1","error":{"error_code":"KMS.0101","error_msg":"kms error."}}')).toEqual({
      json: true,
      huaweiCode: 'KMS.0101',
      huaweiMessage: 'kms error.',
      requestId: 'r-1',
    });
  });

  it('looks into an array-wrapped body', () => {
    expect(parseErrorBody('[{"error_code":"KMS.0202","error_msg":"bad json"}]').huaweiCode).toBe('KMS.0202');
  });

  it.each([
    [undefined, { json: false }],
    ['', { json: false }],
    ['   \n', { json: false }],
    ['{}', { json: true }],
    ['null', { json: false, huaweiMessage: 'null' }],
    ['{"error":', { json: false, huaweiMessage: '{"error":' }],
    [
      '<html><body>502 Bad Gateway</body></html>',
      { json: false, huaweiMessage: '<html><body>502 Bad Gateway</body></html>' },
    ],
  ])('tolerates %j', (body, expected) => {
    expect(parseErrorBody(body)).toEqual(expected);
  });

  it('caps the kept message and strips control characters', () => {
    const long = parseErrorBody(
      JSON.stringify({ error_code: 'KMS.0308', error_msg: `bad\r\n\tvalue ${'x'.repeat(5000)}` }),
    );
    expect(long.huaweiMessage?.length).toBe(MAX_KEPT_MESSAGE_CHARS);
    expect(long.huaweiMessage?.startsWith('bad value x')).toBe(true);
    expect(long.huaweiMessage?.endsWith('…')).toBe(true);
    expect(parseErrorBody('y'.repeat(2_000_000)).huaweiMessage?.length).toBe(MAX_KEPT_MESSAGE_CHARS);
  });

  it.each([
    ['a JSON message', (quote: string) => JSON.stringify({ error_code: 'APIGW.0301', error_msg: quote })],
    ['a non-JSON page', (quote: string) => `<html><body>400 Bad Request<pre>${quote}</pre></body></html>`],
  ])('masks credential header values quoted in %s, even cut short (never registered whole)', (_, bodyOf) => {
    // The gateway quotes the canonical request it computed; a proxy may quote the headers. A value
    // cut short by the server no longer matches the registered secret, so it is masked by name.
    const cut = 'gQpjbi1ub3J0aC00TmVWZXJSZWdpc3RlcmVk';
    const quote = `verify aksk signature fail, canonicalRequest:GET|/v1.0/p/kms/aliases/||host:kms|x-sdk-date:20240401T000000Z|x-security-token:${cut}\nX-Auth-Token: ${cut}`;
    const { huaweiMessage } = parseErrorBody(bodyOf(quote));
    expect(huaweiMessage).toContain('x-security-token:[REDACTED]');
    expect(huaweiMessage).toContain('X-Auth-Token: [REDACTED]');
    expect(huaweiMessage).not.toContain(cut.slice(0, 12));
  });

  it('masks a quoted Authorization header: its AK and its signature (replayable for 15 minutes)', () => {
    // The gateway's own log line for a failed signature, as the signing FAQ shows it (api-sign-0001).
    const quote =
      'Incorrect IAM authentication information: verify signature fail;SDK-HMAC-SHA256 Access=071fe245-9cf6-4d75-822d-c29945a1e06a, SignedHeaders=host;x-sdk-date, Signature=b2ef2cddcef89cbfe22974c988909c1a94b1ac54114c30b8fe083d34a259e0f5;canonicalRequest:GET';
    const { huaweiMessage } = parseErrorBody(JSON.stringify({ error_code: 'APIGW.0301', error_msg: quote }));
    expect(huaweiMessage).toContain('verify signature fail;[REDACTED];canonicalRequest:GET');
    expect(huaweiMessage).not.toContain('071fe245');
    expect(huaweiMessage).not.toContain('b2ef2cdd');
  });

  it('does not parse deeper than a few levels', () => {
    const deep = '{"a":{"b":{"c":{"d":{"e":{"f":{"error_code":"X"}}}}}}}';
    expect(parseErrorBody(deep)).toEqual({ json: true });
  });
});

describe('parseHuaweiError() — status and code mapping', () => {
  it.each<[number, string | undefined, ErrorCode, boolean]>([
    [429, 'APIGW.0308', 'KMS_THROTTLED', true],
    [429, undefined, 'KMS_THROTTLED', true],
    [400, 'APIG.0308', 'KMS_THROTTLED', true],
    [500, 'KMS.0101', 'KMS_UNAVAILABLE', true],
    [500, 'KMS.0102', 'KMS_UNAVAILABLE', true],
    [500, undefined, 'KMS_UNAVAILABLE', true],
    [502, undefined, 'KMS_UNAVAILABLE', true],
    [503, undefined, 'KMS_UNAVAILABLE', true],
    [504, undefined, 'KMS_UNAVAILABLE', true],
    [501, undefined, 'KMS_UNAVAILABLE', false],
    [404, 'KMS.0207', 'KMS_KEY_NOT_FOUND', true],
    [400, 'KMS.0207', 'KMS_KEY_NOT_FOUND', true],
    [400, 'KMS.0209', 'KMS_KEY_DISABLED', false],
    [400, 'KMS.0210', 'KMS_KEY_PENDING_DELETION', false],
    [400, 'KMS.0211', 'KMS_DEFAULT_KEY', false],
    [401, 'KMS.0301', 'KMS_AUTH', false],
    [401, 'KMS.0303', 'KMS_AUTH', false],
    [401, 'APIGW.0301', 'KMS_AUTH', false],
    [401, 'APIGW.0303', 'KMS_AUTH', false],
    [401, undefined, 'KMS_AUTH', false],
    [403, 'KMS.0306', 'KMS_FORBIDDEN', false],
    [403, 'KMS.0307', 'KMS_FORBIDDEN', false],
    [403, 'APIGW.0310', 'KMS_FORBIDDEN', false],
    [403, undefined, 'KMS_FORBIDDEN', false],
    [400, 'KMS.0308', 'KMS_REJECTED', false],
    [400, 'KMS.1104', 'KMS_REJECTED', false],
    [404, 'APIGW.0101', 'KMS_REJECTED', false],
    [409, undefined, 'KMS_REJECTED', false],
    [302, undefined, 'KMS_REJECTED', false],
  ])('HTTP %i %s → %s (retryable %s)', (status, huaweiCode, code, retryable) => {
    const body = huaweiCode === undefined ? '' : JSON.stringify({ error: { error_code: huaweiCode, error_msg: 'm' } });
    const err = parse(status, body);
    expect(err).toBeInstanceOf(KmsApiError);
    expect(err).toMatchObject({ status, code, retryable, huaweiCode, operation: 'createAlias' });
  });

  it('maps every IAM failure to IAM_AUTH, retryable only for 429/5xx', () => {
    const iam = (status: number) =>
      parseHuaweiError({
        status,
        bodyText: '{"error_code":"IAM.0101","error_msg":"x"}',
        headers: {},
        operation: 'iam.token',
        service: 'iam',
      });
    expect(iam(401)).toMatchObject({ code: 'IAM_AUTH', retryable: false, huaweiCode: 'IAM.0101' });
    expect(iam(400)).toMatchObject({ code: 'IAM_AUTH', retryable: false });
    expect(iam(429)).toMatchObject({ code: 'IAM_AUTH', retryable: true });
    expect(iam(503)).toMatchObject({ code: 'IAM_AUTH', retryable: true });
  });

  it('prefers the X-Request-Id header over the body request_id', () => {
    const body = '{"error_code":"APIGW.0308","error_msg":"slow down","request_id":"from-body"}';
    expect(parse(429, body, { 'X-Request-Id': 'from-header' }).requestId).toBe('from-header');
    expect(parse(429, body, {}).requestId).toBe('from-body');
    expect(parse(429, body, { 'x-request-id': '  ' }).requestId).toBe('from-body');
    const headers = new Headers({ 'x-request-id': 'from-headers-object' });
    expect(parseHuaweiError({ status: 429, bodyText: body, headers, operation: 'op' }).requestId).toBe(
      'from-headers-object',
    );
  });

  it('builds a message from operation, status, code and the JSON message, never the raw body', () => {
    expect(parse(404, '{"error":{"error_code":"KMS.0207","error_msg":"key not exist."}}').message).toBe(
      'createAlias failed: HTTP 404 KMS.0207: key not exist.',
    );
    const html = parse(502, '<html>secret-looking page</html>');
    expect(html.message).toBe('createAlias failed: HTTP 502');
    expect(html.huaweiMessage).toBe('<html>secret-looking page</html>');
    expect(parse(500, undefined).message).toBe('createAlias failed: HTTP 500');
  });
});
