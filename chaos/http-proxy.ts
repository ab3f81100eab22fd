// A small HTTP proxy on 127.0.0.1 that forwards to one upstream and can fail chosen requests:
// the chaos run puts it in front of fauxqs (DLQ send faults) and, in token mode, in front of the
// emulator's IAM endpoint (to learn the tokens it issues, for the secret-leak check). The real
// SDK talks to the real server through it; only the decided requests are failed.
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What to do with one request. */
export type ProxyAction =
  | { kind: 'forward' }
  /** Answer with this status and body; the upstream never sees the request. */
  | { kind: 'status'; status: number; body: string; contentType?: string }
  /** TCP RST before anything reaches the upstream. */
  | { kind: 'reset' }
  /** Never answer (until the client gives up or the proxy stops); the upstream never sees it. */
  | { kind: 'hang' };

export interface ProxyRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface ProxyOptions {
  /** e.g. `http://127.0.0.1:4566`. */
  upstream: string;
  decide?: (request: ProxyRequest) => ProxyAction;
  /** Sees every forwarded answer's status and headers. */
  onResponse?: (request: ProxyRequest, status: number, headers: IncomingHttpHeaders) => void;
}

export interface HttpProxy {
  url: string;
  stop(): Promise<void>;
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startHttpProxy(options: ProxyOptions): Promise<HttpProxy> {
  const upstream = new URL(options.upstream);
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    void (async () => {
      let body: Buffer;
      try {
        body = await readAll(req);
      } catch {
        return;
      }
      const request: ProxyRequest = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body };
      const action = options.decide?.(request) ?? { kind: 'forward' };
      if (action.kind === 'reset') {
        req.socket.resetAndDestroy();
        return;
      }
      if (action.kind === 'hang') return;
      if (action.kind === 'status') {
        res.writeHead(action.status, { 'content-type': action.contentType ?? 'application/json' }).end(action.body);
        return;
      }
      const headers = { ...req.headers, host: upstream.host };
      const forwarded = httpRequest(
        { host: upstream.hostname, port: upstream.port, method: request.method, path: request.path, headers },
        (answer) => {
          options.onResponse?.(request, answer.statusCode ?? 0, answer.headers);
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forwarded.on('error', () => req.socket.destroy());
      forwarded.end(body);
    })();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
