import { describe, expect, it } from 'vitest';
import { classifyTagFailure } from '../../../lib/tags/classify-tag-failure.ts';

describe('classifyTagFailure()', () => {
  it.each([
    {
      failure: { status: 400, code: 'KMS.0409', message: 'The total number of tags has exceeded the upper limit.' },
      action: 'list-and-replan',
    },
    { failure: { status: 400, code: 'KMS.0406' }, action: 'list-and-replan' },
    { failure: { status: 400, code: 'KMS.0308', message: 'Invalid tags.' }, action: 'list-and-replan' },
    { failure: { status: 409, code: 'KMS.9999', message: 'Tag key already exists.' }, action: 'list-and-replan' },
    { failure: { status: 400, code: 'KMS.0410' }, action: 'invalid-tags' },
    { failure: { status: 400, code: 'KMS.0411' }, action: 'invalid-tags' },
    { failure: { status: 400, code: 'KMS.0401' }, action: 'invalid-tags' },
    {
      failure: { status: 400, code: 'KMS.0210', message: 'The key is in Scheduled deletion state' },
      action: 'not-a-tag-failure',
    },
    { failure: { status: 404, code: 'KMS.0207' }, action: 'not-a-tag-failure' },
    { failure: { status: 400, code: 'KMS.0308', message: 'x' }, action: 'list-and-replan' },
    { failure: { status: 429, code: 'APIGW.0308' }, action: 'not-a-tag-failure' },
    { failure: { status: 403, code: 'KMS.0307' }, action: 'not-a-tag-failure' },
    { failure: { status: 401, code: 'APIGW.0301' }, action: 'not-a-tag-failure' },
    { failure: { status: 500, code: 'KMS.0101' }, action: 'not-a-tag-failure' },
    { failure: { code: 'KMS.0409' }, action: 'not-a-tag-failure' },
    { failure: { status: 400, message: 'alias already exists' }, action: 'not-a-tag-failure' },
  ])('$failure.status $failure.code → $action', ({ failure, action }) => {
    expect(classifyTagFailure(failure)).toBe(action);
  });
});
