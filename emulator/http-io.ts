// Reading request bodies and writing responses with the headers every Huawei answer carries:
// `X-Request-Id` and `Server: api-gateway` (docs/huawei-kms.md#error-bodies, from Cloud Custodian's recorded KMS responses).
import type { IncomingMessage, ServerResponse } from 'node:http';

/** AK/SK-signed bodies are limited to 12 MB by the gateway (docs/huawei-kms.md#error-codes, APIGW.0201 413). */
export const MAX_BODY_BYTES = 12 * 1024 * 1024;

/** The raw body bytes, or undefined when they exceed `limit` (the rest is drained and dropped). */
export function readBody(req: IncomingMessage, limit: number = MAX_BODY_BYTES): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
    req.on('close', () => {
      if (!req.complete) reject(new Error('request aborted by the client'));
    });
  });
}

/**
 * Writes the answer; returns false when the connection is already gone (client timed out or a
 * fault dropped it), in which case nothing is sent.
 */
export function sendResponse(
  res: ServerResponse,
  status: number,
  body: unknown,
  requestId: string,
  extraHeaders: Readonly<Record<string, string>> = {},
): boolean {
  if (res.destroyed || res.socket === null || res.socket.destroyed) return false;
  const headers: Record<string, string | number> = {
    'X-Request-Id': requestId,
    Server: 'api-gateway',
    ...extraHeaders,
  };
  if (body === undefined) {
    res.writeHead(status, headers).end();
    return true;
  }
  const payload = Buffer.from(JSON.stringify(body), 'utf8');
  headers['Content-Type'] = 'application/json;charset=UTF-8';
  headers['Content-Length'] = payload.length;
  res.writeHead(status, headers).end(payload);
  return true;
}
