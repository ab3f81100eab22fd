import { describe, expect, it } from 'vitest';
import { AliasConflictError, AppError, ConfigError } from '../../../lib/errors/app-error.ts';
import type { ErrorCode } from '../../../lib/errors/app-error.ts';
import {
  IamError,
  KmsApiError,
  PaginationError,
  RequestRefusedError,
  TransportError,
  UnexpectedResponseError,
} from '../../../lib/errors/huawei-errors.ts';
import { classifyHuaweiFailure } from '../../../lib/huawei/classify-huawei-failure.ts';
import { classifyError, isRetryable, type RetryKind } from '../../../lib/retry/classify-error.ts';
import { DeadlineExceededError } from '../../../lib/retry/deadline-exceeded-error.ts';

const operation = 'createAlias';
const isTimeout = (cause: unknown) => cause instanceof DOMException && cause.name === 'TimeoutError';

/**
 * The error lib/huawei raises for a failure with these fields, built the way its birth site
 * builds it (parse-huawei-error.ts, transport-error.ts, iam-token-auth.ts, kms-client.ts), so
 * each row checks the class set at birth and what the retry layer reads from it.
 */
const kms = (status: number, code: ErrorCode, huaweiCode?: string, cause?: unknown): AppError => {
  const service = code === 'IAM_AUTH' ? 'iam' : 'kms';
  if (status === 0 && (code === 'KMS_TIMEOUT' || code === 'KMS_NETWORK' || service === 'iam')) {
    const failure = code === 'KMS_TIMEOUT' || isTimeout(cause) ? 'timeout' : 'network';
    return new TransportError('x', { operation, service, failure, cause });
  }
  if (status === 0) return new RequestRefusedError('x', { operation, cause });
  const answered = status >= 200 && status < 300;
  if (service === 'iam') {
    return new IamError('x', {
      status,
      huaweiCode,
      retry: answered ? false : classifyHuaweiFailure(status, huaweiCode),
    });
  }
  if (answered && code === 'KMS_UNAVAILABLE') return new UnexpectedResponseError('x', { operation, status });
  if (answered) return new PaginationError('x', { operation });
  const retry = code === 'KMS_AUTH_EXPIRED' ? 'auth-refresh' : classifyHuaweiFailure(status, huaweiCode);
  return new KmsApiError('x', { status, code, huaweiCode, retry, cause });
};

const netError = (code: string) => Object.assign(new Error(`connect ${code}`), { code });
const fetchFailed = (cause?: unknown) => new TypeError('fetch failed', cause === undefined ? undefined : { cause });

