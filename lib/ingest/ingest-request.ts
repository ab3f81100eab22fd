import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** One HTTP request to the ingest, independent of how it arrived. */
export interface IngestRequest {
  method: string;
  /** Lower-case names: HTTP/2 lower-cases them, and SMN's documented spelling is upper case. */
  headers: Readonly<Record<string, string>>;
  /** The body as UTF-8 text (base64 bodies decoded). */
  body: string;
  /** Size of the decoded body in bytes. */
  bodyBytes: number;
}

/**
 * Reads the payload-v2 event that both a Lambda function URL and an API Gateway HTTP API send.
 * Lambda base64-encodes bodies it does not consider text (`isBase64Encoded`).
 */
export function fromHttpEventV2(event: APIGatewayProxyEventV2): IngestRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  return {
    method: (event.requestContext?.http?.method ?? 'GET').toUpperCase(),
    headers,
    body: event.isBase64Encoded ? bytes.toString('utf8') : raw,
    bodyBytes: bytes.length,
  };
}
