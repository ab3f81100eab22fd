/**
 * The KMS client's HTTP transport on node:http / node:https with keep-alive agents, used in
 * place of the global `fetch` (undici) by `createKmsFromConfig`. Per request, fetch costs about
 * three times the CPU of node:http (WHATWG streams, Request/Response/Headers objects), which made
 * the HTTP client the larger part of the handler's CPU per message; `npm run bench` measures both
 * (docs/performance.md). It implements only what the KMS client asks of `fetch`: a method,
 * headers, a string body and an AbortSignal; never a redirect (node:http does not follow them).
 *
 * Failures surface as fetch's do for the client: a rejected promise whose error carries the
 * socket code (`ECONNRESET`, `ECONNREFUSED`...; retryable, transport-error.ts), or the signal's
 * abort. The node modules are imported on the first request, as fetch loads undici on its first
 * call: a cold start does not pay for them before the first event.
 */
import type { Agent, IncomingHttpHeaders, IncomingMessage, RequestOptions } from 'node:http';

export interface TransportInit {
  method: string;
  headers: Readonly<Record<string, string>>;
  body?: string;
  signal?: AbortSignal;
  /** Accepted for fetch compatibility; node:http never follows a redirect. */
  redirect?: 'manual';
}

export interface TransportResponse {
  status: number;
  /** fetch's `Headers`, or (this transport) a record with lower-case names, as node:http gives them. */
  headers: Headers | Readonly<Record<string, string | undefined>>;
  text(): Promise<string>;
}

/** The slice of `fetch` the KMS client uses; the global fetch fits it too. */
export type HttpTransport = (url: URL, init: TransportInit) => Promise<TransportResponse>;

type RequestFn = (
  url: URL,
  options: RequestOptions,
  callback: (res: IncomingMessage) => void,
) => import('node:http').ClientRequest;

interface Protocol {
  request: RequestFn;
  agent: Agent;
}

/** One transport: its own keep-alive agents (one per protocol), loaded on first use. */
export function createNodeHttpTransport(): HttpTransport {
  let http: Promise<Protocol> | undefined;
  let https: Promise<Protocol> | undefined;
  const protocolOf = (url: URL): Promise<Protocol> => {
    if (url.protocol === 'https:') {
      return (https ??= import('node:https').then((m) => ({
        request: m.request,
        agent: new m.Agent({ keepAlive: true }),
      })));
    }
    if (url.protocol === 'http:') {
      return (http ??= import('node:http').then((m) => ({
        request: m.request,
        agent: new m.Agent({ keepAlive: true }),
      })));
    }
    return Promise.reject(new TypeError(`unsupported protocol ${url.protocol}`));
  };

  return async (url, init) => {
    const { request, agent } = await protocolOf(url);
    init.signal?.throwIfAborted();
    const headers: Record<string, string> = { ...init.headers };
    if (init.body !== undefined) headers['content-length'] = String(Buffer.byteLength(init.body));
    return new Promise<TransportResponse>((resolve, reject) => {
      const req = request(
        url,
        { method: init.method, headers, agent, ...(init.signal === undefined ? {} : { signal: init.signal }) },
        (res) => {
          const chunks: Buffer[] = [];
          // The body is read at once, so text() is only a view of it (fetch reads it lazily).
          const body = new Promise<string>((resolveBody, rejectBody) => {
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.once('end', () => resolveBody(Buffer.concat(chunks).toString('utf8')));
            res.on('error', rejectBody);
            res.once('close', () => {
              if (!res.complete)
                rejectBody(
                  Object.assign(new Error('connection closed before the response ended'), { code: 'ECONNRESET' }),
                );
            });
          });
          body.catch(() => undefined);
          resolve({ status: res.statusCode ?? 0, headers: flatten(res.headers), text: () => body });
        },
      );
      req.on('error', reject);
      req.end(init.body);
    });
  };
}

function flatten(headers: IncomingHttpHeaders): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}
