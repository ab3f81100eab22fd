import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { KmsApiError } from '../../lib/errors/huawei-errors.ts';
import { createKmsClient } from '../../lib/huawei/kms-client.ts';
import { createNodeHttpTransport } from '../../lib/huawei/node-http-transport.ts';
import type { AuthProvider } from '../../lib/huawei/types.ts';
import { classifyError } from '../../lib/retry/classify-error.ts';
import { clearableTimeout } from '../../lib/signals/clearable-timeout.ts';
import { rejectionOf } from '../support/rejection-of.ts';

// The KMS client's node:http transport (createKmsFromConfig's default) against real sockets:
// what the client reads of a response, keep-alive, and every way a request can fail.

const PROJECT = '0123456789abcdef0123456789abcdef';
const KEY = 'bb6a3d22-dc93-47ac-b5bd-88df7ad35f1e';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  socket: Socket;
}

let server: Server | undefined;
afterEach(async () => {
  const s = server;
  server = undefined;
  if (s === undefined) return;
  s.closeAllConnections();
  await new Promise<void>((resolve) => s.close(() => resolve()));
});

async function serve(handle: (seen: Seen, res: ServerResponse) => void): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const entry = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, socket: req.socket };
      seen.push(entry);
      handle(entry, res);
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const auth: AuthProvider = { authorize: async (request) => ({ ...request.headers, authorization: 'test' }) };

function kmsClient(base: string, requestTimeoutMs = 1_000) {
  return createKmsClient({ endpointFor: () => base, auth, fetch: createNodeHttpTransport(), requestTimeoutMs });
}

describe('createNodeHttpTransport', () => {
  it('sends method, headers and body with its length, and returns status, lower-case headers and text', async () => {
    const { url, seen } = await serve((_, res) => {
      res.writeHead(201, { 'Content-Type': 'application/json', 'X-Request-Id': 'req-1' }).end('{"ok":"✓"}');
    });
    const transport = createNodeHttpTransport();
    const body = JSON.stringify({ alias: 'alias/é' });
    const response = await transport(new URL(`${url}/v1.0/x?a=b`), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Sdk-Date': 'd' },
      body,
    });
    expect(response.status).toBe(201);
    expect(response.headers).toMatchObject({ 'x-request-id': 'req-1', 'content-type': 'application/json' });
    expect(await response.text()).toBe('{"ok":"✓"}');
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/v1.0/x?a=b', body });
    expect(seen[0]?.headers).toMatchObject({
      'content-type': 'application/json',
      'x-sdk-date': 'd',
      'content-length': String(Buffer.byteLength(body)),
    });
  });

  it('sends each header once (the last of two spellings), with host and the body length as node:http sets them', async () => {
    const { url, seen } = await serve((_, res) => res.end('{}'));
    const transport = createNodeHttpTransport();
    const port = new URL(url).port;
    await (
      await transport(new URL(`${url}/a`), {
        method: 'POST',
        headers: { 'x-one': '1', 'X-One': '2', 'Content-Length': '999' },
        body: 'abc',
      })
    ).text();
    await (await transport(new URL(`${url}/b`), { method: 'POST', headers: { Host: `example.test:${port}` } })).text();
    await (await transport(new URL(`http://user:pw@127.0.0.1:${port}/c`), { method: 'GET', headers: {} })).text();
    expect(seen[0]?.headers).toMatchObject({ 'x-one': '2', 'content-length': '3', host: `127.0.0.1:${port}` });
    expect(seen[0]?.body).toBe('abc');
    expect(seen[1]?.headers).toMatchObject({ host: `example.test:${port}`, 'content-length': '0' });
    expect(seen[2]?.headers.authorization).toBe(`Basic ${Buffer.from('user:pw').toString('base64')}`);
  });

  it('keeps the connection alive between requests', async () => {
    const { url, seen } = await serve((_, res) => res.end('{}'));
    const transport = createNodeHttpTransport();
    for (let i = 0; i < 3; i++) await (await transport(new URL(url), { method: 'GET', headers: {} })).text();
    expect(seen).toHaveLength(3);
    expect(new Set(seen.map((s) => s.socket)).size).toBe(1);
  });

  it('returns error statuses as responses and follows no redirect', async () => {
    const { url, seen } = await serve((s, res) => {
      if (s.url === '/moved') res.writeHead(302, { Location: '/elsewhere' }).end();
      else res.writeHead(429).end('{"error_code":"APIGW.0308"}');
    });
    const transport = createNodeHttpTransport();
    expect((await transport(new URL(`${url}/moved`), { method: 'GET', headers: {}, redirect: 'manual' })).status).toBe(
      302,
    );
    const throttled = await transport(new URL(url), { method: 'GET', headers: {} });
    expect(throttled.status).toBe(429);
    expect(await throttled.text()).toContain('APIGW.0308');
    expect(seen.map((s) => s.url)).toEqual(['/moved', '/']);
  });

  it('does not send a request whose signal is already aborted, and rejects other protocols', async () => {
    const { url, seen } = await serve((_, res) => res.end('{}'));
    const transport = createNodeHttpTransport();
    const aborted = AbortSignal.abort(new DOMException('gone', 'AbortError'));
    expect(await rejectionOf(transport(new URL(url), { method: 'GET', headers: {}, signal: aborted }))).toMatchObject({
      name: 'AbortError',
    });
    expect(await rejectionOf(transport(new URL('ftp://127.0.0.1/'), { method: 'GET', headers: {} }))).toBeInstanceOf(
      TypeError,
    );
    expect(seen).toHaveLength(0);
  });
});

