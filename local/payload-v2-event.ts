import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** An HTTP request as node:http gives it. */
export interface PlainRequest {
  method: string;
  /** Path and query, e.g. `/?a=1`. */
  url: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: Buffer;
  sourceIp: string;
}

/** Content types a function URL passes as text; any other body arrives base64-encoded. */
const TEXT_TYPE = /^(text\/|application\/(json|[\w.+-]*\+json|xml|x-www-form-urlencoded|javascript))/i;

/**
 * The payload-v2 event a Lambda function URL builds from a request
 * (https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html): lower-case header names,
 * repeated headers joined with commas, cookies apart, a text body as is and anything else base64.
 */
export function toPayloadV2Event(request: PlainRequest, now = Date.now()): APIGatewayProxyEventV2 {
  const url = new URL(request.url, 'http://localhost');
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    if (key === 'cookie') {
      cookies = (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(/;\s*/));
      continue;
    }
    headers[key] = Array.isArray(value) ? value.join(',') : value;
  }
  const isText = TEXT_TYPE.test(headers['content-type'] ?? '');
  const query = url.searchParams.size === 0 ? undefined : Object.fromEntries(url.searchParams);
  const requestId = `local-${now.toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies === undefined ? {} : { cookies }),
    headers,
    ...(query === undefined ? {} : { queryStringParameters: query }),
    requestContext: {
      accountId: 'anonymous',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method: request.method,
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: '$default',
      stage: '$default',
      time: new Date(now).toISOString(),
      timeEpoch: now,
    },
    ...(request.body.length === 0
      ? {}
      : { body: isText ? request.body.toString('utf8') : request.body.toString('base64') }),
    isBase64Encoded: request.body.length > 0 && !isText,
  };
}

/** What a function URL answers for a handler's structured result. */
export function fromStructuredResult(result: APIGatewayProxyStructuredResultV2 | undefined): {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
} {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(result?.headers ?? {})) headers[name] = String(value);
  const text = result?.body ?? '';
  return {
    status: result?.statusCode ?? 200,
    headers,
    body: result?.isBase64Encoded ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8'),
  };
}
