import type { Context } from 'aws-lambda';

/** A Lambda context whose remaining time counts down from `timeoutMs`, as the runtime's does. */
export function createLambdaContext(timeoutMs = 30_000, now: () => number = Date.now): Context {
  const deadline = now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'kms-auto-alias-test-createKeyAlias',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:kms-auto-alias-test-createKeyAlias',
    memoryLimitInMB: '256',
    awsRequestId: `req-${Math.random().toString(16).slice(2)}`,
    logGroupName: '/aws/lambda/kms-auto-alias-test-createKeyAlias',
    logStreamName: 'test',
    getRemainingTimeInMillis: () => Math.max(0, deadline - now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
