/**
 * An HTTP transport for the KMS client on node:http / node:https with keep-alive agents. It was
 * the Lambda's until http1-transport.ts, which costs about half its CPU per request (fetch costs
 * about three times node:http: WHATWG streams, Request/Response/Headers objects;
 * docs/performance.md). It stays as the reference the transport contract tests run both against:
 * what the KMS client may expect of any HTTP client. It implements only what the KMS client asks
 * of `fetch`: a method, headers, a string body and an AbortSignal; never a redirect (node:http
 * does not follow them).
 *
 * Failures surface as fetch's do for the client: a rejected promise whose error carries the
 * socket code (`ECONNRESET`, `ECONNREFUSED`...; retryable, transport-error.ts), or the signal's
 * abort. The node modules are imported on the first request, as fetch loads undici on its first
 * call: a cold start does not pay for them before the first event.
 */
import type { Agent, IncomingHttpHeaders, IncomingMessage, RequestOptions } from 'node:http';

import type { HttpTransport, TransportInit, TransportResponse } from './http-transport.ts';
import { requestHeaderLines } from './request-header-lines.ts';

interface RequestFn {
  (url: URL, options: RequestOptions, callback: (res: IncomingMessage) => void): import('node:http').ClientRequest;
  (options: RequestOptions, callback: (res: IncomingMessage) => void): import('node:http').ClientRequest;
}

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
    const options: RequestOptions = {
      method: init.method,
      agent,
      ...(init.signal === undefined ? {} : { signal: init.signal }),
    };
    return new Promise<TransportResponse>((resolve, reject) => {
      const onResponse = (res: IncomingMessage): void => {
        let text = '';
        // Decoded as it comes (a character split across chunks is kept whole): no Buffer list to join.
        res.setEncoding('utf8');
        // The body is read at once, so text() is only a view of it (fetch reads it lazily).
        const body = new Promise<string>((resolveBody, rejectBody) => {
          res.on('data', (chunk: string) => {
            text += chunk;
          });
          res.once('end', () => resolveBody(text));
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
      };
      // Credentials in the URL (never in a KMS endpoint: endpoints.ts refuses them) take node:http's
      // own path, which turns them into an Authorization header.
      const req =
        url.username === '' && url.password === ''
          ? request({ ...options, ...targetOf(url), headers: headerLines(url, init) }, onResponse)
          : request(url, { ...options, headers: headerRecord(init) }, onResponse);
      req.on('error', reject);
      req.end(init.body);
    });
  };
}

/**
 * Where node:http sends the request, read from the URL's fields: what `http.request(url)` derives
 * with `urlToHttpOptions`, without its copy of every URL field per request.
 */
function targetOf(url: URL): RequestOptions {
  const { hostname } = url;
  return {
    protocol: url.protocol,
    // An IPv6 literal goes to the socket without its brackets (as urlToHttpOptions does).
    hostname: hostname.startsWith('[') ? hostname.slice(1, -1) : hostname,
    ...(url.port === '' ? {} : { port: Number(url.port) }),
    path: `${url.pathname}${url.search}`,
  };
}

/**
 * The request's header lines (request-header-lines.ts) as the flat `[name, value, ...]` list
 * node:http writes as given (each name and value still validated), instead of a `setHeader` per
 * header into its own map.
 */
function headerLines(url: URL, init: TransportInit): string[] {
  const { names, values } = requestHeaderLines(url, init);
  return names.flatMap((name, i) => [name, values[i] as string]);
}

/** The headers as a record for `setHeader`, with the body's length. */
function headerRecord(init: TransportInit): Record<string, string> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.body !== undefined) headers['content-length'] = String(Buffer.byteLength(init.body));
  return headers;
}

/** fetch's view of the headers: one string per name (only `set-cookie` comes as a list). */
function flatten(headers: IncomingHttpHeaders): Readonly<Record<string, string | undefined>> {
  let lists = false;
  for (const name in headers) if (Array.isArray(headers[name])) lists = true;
  // node:http's own object, when nothing needs joining: no copy per response.
  if (!lists) return headers as Readonly<Record<string, string | undefined>>;
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}