describe('the KMS client over node:http', () => {
  it('creates an alias and reads the request id', async () => {
    const { url, seen } = await serve((_, res) => {
      res
        .writeHead(200, { 'Content-Type': 'application/json', 'X-Request-Id': 'req-9' })
        .end(JSON.stringify({ alias: 'alias/a', key_id: KEY }));
    });
    const result = await kmsClient(url).createAlias({
      region: 'cn-north-4',
      projectId: PROJECT,
      keyId: KEY,
      alias: 'alias/a',
    });
    expect(result.requestId).toBe('req-9');
    expect(seen[0]).toMatchObject({ method: 'POST', url: `/v1.0/${PROJECT}/kms/aliases` });
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual({ key_id: KEY, alias: 'alias/a' });
  });

  it('maps a Huawei error body to a KmsApiError', async () => {
    const { url } = await serve((_, res) => {
      res
        .writeHead(429, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ error_code: 'APIGW.0308', error_msg: 'throttled', request_id: 'r' }));
    });
    const err = await rejectionOf(
      kmsClient(url).createAlias({ region: 'cn-north-4', projectId: PROJECT, keyId: KEY, alias: 'alias/a' }),
    );
    expect(err).toBeInstanceOf(KmsApiError);
    expect(err).toMatchObject({ status: 429, huaweiCode: 'APIGW.0308' });
    expect(classifyError(err)).toMatchObject({ kind: 'throttled', retryable: true });
  });

  it('times out a request that gets no answer (KMS_TIMEOUT, retryable)', async () => {
    const { url } = await serve(() => undefined);
    const err = await rejectionOf(
      kmsClient(url, 150).createAlias({ region: 'cn-north-4', projectId: PROJECT, keyId: KEY, alias: 'alias/a' }),
    );
    expect(err).toMatchObject({ code: 'KMS_TIMEOUT', status: 0 });
    expect(classifyError(err)).toMatchObject({ kind: 'timeout', retryable: true });
  });

  it('reports a reset connection as KMS_NETWORK with the socket code (retryable)', async () => {
    const { url } = await serve((s) => s.socket.resetAndDestroy());
    const err = await rejectionOf(
      kmsClient(url).createAlias({ region: 'cn-north-4', projectId: PROJECT, keyId: KEY, alias: 'alias/a' }),
    );
    expect(err).toMatchObject({ code: 'KMS_NETWORK', status: 0 });
    expect((err as Error).message).toContain('ECONNRESET');
    expect(classifyError(err)).toMatchObject({ kind: 'network', retryable: true });
  });

  it('reports a connection closed in the middle of the body as KMS_NETWORK', async () => {
    const { url } = await serve((s, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '100' });
      res.write('{"alias":');
      setTimeout(() => s.socket.destroy(), 20);
    });
    const err = await rejectionOf(
      kmsClient(url).createAlias({ region: 'cn-north-4', projectId: PROJECT, keyId: KEY, alias: 'alias/a' }),
    );
    expect(err).toMatchObject({ code: 'KMS_NETWORK', status: 0 });
  });

  it('reports a refused connection as KMS_NETWORK (ECONNREFUSED)', async () => {
    const { url } = await serve(() => undefined);
    const s = server;
    server = undefined;
    await new Promise<void>((resolve) => s?.close(() => resolve()));
    const err = await rejectionOf(
      kmsClient(url).createAlias({ region: 'cn-north-4', projectId: PROJECT, keyId: KEY, alias: 'alias/a' }),
    );
    expect(err).toMatchObject({ code: 'KMS_NETWORK' });
    expect((err as Error).message).toContain('ECONNREFUSED');
  });
});

describe('clearableTimeout', () => {
  it('aborts with a TimeoutError, like AbortSignal.timeout', async () => {
    const { signal } = clearableTimeout(10);
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    expect(signal.reason).toMatchObject({ name: 'TimeoutError' });
  });

  it('never aborts once cleared', async () => {
    const { signal, clear } = clearableTimeout(10);
    clear();
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(signal.aborted).toBe(false);
  });
});