describe('classifyError() — the decision table, row by row', () => {
  it.each<[string, unknown, RetryKind, boolean]>([
    // throttling
    ['429', kms(429, 'KMS_THROTTLED'), 'throttled', true],
    ['APIGW.0308 on 429', kms(429, 'KMS_THROTTLED', 'APIGW.0308'), 'throttled', true],
    ['APIGW.0308 on another status', kms(400, 'KMS_THROTTLED', 'APIGW.0308'), 'throttled', true],
    ['APIG.0308', kms(429, 'KMS_THROTTLED', 'APIG.0308'), 'throttled', true],
    // server
    ['500', kms(500, 'KMS_UNAVAILABLE'), 'server', true],
    ['502', kms(502, 'KMS_UNAVAILABLE'), 'server', true],
    ['503', kms(503, 'KMS_UNAVAILABLE'), 'server', true],
    ['504', kms(504, 'KMS_UNAVAILABLE'), 'server', true],
    ['KMS.0101', kms(500, 'KMS_UNAVAILABLE', 'KMS.0101'), 'server', true],
    ['KMS.0102 on a 400', kms(400, 'KMS_UNAVAILABLE', 'KMS.0102'), 'server', true],
    ['501 (not implemented)', kms(501, 'KMS_UNAVAILABLE'), 'permanent', false],
    // not visible yet
    ['KMS.0207 on 404', kms(404, 'KMS_KEY_NOT_FOUND', 'KMS.0207'), 'not_visible', true],
    ['KMS.0207 on 400', kms(400, 'KMS_KEY_NOT_FOUND', 'KMS.0207'), 'not_visible', true],
    // auth
    ['401 after a token was dropped', kms(401, 'KMS_AUTH_EXPIRED', 'APIGW.0301'), 'auth_refreshed', true],
    ['401', kms(401, 'KMS_AUTH', 'APIGW.0301'), 'permanent', false],
    ['403', kms(403, 'KMS_FORBIDDEN', 'KMS.0306'), 'permanent', false],
    // other 4xx
    ['400', kms(400, 'KMS_REJECTED', 'KMS.0308'), 'permanent', false],
    ['400 KMS.0209 (disabled)', kms(400, 'KMS_KEY_DISABLED', 'KMS.0209'), 'permanent', false],
    ['404 APIGW.0101', kms(404, 'KMS_REJECTED', 'APIGW.0101'), 'permanent', false],
    ['409', kms(409, 'KMS_REJECTED'), 'permanent', false],
    ['413', kms(413, 'KMS_REJECTED', 'APIGW.0201'), 'permanent', false],
    ['302 (redirects are not followed)', kms(302, 'KMS_REJECTED'), 'permanent', false],
    // IAM
    ['IAM 401', kms(401, 'IAM_AUTH', 'IAM.0101'), 'permanent', false],
    ['IAM 429', kms(429, 'IAM_AUTH'), 'throttled', true],
    ['IAM 503', kms(503, 'IAM_AUTH'), 'server', true],
    ['IAM network', kms(0, 'IAM_AUTH', undefined, fetchFailed(netError('ECONNRESET'))), 'network', true],
    ['IAM timeout', kms(0, 'IAM_AUTH', undefined, new DOMException('t', 'TimeoutError')), 'timeout', true],
    ['IAM 2xx without a token', kms(201, 'IAM_AUTH'), 'permanent', false],
    // local (status 0 / 2xx)
    ['KMS_TIMEOUT', kms(0, 'KMS_TIMEOUT'), 'timeout', true],
    ['KMS_NETWORK', kms(0, 'KMS_NETWORK'), 'network', true],
    ['malformed 2xx body', kms(200, 'KMS_UNAVAILABLE'), 'server', true],
    ['local refusal (invalid key id)', kms(0, 'KMS_REJECTED'), 'permanent', false],
    [
      'local refusal with a cause (unusable endpoint)',
      kms(0, 'KMS_REJECTED', undefined, new Error('bad region')),
      'permanent',
      false,
    ],
    ['pagination guard', kms(200, 'KMS_REJECTED'), 'permanent', false],
    // timeouts and network errors
    [
      'AbortSignal.timeout TimeoutError',
      new DOMException('The operation was aborted due to timeout', 'TimeoutError'),
      'timeout',
      true,
    ],
    ['AbortError', new DOMException('This operation was aborted', 'AbortError'), 'timeout', true],
    ...['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_SOCKET'].map(
      (code): [string, unknown, RetryKind, boolean] => [code, netError(code), 'network', true],
    ),
    ["fetch's TypeError", fetchFailed(), 'network', true],
    ["fetch's TypeError with a socket cause", fetchFailed(netError('UND_ERR_SOCKET')), 'network', true],
    ["undici's terminated", new TypeError('terminated'), 'network', true],
    // cause chains
    [
      'wrapper around a permanent KMS error',
      new Error('wrap', { cause: kms(400, 'KMS_REJECTED') }),
      'permanent',
      false,
    ],
    [
      'wrapper around throttling',
      new Error('wrap', { cause: new Error('w2', { cause: kms(429, 'KMS_THROTTLED') }) }),
      'throttled',
      true,
    ],
    ['wrapper around ECONNRESET', new Error('wrap', { cause: netError('ECONNRESET') }), 'network', true],
    // other AppErrors
    ['AliasConflictError', new AliasConflictError('alias/a', 'k'), 'permanent', false],
    ['ConfigError', new ConfigError('bad'), 'permanent', false],
    ['retryable AppError', new AppError('x', { code: 'KMS_UNAVAILABLE', retry: 'transient' }), 'unknown', true],
    ['DeadlineExceededError', new DeadlineExceededError(10), 'timeout', true],
    // unknown
    ['plain Error', new Error('boom'), 'unknown', true],
    ['non-network TypeError', new TypeError('x is not a function'), 'unknown', true],
    ['a thrown string', 'boom', 'unknown', true],
    ['undefined', undefined, 'unknown', true],
    ['unknown socket code', netError('EWHATEVER'), 'unknown', true],
  ])('%s → %s', (_name, err, kind, retryable) => {
    expect(classifyError(err)).toEqual({ kind, retryable });
    expect(isRetryable(err)).toBe(retryable);
  });

  it('survives a cause cycle', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    Object.defineProperty(a, 'cause', { value: b });
    expect(classifyError(a)).toEqual({ kind: 'unknown', retryable: true });
  });
});
