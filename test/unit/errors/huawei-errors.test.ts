import { describe, expect, it } from 'vitest';
import { AliasNamingError, AppError, toErrorSummary } from '../../../lib/errors/app-error.ts';
import {
  IamError,
  KmsApiError,
  PaginationError,
  RequestRefusedError,
  TransportError,
  UnexpectedResponseError,
} from '../../../lib/errors/huawei-errors.ts';

describe('the Huawei failure types', () => {
  it.each([
    [
      new KmsApiError('createAlias failed: HTTP 429', {
        code: 'KMS_THROTTLED',
        retry: 'throttling',
        status: 429,
        huaweiCode: 'APIGW.0308',
        requestId: 'r-1',
      }),
      {
        name: 'KmsApiError',
        code: 'KMS_THROTTLED',
        retryable: true,
        status: 429,
        huawei_code: 'APIGW.0308',
        request_id: 'r-1',
      },
    ],
    [
      new IamError('iam.token failed: HTTP 401', { status: 401, retry: false, huaweiCode: 'IAM.0004' }),
      { name: 'IamError', code: 'IAM_AUTH', retryable: false, status: 401, huawei_code: 'IAM.0004' },
    ],
    [
      new TransportError('createAlias failed: timed out', {
        operation: 'createAlias',
        service: 'kms',
        failure: 'timeout',
      }),
      { name: 'TransportError', code: 'KMS_TIMEOUT', retryable: true, status: 0 },
    ],
    [
      new TransportError('createAlias failed: network error', {
        operation: 'createAlias',
        service: 'kms',
        failure: 'network',
      }),
      { name: 'TransportError', code: 'KMS_NETWORK', retryable: true, status: 0 },
    ],
    [
      new TransportError('iam.token failed: network error', {
        operation: 'iam.token',
        service: 'iam',
        failure: 'network',
      }),
      { name: 'TransportError', code: 'IAM_AUTH', retryable: true, status: 0 },
    ],
    [
      new UnexpectedResponseError('listAliases failed: unexpected response body', {
        operation: 'listAliases',
        status: 200,
        requestId: 'r-2',
      }),
      { name: 'UnexpectedResponseError', code: 'KMS_UNAVAILABLE', retryable: true, status: 200, request_id: 'r-2' },
    ],
    [
      new RequestRefusedError('createAlias not sent: invalid key id', { operation: 'createAlias' }),
      { name: 'RequestRefusedError', code: 'KMS_REJECTED', retryable: false, status: 0 },
    ],
    [
      new PaginationError('listAliases failed: pagination did not end after 100 pages', {
        operation: 'listAliases',
        requestId: 'r-3',
      }),
      // No made-up status: the pages themselves succeeded.
      { name: 'PaginationError', code: 'KMS_REJECTED', retryable: false, request_id: 'r-3' },
    ],
    [
      new AliasNamingError('MISSING_FIELD', 'key_alias: the event has no value'),
      { name: 'AliasNamingError', code: 'MISSING_FIELD', retryable: false },
    ],
  ])('%s has a log- and DLQ-safe summary with its own name', (err, expected) => {
    expect(err).toBeInstanceOf(AppError);
    expect(toErrorSummary(err)).toEqual({ ...expected, message: err.message });
  });

  it('reads `retryable` from the retry class set at birth', () => {
    for (const retry of ['throttling', 'transient', 'not-yet-visible', 'auth-refresh'] as const) {
      expect(new KmsApiError('x', { code: 'KMS_REJECTED', retry, status: 400 }).retryable).toBe(true);
    }
    expect(new KmsApiError('x', { code: 'KMS_REJECTED', retry: false, status: 400 }).retryable).toBe(false);
  });

  it('keeps the cause of a transport failure', () => {
    const cause = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const err = new TransportError('x', { operation: 'createAlias', service: 'kms', failure: 'network', cause });
    expect(err.cause).toBe(cause);
  });
});
