import { spawn } from 'node:child_process';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { getEventListeners } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import {
  type AddressInfo,
  createServer as createNetServer,
  connect as netConnect,
  type Server as NetServer,
  type Socket,
} from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTlsIdentity, type TlsIdentity } from '../../emulator/self-signed-cert.ts';
import { KmsApiError } from '../../lib/errors/huawei-errors.ts';
import { createHttp1Transport, HTTP1_REQUEST_CHANNEL } from '../../lib/huawei/http1-transport.ts';
import { createKmsClient } from '../../lib/huawei/kms-client.ts';
import type { HttpTransport } from '../../lib/huawei/http-transport.ts';
import { createNodeHttpTransport } from '../../lib/huawei/node-http-transport.ts';
import { headerValue } from '../../lib/huawei/parse-huawei-error.ts';
import type { AuthProvider } from '../../lib/huawei/types.ts';
import { classifyError } from '../../lib/retry/classify-error.ts';
import { clearableTimeout } from '../../lib/signals/clearable-timeout.ts';
import { rejectionOf } from '../support/rejection-of.ts';

// The KMS client's HTTP transports against real sockets: the one createKmsFromConfig uses
// (http1-transport.ts, HTTP/1.1 written on net/tls) and the node:http one it replaced, which
// must keep the same contract: what the client reads of a response, keep-alive, and every way
// a request can fail. Then what only the HTTP/1.1 transport does itself: framing, its pool, TLS.

const PROJECT = '0123456789abcdef0123456789abcdef';
const KEY = 'bb6a3d22-dc93-47ac-b5bd-88df7ad35f1e';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  rawHeaders: string[];
  body: string;
  socket: Socket;
}

/** Every server a test started, and the sockets it accepted: closed after each test. */
let servers: Array<Server | NetServer> = [];
let accepted: Socket[] = [];
afterEach(async () => {
  const open = servers;
  servers = [];
  for (const socket of accepted) socket.destroy();
  accepted = [];
  await Promise.all(open.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

async function listen(s: Server | NetServer, host = '127.0.0.1'): Promise<number> {
  servers.push(s);
  s.on('connection', (socket: Socket) => accepted.push(socket));
  await new Promise<void>((resolve) => s.listen(0, host, resolve));
  return (s.address() as AddressInfo).port;
}

/** The sockets a server accepted and which of them closed, as the server saw them. */
function trackSockets(s: Server | NetServer): { opened: Socket[]; closed: Set<Socket> } {
  const opened: Socket[] = [];
  const closed = new Set<Socket>();
  // A TLS server's 'connection' is its TCP socket, also what it closes.
  s.on('connection', (socket: Socket) => {
    opened.push(socket);
    socket.on('close', () => closed.add(socket));
  });
  return { opened, closed };
}

function onRequest(seen: Seen[], handle: (seen: Seen, res: ServerResponse) => void) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const entry = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        body,
        socket: req.socket,
      };
      seen.push(entry);
      handle(entry, res);
    });
  };
}

async function serve(handle: (seen: Seen, res: ServerResponse) => void) {
  const seen: Seen[] = [];
  const server = createServer(onRequest(seen, handle));
  const sockets = trackSockets(server);
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, seen, server, sockets };
}

/** A server that answers raw bytes: `answer(request, socket, index)` for each request head it receives on a socket. */
async function serveRaw(answer: (request: string, socket: Socket, index: number) => void) {
  const server = createNetServer((socket) => {
    let buffered = '';
    let index = 0;
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      for (let end = buffered.indexOf('\r\n\r\n'); end >= 0; end = buffered.indexOf('\r\n\r\n')) {
        const head = buffered.slice(0, end);
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        const request = buffered.slice(0, end + 4 + length);
        buffered = buffered.slice(end + 4 + length);
        answer(request, socket, index++);
      }
    });
  });
  const sockets = trackSockets(server);
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, sockets };
}

const auth: AuthProvider = { authorize: async (request) => ({ ...request.headers, authorization: 'test' }) };

const createAlias = (base: string, transport: HttpTransport, requestTimeoutMs = 1_000) =>
  createKmsClient({ endpointFor: () => base, auth, fetch: transport, requestTimeoutMs }).createAlias({
    region: 'cn-north-4',
    projectId: PROJECT,
    keyId: KEY,
    alias: 'alias/a',
  });

