import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { processBatch, type BatchDeps } from '../../lib/core/process-batch.ts';

/**
 * The middy handler. Partial batch failures are computed by `processBatch` itself rather than
 * by @middy/sqs-partial-batch-failure: that package is marked legacy upstream, logs whole
 * records (bodies included) by default, and infers failures from thrown errors, whereas here
 * the decision is explicit data (Outcome → Disposition) and a DLQ send failure must also count.
 */
export function createHandler(deps: BatchDeps) {
  return middy<SQSEvent, SQSBatchResponse, Error, Context>().handler(async (event, context) => {
    if (!Array.isArray(event?.Records)) {
      // Not an SQS event: fail the invocation so the misconfiguration is visible, not swallowed.
      throw new TypeError('expected an SQS event with Records');
    }
    deps.logger.addContext(context); // request id, cold start and trace id on every line of this invocation
    return processBatch(event.Records, deps, () => context.getRemainingTimeInMillis());
  });
}
