import { loadIngestConfig } from '../../lib/config/ingest-config.ts';
import { createIngestHandler } from './app.ts';
import { buildIngestDeps } from './build-deps.ts';

// Read once at cold start: a bad variable fails the init with a message that names it.
//
// Behind a Lambda function URL rather than an API Gateway HTTP API: both deliver the same
// payload-v2 event, but the URL is one resource with no per-request charge and no 30 s
// integration limit, and API Gateway's features add nothing here: neither Huawei SMN nor
// EventGrid can sign AWS requests (IAM auth), authentication is the SMN signature or the shared
// token checked in this function, and throttling is the function's reserved concurrency.
export const handler = createIngestHandler(buildIngestDeps(loadIngestConfig(process.env)));