/** One request; the answer's headers as a record whatever the transport gives (http1's Map, node:http's record). */
const get = async (transport: HttpTransport, url: string, init: Partial<Parameters<HttpTransport>[1]> = {}) => {
  const response = await transport(new URL(url), { method: 'GET', headers: {}, ...init });
  const { headers } = response;
  return {
    status: response.status,
    headers: headers instanceof Map ? Object.fromEntries(headers) : headers,
    text: await response.text(),
  };
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Whether a TLS ClientHello (RFC 8446 section 4.1.2, the first record a client sends) offers a
 * session to resume: a `pre_shared_key` extension (TLS 1.3) or a non-empty `session_ticket` (TLS 1.2).
 */
function offersSession(hello: Buffer): boolean {
  // Record header (5), handshake header (4), legacy_version (2), random (32).
  let at = 43;
  at += 1 + hello.readUInt8(at);
  at += 2 + hello.readUInt16BE(at);
  at += 1 + hello.readUInt8(at);
  const end = at + 2 + hello.readUInt16BE(at);
  for (at += 2; at + 4 <= end; at += 4 + hello.readUInt16BE(at + 2)) {
    const type = hello.readUInt16BE(at);
    if (type === 0x29 || (type === 0x23 && hello.readUInt16BE(at + 2) > 0)) return true;
  }
  return false;
}

const TRANSPORTS: Array<[string, () => HttpTransport]> = [
  ['createHttp1Transport', () => createHttp1Transport()],
  ['createNodeHttpTransport', () => createNodeHttpTransport()],
];

describe.each(TRANSPORTS)('%s: the transport contract', (_, createTransport) => {
  it('sends method, headers and body with its length, and returns status, lower-case headers and text', async () => {
    const { url, seen } = await serve((_, res) => {
      res.writeHead(201, { 'Content-Type': 'application/json', 'X-Request-Id': 'req-1' }).end('{"ok":"✓"}');
    });
    const transport = createTransport();
    const body = JSON.stringify({ alias: 'alias/é' });
    const response = await transport(new URL(`${url}/v1.0/x?a=b`), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Sdk-Date': 'd' },
      body,
    });
    expect(response.status).toBe(201);
    // Read as the KMS client reads them, whatever the transport's shape (http1: a Map; node:http: a record).
    expect(headerValue(response.headers, 'X-Request-Id')).toBe('req-1');
    expect(headerValue(response.headers, 'content-type')).toBe('application/json');
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
    const transport = createTransport();
    const port = new URL(url).port;
    await get(transport, `${url}/a`, {
      method: 'POST',
      headers: { 'x-one': '1', 'X-One': '2', 'Content-Length': '999' },
      body: 'abc',
    });
    await get(transport, `${url}/b`, { method: 'POST', headers: { Host: `example.test:${port}` } });
    await get(transport, `${url}/c`, { method: 'DELETE' });
    await get(transport, `${url}/d`, { method: 'PUT', headers: { 'x-b': 'v' }, body: 'é' });
    expect(seen[0]?.headers).toMatchObject({ 'x-one': '2', 'content-length': '3', host: `127.0.0.1:${port}` });
    expect(seen[0]?.rawHeaders?.filter((h) => h.toLowerCase() === 'x-one')).toEqual(['X-One']);
    expect(seen[0]?.body).toBe('abc');
    expect(seen[1]?.headers).toMatchObject({ host: `example.test:${port}`, 'content-length': '0' });
    expect(seen[2]?.headers['content-length']).toBeUndefined();
    expect(seen[3]?.headers).toMatchObject({ 'x-b': 'v', 'content-length': '2' });
    expect(seen[3]?.body).toBe('é');
  });

  it('keeps the connection alive between requests', async () => {
    const { url, seen } = await serve((_, res) => res.end('{}'));
    const transport = createTransport();
    for (let i = 0; i < 3; i++) await get(transport, url);
    expect(seen).toHaveLength(3);
    expect(new Set(seen.map((s) => s.socket)).size).toBe(1);
  });

  it('reaches an IPv6 literal, its brackets kept in Host only', async () => {
    const seen: Seen[] = [];
    const port = await listen(createServer(onRequest(seen, (_, res) => res.end('{}'))), '::1');
    const transport = createTransport();
    expect((await get(transport, `http://[::1]:${port}/v6`)).status).toBe(200);
    expect((await get(transport, `http://[::1]:${port}/v6`)).status).toBe(200);
    expect(seen.map((s) => s.headers.host)).toEqual([`[::1]:${port}`, `[::1]:${port}`]);
    expect(seen[1]?.socket).toBe(seen[0]?.socket);
  });

  it('returns error statuses as responses and follows no redirect', async () => {
    const { url, seen } = await serve((s, res) => {
      if (s.url === '/moved') res.writeHead(302, { Location: '/elsewhere' }).end();
      else res.writeHead(429).end('{"error_code":"APIGW.0308"}');
    });
    const transport = createTransport();
    expect((await get(transport, `${url}/moved`, { redirect: 'manual' })).status).toBe(302);
    const throttled = await get(transport, url);
    expect(throttled.status).toBe(429);
    expect(throttled.text).toContain('APIGW.0308');
    expect(seen.map((s) => s.url)).toEqual(['/moved', '/']);
  });

  it('does not send a request whose signal is already aborted, and rejects other protocols', async () => {
    const { url, seen } = await serve((_, res) => res.end('{}'));
    const transport = createTransport();
    const aborted = AbortSignal.abort(new DOMException('gone', 'AbortError'));
    expect(await rejectionOf(get(transport, url, { signal: aborted }))).toMatchObject({ name: 'AbortError' });
    expect(await rejectionOf(get(transport, 'ftp://127.0.0.1/'))).toBeInstanceOf(TypeError);
    expect(seen).toHaveLength(0);
  });

  it('rejects a header that would inject a line, without sending anything or echoing the value', async () => {
    const { url, seen, sockets } = await serve((_, res) => res.end('{}'));
    const transport = createTransport();
    const secret = 'tok3n-SECRET';
    for (const value of [`${secret}\r\nX-Injected: 1`, `${secret}\n`, `${secret}\r`, `${secret}\0`]) {
      const err = await rejectionOf(get(transport, url, { headers: { 'X-Security-Token': value } }));
      expect(err).toBeInstanceOf(TypeError);
      expect(err).toMatchObject({ code: 'ERR_INVALID_CHAR' });
      expect((err as Error).message).not.toContain(secret);
    }
    expect(await rejectionOf(get(transport, url, { headers: { 'X-A\r\nX-B': 'v' } }))).toMatchObject({
      code: 'ERR_INVALID_HTTP_TOKEN',
    });
    expect(await rejectionOf(get(transport, url, { method: 'GET / HTTP/1.1\r\nX:' }))).toMatchObject({
      code: 'ERR_INVALID_HTTP_TOKEN',
    });
    expect(seen).toHaveLength(0);
    expect(sockets.opened).toHaveLength(0);
  });

  it('destroys the socket of a request aborted in flight, and the next request gets a new one', async () => {
    const { url, seen, sockets } = await serve((s, res) => {
      if (s.url !== '/hang') res.end('{}');
    });
    const transport = createTransport();
    await get(transport, `${url}/first`);
    const controller = new AbortController();
    const pending = rejectionOf(get(transport, `${url}/hang`, { signal: controller.signal }));
    while (seen.length < 2) await sleep(5);
    controller.abort(new DOMException('stop', 'AbortError'));
    // node:http rejects with its own AbortError, the HTTP/1.1 transport with the signal's reason.
    expect(await pending).toMatchObject({ name: 'AbortError' });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect((await get(transport, `${url}/after`)).status).toBe(200);
    expect(sockets.opened).toHaveLength(2);
    await sleep(20);
    expect(sockets.closed.has(sockets.opened[0] as Socket)).toBe(true);
  });

  it('removes its abort listener once the response is read', async () => {
    const { url } = await serve((_, res) => res.end('{}'));
    const transport = createTransport();
    const controller = new AbortController();
    await get(transport, url, { signal: controller.signal });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  describe('the KMS client over it', () => {
    it('creates an alias and reads the request id', async () => {
      const { url, seen } = await serve((_, res) => {
        res
          .writeHead(200, { 'Content-Type': 'application/json', 'X-Request-Id': 'req-9' })
          .end(JSON.stringify({ alias: 'alias/a', key_id: KEY }));
      });
      const result = await createAlias(url, createTransport());
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
      const err = await rejectionOf(createAlias(url, createTransport()));
      expect(err).toBeInstanceOf(KmsApiError);
      expect(err).toMatchObject({ status: 429, huaweiCode: 'APIGW.0308' });
      expect(classifyError(err)).toMatchObject({ kind: 'throttled', retryable: true });
    });

    it('times out a request that gets no answer (KMS_TIMEOUT, retryable)', async () => {
      const { url } = await serve(() => undefined);
      const err = await rejectionOf(createAlias(url, createTransport(), 150));
      expect(err).toMatchObject({ code: 'KMS_TIMEOUT', status: 0 });
      expect(classifyError(err)).toMatchObject({ kind: 'timeout', retryable: true });
    });

    it('reports a reset connection as KMS_NETWORK with the socket code (retryable)', async () => {
      const { url } = await serve((s) => s.socket.resetAndDestroy());
      const err = await rejectionOf(createAlias(url, createTransport()));
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
      const err = await rejectionOf(createAlias(url, createTransport()));
      expect(err).toMatchObject({ code: 'KMS_NETWORK', status: 0 });
      expect((err as Error).message).toContain('ECONNRESET');
    });

    it('reports a refused connection as KMS_NETWORK (ECONNREFUSED)', async () => {
      const { url, server } = await serve(() => undefined);
      servers = [];
      await new Promise<void>((resolve) => server.close(() => resolve()));
      const err = await rejectionOf(createAlias(url, createTransport()));
      expect(err).toMatchObject({ code: 'KMS_NETWORK' });
      expect((err as Error).message).toContain('ECONNREFUSED');
    });
  });
});

describe('createNodeHttpTransport', () => {
  it('turns credentials in the URL into a Basic Authorization header, as node:http does', async () => {
    const { url, seen } = await serve((_, res) => res.end('{}'));
    await get(createNodeHttpTransport(), `http://user:pw@127.0.0.1:${new URL(url).port}/c`);
    expect(seen[0]?.headers.authorization).toBe(`Basic ${Buffer.from('user:pw').toString('base64')}`);
  });
});

describe('createHttp1Transport', () => {
  it('refuses credentials in the URL with a TypeError, without connecting', async () => {
    const { url, sockets } = await serve((_, res) => res.end('{}'));
    const err = await rejectionOf(get(createHttp1Transport(), `http://user:pw@127.0.0.1:${new URL(url).port}/`));
    expect(err).toBeInstanceOf(TypeError);
    expect((err as Error).message).not.toContain('pw');
    expect(sockets.opened).toHaveLength(0);
  });

  it('sends header values as latin1 and the body as UTF-8 (node:http sends both as UTF-8 when written together)', async () => {
    const { url, seen } = await serve((_, res) => res.end('{}'));
    await get(createHttp1Transport(), url, { method: 'PUT', headers: { 'x-latin1': 'caf\u00e9' }, body: 'é' });
    expect(seen[0]?.headers).toMatchObject({ 'x-latin1': 'caf\u00e9', 'content-length': '2' });
    expect(seen[0]?.body).toBe('é');
  });

  it('rejects a request aborted in flight with the reason of its signal', async () => {
    const { url } = await serve(() => undefined);
    const controller = new AbortController();
    const pending = rejectionOf(get(createHttp1Transport(), url, { signal: controller.signal }));
    await sleep(20);
    const reason = new Error('mine');
    controller.abort(reason);
    expect(await pending).toBe(reason);
  });

  it('publishes each request as written on its diagnostics channel, for tools that watch the traffic', async () => {
    const { url } = await serve((_, res) => res.end('{}'));
    const published: unknown[] = [];
    const listener = (message: unknown) => published.push(message);
    subscribe(HTTP1_REQUEST_CHANNEL, listener);
    try {
      await get(createHttp1Transport(), `${url}/v1.0/p?x=1`, { method: 'POST', headers: { 'X-A': 'a' }, body: 'é' });
    } finally {
      unsubscribe(HTTP1_REQUEST_CHANNEL, listener);
    }
    expect(published).toEqual([
      {
        method: 'POST',
        origin: url,
        path: '/v1.0/p?x=1',
        headers: { 'X-A': 'a', Host: new URL(url).host, 'Content-Length': '2' },
        body: 'é',
      },
    ]);
  });

  it('names no header, not even an invalid name, in its error', async () => {
    const err = await rejectionOf(get(createHttp1Transport(), 'http://127.0.0.1:1/', { headers: { 'tok3n: x': 'v' } }));
    expect(err).toMatchObject({ code: 'ERR_INVALID_HTTP_TOKEN' });
    expect((err as Error).message).not.toContain('tok3n');
  });

  it('reads chunked answers, with the connection kept alive', async () => {
    const { url, seen } = await serve((_, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"alias":');
      setTimeout(() => res.end('"é"}'), 5);
    });
    const transport = createHttp1Transport();
    const first = await get(transport, url);
    expect(first.headers).toMatchObject({ 'transfer-encoding': 'chunked' });
    expect(first.text).toBe('{"alias":"é"}');
    expect((await get(transport, url)).text).toBe('{"alias":"é"}');
    expect(new Set(seen.map((s) => s.socket)).size).toBe(1);
  });

  it('reads a large body and a HEAD answer, and skips 100 Continue', async () => {
    const big = 'x'.repeat(1_000_000);
    const { url, seen } = await serve((s, res) => {
      if (s.url === '/continue') res.writeContinue();
      if (s.method === 'HEAD') res.writeHead(200, { 'Content-Length': '42' }).end();
      else res.end(s.url === '/big' ? big : 'done');
    });
    const transport = createHttp1Transport();
    expect((await get(transport, `${url}/big`)).text).toHaveLength(big.length);
    const head = await get(transport, url, { method: 'HEAD' });
    expect(head).toMatchObject({ status: 200, text: '', headers: { 'content-length': '42' } });
    expect(await get(transport, `${url}/continue`)).toMatchObject({ status: 200, text: 'done' });
    expect(new Set(seen.map((s) => s.socket)).size).toBe(1);
  });

  it('refuses a body over its cap', async () => {
    const { url } = await serve((_, res) => res.end('x'.repeat(2_000)));
    const err = await rejectionOf(get(createHttp1Transport({ maxBodyBytes: 1_000 }), url));
    expect(err).toMatchObject({ code: 'HPE_BODY_TOO_LARGE' });
  });

  it('does not reuse a connection after Connection: close, nor one read until close', async () => {
    const { url, sockets } = await serveRaw((request, socket, index) => {
      if (request.startsWith('GET /close'))
        socket.write('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok');
      else if (index === 0) {
        socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil ');
        setTimeout(() => socket.end('close'), 5);
      }
    });
    const transport = createHttp1Transport();
    expect((await get(transport, `${url}/close`)).text).toBe('ok');
    expect((await get(transport, `${url}/close`)).text).toBe('ok');
    expect((await get(transport, `${url}/eof`)).text).toBe('until close');
    expect((await get(transport, `${url}/close`)).text).toBe('ok');
    expect(sockets.opened).toHaveLength(4);
    await sleep(20);
    expect(sockets.closed.size).toBe(4);
  });

  it('does not reuse a connection with bytes after the response', async () => {
    const { url, sockets } = await serveRaw((_, socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nspoof');
    });
    const transport = createHttp1Transport();
    expect((await get(transport, url)).text).toBe('ok');
    expect((await get(transport, url)).text).toBe('ok');
    expect(sockets.opened).toHaveLength(2);
  });

  it('rejects a response that is not HTTP/1.1 with an llhttp-style code (KMS_NETWORK, retryable)', async () => {
    const { url } = await serveRaw((_, socket) => socket.write('SSH-2.0-OpenSSH\r\n\r\n'));
    expect(await rejectionOf(get(createHttp1Transport(), url))).toMatchObject({ code: 'HPE_INVALID_STATUS' });
    const err = await rejectionOf(createAlias(url, createHttp1Transport()));
    expect(err).toMatchObject({ code: 'KMS_NETWORK' });
    expect((err as Error).message).toContain('HPE_INVALID_STATUS');
    expect(classifyError(err)).toMatchObject({ kind: 'network', retryable: true });
  });

  it('opens a new socket when the server closed an idle kept-alive one', async () => {
    // As a server's keep-alive timeout does: it closes the socket some time after its answer.
    const { url, sockets } = await serveRaw((_, socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      setTimeout(() => socket.end(), 30);
    });
    const transport = createHttp1Transport();
    await get(transport, url);
    await sleep(100);
    expect(sockets.closed.has(sockets.opened[0] as Socket)).toBe(true);
    expect((await get(transport, url)).text).toBe('ok');
    expect(sockets.opened).toHaveLength(2);
  });

  it('closes a socket idle longer than idleMs, by its timer', async () => {
    const { url, seen, sockets } = await serve((_, res) => res.end('{}'));
    const transport = createHttp1Transport({ idleMs: 40 });
    await get(transport, url);
    await get(transport, url);
    expect(sockets.opened).toHaveLength(1);
    await sleep(150);
    expect(sockets.closed.has(sockets.opened[0] as Socket)).toBe(true);
    await get(transport, url);
    expect(new Set(seen.map((s) => s.socket)).size).toBe(2);
  });

  it('checks the idle age when it takes a socket (a frozen Lambda runs no timer)', async () => {
    const { url, sockets } = await serve((_, res) => res.end('{}'));
    let clock = 1_000_000;
    const transport = createHttp1Transport({ idleMs: 4_000, now: () => clock });
    await get(transport, url);
    clock += 3_999;
    await get(transport, url);
    expect(sockets.opened).toHaveLength(1);
    clock += 4_000;
    await get(transport, url);
    expect(sockets.opened).toHaveLength(2);
    await sleep(20);
    expect(sockets.closed.has(sockets.opened[0] as Socket)).toBe(true);
  });

  it.each([
    ['closes', (socket: Socket) => socket.end()],
    ['resets', (socket: Socket) => socket.resetAndDestroy()],
  ])('rejects with ECONNRESET (retryable) when the server %s a reused socket on the next request', async (_, close) => {
    const { url } = await serveRaw((_, socket, index) => {
      if (index === 0) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      else close(socket);
    });
    const transport = createHttp1Transport();
    expect((await get(transport, url)).text).toBe('ok');
    const err = await rejectionOf(get(transport, url));
    expect(err).toMatchObject({ code: 'ECONNRESET' });
    expect(classifyError(err)).toMatchObject({ kind: 'network', retryable: true });
    // The next request connects again and is answered.
    expect((await get(transport, url)).text).toBe('ok');
  });

  it('rejects with ECONNRESET a request written on a socket whose close it had not yet read (a thawed Lambda)', async () => {
    const { url, sockets } = await serveRaw((_, socket) =>
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'),
    );
    const transport = createHttp1Transport();
    expect((await get(transport, url)).text).toBe('ok');
    // The server closes the idle socket while this process does not run (frozen): its FIN
    // waits unread when the next request takes the socket from the pool.
    sockets.opened[0]?.destroy();
    const until = Date.now() + 30;
    while (Date.now() < until);
    const err = await rejectionOf(get(transport, url, { method: 'POST', body: '{}' }));
    expect(err).toMatchObject({ code: 'ECONNRESET' });
    expect(classifyError(err)).toMatchObject({ kind: 'network', retryable: true });
    expect((await get(transport, url)).text).toBe('ok');
    expect(sockets.opened).toHaveLength(2);
  });

  it('keeps the listeners on its socket and on a shared signal flat over many requests', async () => {
    const { url } = await serve((_, res) => res.end('{}'));
    const clientSockets: Socket[] = [];
    const onSocket = (message: unknown) => clientSockets.push((message as { socket: Socket }).socket);
    subscribe('net.client.socket', onSocket);
    const transport = createHttp1Transport();
    const controller = new AbortController();
    const counts = new Set<string>();
    try {
      for (let i = 0; i < 50; i++) {
        await get(transport, url, { method: 'POST', body: '{}', signal: controller.signal });
        const socket = clientSockets[0] as Socket;
        const onSocket = socket.eventNames().map((name) => `${String(name)}:${socket.listenerCount(name)}`);
        counts.add([...onSocket, `abort:${getEventListeners(controller.signal, 'abort').length}`].join(' '));
      }
    } finally {
      unsubscribe('net.client.socket', onSocket);
    }
    expect(clientSockets).toHaveLength(1);
    expect([...counts]).toHaveLength(1);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('opens one socket per concurrent request and reuses them, the last returned first', async () => {
    const { url, seen, sockets } = await serve((_, res) => setTimeout(() => res.end('{}'), 10));
    const transport = createHttp1Transport();
    await Promise.all(Array.from({ length: 10 }, () => get(transport, url)));
    await Promise.all(Array.from({ length: 10 }, () => get(transport, url)));
    expect(sockets.opened).toHaveLength(10);
    const last = seen[19]?.socket;
    await get(transport, url);
    expect(seen[20]?.socket).toBe(last);
  });

  it('keeps separate pools per origin', async () => {
    const a = await serve((_, res) => res.end('a'));
    const b = await serve((_, res) => res.end('b'));
    const transport = createHttp1Transport();
    for (let i = 0; i < 2; i++) {
      expect((await get(transport, a.url)).text).toBe('a');
      expect((await get(transport, b.url)).text).toBe('b');
    }
    expect([a.sockets.opened.length, b.sockets.opened.length]).toEqual([1, 1]);
  });

  it('never keeps the process alive with an idle pool', async () => {
    const { url, seen } = await serve((_, res) => res.end('{}'));
    const script = `
      const { createHttp1Transport } = await import(${JSON.stringify(new URL('../../lib/huawei/http1-transport.ts', import.meta.url).href)});
      const t = createHttp1Transport({ idleMs: 600000 });
      const r = await t(new URL(${JSON.stringify(url)}), { method: 'GET', headers: {} });
      console.log(r.status, await r.text());
    `;
    // Spawned, not spawnSync: the server answering it runs in this process.
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const timer = setTimeout(() => child.kill(), 8_000);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearTimeout(timer);
    expect({ code, stdout: stdout.trim(), stderr }).toEqual({ code: 0, stdout: '200 {}', stderr: '' });
    expect(seen).toHaveLength(1);
  });

  describe('over TLS', () => {
    // Certificates made in-process (no openssl command): self-signed, so `ca: cert` trusts them.
    let key: string;
    let cert: string;
    let other: TlsIdentity;
    beforeAll(() => {
      ({ key, cert } = createTlsIdentity({
        commonName: 'localhost',
        dnsNames: ['localhost'],
        ipAddresses: ['127.0.0.1'],
      }));
      other = createTlsIdentity({ commonName: 'other.test', dnsNames: ['other.test'] });
    });

    async function serveTls(identity?: TlsIdentity) {
      const { key: serverKey, cert: serverCert } = identity ?? { key, cert };
      const seen: Array<Seen & { servername: string | false; alpn: string | false | null }> = [];
      const server = createTlsServer(
        { key: serverKey, cert: serverCert, ALPNProtocols: ['h2', 'http/1.1'] },
        (req, res) => {
          const socket = req.socket as TLSSocket;
          onRequest(seen as Seen[], (s, r) => {
            Object.assign(s, { servername: socket.servername, alpn: socket.alpnProtocol });
            r.end('{"tls":true}');
          })(req, res);
        },
      );
      const sockets = trackSockets(server);
      const port = await listen(server);
      return { port, seen, sockets };
    }

    it('refuses a self-signed certificate by default (verification is on)', async () => {
      const { port, seen } = await serveTls();
      const err = await rejectionOf(get(createHttp1Transport(), `https://localhost:${port}/`));
      expect(err).toMatchObject({ code: expect.stringMatching(/SELF_SIGNED|CERT/) });
      const viaClient = await rejectionOf(createAlias(`https://127.0.0.1:${port}`, createHttp1Transport()));
      expect(viaClient).toMatchObject({ code: 'KMS_NETWORK' });
      expect(seen).toHaveLength(0);
    });

    it('accepts it with the ca option, sends SNI for a host name only, and asks for http/1.1 by ALPN', async () => {
      const { port, seen, sockets } = await serveTls();
      const transport = createHttp1Transport({ ca: cert });
      expect((await get(transport, `https://localhost:${port}/a`)).text).toBe('{"tls":true}');
      expect((await get(transport, `https://localhost:${port}/b`)).text).toBe('{"tls":true}');
      expect((await get(transport, `https://127.0.0.1:${port}/c`)).text).toBe('{"tls":true}');
      expect(seen.map((s) => [s.url, s.servername, s.alpn])).toEqual([
        ['/a', 'localhost', 'http/1.1'],
        ['/b', 'localhost', 'http/1.1'],
        ['/c', false, 'http/1.1'],
      ]);
      // localhost and 127.0.0.1 are two origins: two sockets, the first one reused.
      expect(sockets.opened).toHaveLength(2);
    });

    it('reads large answers on two sockets at once whole: every read is lent in one buffer, which the parser copies from', async () => {
      // Bodies of several TLS records each, written in pieces, on two connections in flight at
      // once: their reads interleave in the transport's one read buffer.
      const bodyOf = (path: string) => `${path}:${'0123456789abcdef'.repeat(12_000)}`;
      const server = createTlsServer({ key, cert }, (req, res) => {
        const body = Buffer.from(bodyOf(req.url ?? ''));
        res.writeHead(200, { 'Content-Length': body.length });
        for (let at = 0; at < body.length; at += 7_000) res.write(body.subarray(at, at + 7_000));
        res.end();
      });
      const port = await listen(server);
      const transport = createHttp1Transport({ ca: cert });
      const [a, b] = await Promise.all([
        get(transport, `https://localhost:${port}/a`),
        get(transport, `https://localhost:${port}/b`),
      ]);
      expect(a.text === bodyOf('/a')).toBe(true);
      expect(b.text === bodyOf('/b')).toBe(true);
      // A chunked answer, read the same way.
      const chunked = createTlsServer({ key, cert }, (req, res) => {
        const body = bodyOf(req.url ?? '');
        for (let at = 0; at < body.length; at += 9_000) res.write(body.slice(at, at + 9_000));
        res.end();
      });
      const chunkedPort = await listen(chunked);
      const c = await get(transport, `https://localhost:${chunkedPort}/c`);
      expect(c.headers['transfer-encoding']).toBe('chunked');
      expect(c.text === bodyOf('/c')).toBe(true);
    });

    it('does not offer again a TLS session whose resumption failed', async () => {
      // In front of the server, a relay that resets every connection offering a session to resume
      // (as a server or middlebox that lost the session's keys may fail it): offered again, the
      // session would fail every later connection to the origin.
      const { port: tlsPort } = await serveTls();
      const offered: boolean[] = [];
      const relay = createNetServer((client) => {
        client.on('error', () => undefined);
        client.once('data', (hello: Buffer) => {
          offered.push(offersSession(hello));
          if (offered.at(-1) === true) return void client.resetAndDestroy();
          const upstream = netConnect(tlsPort, '127.0.0.1');
          accepted.push(upstream);
          upstream.on('error', () => client.destroy());
          upstream.write(hello);
          client.pipe(upstream).pipe(client);
        });
      });
      const port = await listen(relay);
      const transport = createHttp1Transport({ ca: cert });
      const url = `https://localhost:${port}/`;
      // The server closes each connection after its answer: each request connects again.
      const answered = await get(transport, url, { headers: { Connection: 'close' } });
      expect(answered.text).toBe('{"tls":true}');
      expect(await rejectionOf(get(transport, url))).toMatchObject({ code: 'ECONNRESET' });
      expect((await get(transport, url)).text).toBe('{"tls":true}');
      expect(offered).toEqual([false, true, false]);
    });

    it('refuses a certificate whose names do not match the host', async () => {
      const { port, seen } = await serveTls(other);
      const err = await rejectionOf(get(createHttp1Transport({ ca: other.cert }), `https://127.0.0.1:${port}/`));
      expect(err).toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
      expect(seen).toHaveLength(0);
    });
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
