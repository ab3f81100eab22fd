import type * as z from 'zod/mini';
import { ctsTraceSchemas } from './cts-trace-schema.ts';
import { invalidFromZodError } from './format-zod-issues.ts';
import { decodeEmbeddedObject, type EmbeddedObjectResult, type JsonObject } from './json-object.ts';
import { invalid, type NormaliseResult } from './normalise-result.ts';

type TraceFields = z.infer<ReturnType<typeof ctsTraceSchemas>['CtsCreateKeyTraceSchema']>;

/** A key trace's common fields and its `request` / `response`, each checked by its own schema. */
export interface TraceBodies<Req, Res> {
  ok: true;
  fields: TraceFields;
  request: Req;
  response: Res;
}

/**
 * Reads what every key-creating trace (createKey, replicateKey) carries: the trace's own fields,
 * then `request` and `response` (JSON strings or objects, docs/huawei-kms.md#key-events), each
 * against the operation's schema. The first problem becomes an `invalid` result naming the path.
 */
export function readTraceBodies<Req, Res>(
  trace: JsonObject,
  path: string,
  requestSchema: z.ZodMiniType<Req>,
  responseSchema: z.ZodMiniType<Res>,
  /** `response` decoded already (describeCallFailure read it first): it is parsed once. */
  decodedResponse?: EmbeddedObjectResult,
): TraceBodies<Req, Res> | { ok: false; result: NormaliseResult } {
  const fields = ctsTraceSchemas().CtsCreateKeyTraceSchema.safeParse(trace);
  if (!fields.success) return { ok: false, result: invalidFromZodError(fields.error, path) };
  const requestBody = decodeEmbeddedObject(trace['request'], `${path}request`);
  if (!requestBody.ok) return { ok: false, result: invalid(requestBody.reason, requestBody.detail) };
  const responseBody = decodedResponse ?? decodeEmbeddedObject(trace['response'], `${path}response`);
  if (!responseBody.ok) return { ok: false, result: invalid(responseBody.reason, responseBody.detail) };
  const request = requestSchema.safeParse(requestBody.value ?? {});
  if (!request.success) return { ok: false, result: invalidFromZodError(request.error, `${path}request.`) };
  const response = responseSchema.safeParse(responseBody.value ?? {});
  if (!response.success) return { ok: false, result: invalidFromZodError(response.error, `${path}response.`) };
  return { ok: true, fields: fields.data, request: request.data, response: response.data };
}
