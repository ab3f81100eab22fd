// Baseline of the cold-start benchmark, never deployed: the same handler bundled the
// straightforward way. The SQS client is imported statically and constructed at init, and
// bench/cold-start.ts builds this entry without code splitting, so everything loads up front.
import { SQSClient } from '@aws-sdk/client-sqs';
import { createHandler } from '../../functions/create-key-alias/app.ts';
import { buildDeps } from '../../functions/create-key-alias/build-deps.ts';
import { loadConfig } from '../../lib/config/load-config.ts';

const config = loadConfig(process.env);
const sqsClient = new SQSClient({
  region: config.awsRegion,
  ...(config.sqsEndpoint === undefined ? {} : { endpoint: config.sqsEndpoint }),
  maxAttempts: 3,
});

export const handler = createHandler(buildDeps(config, { sqsClient }));
