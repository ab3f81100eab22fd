/**
 * Records HTTP traffic in this process through node:diagnostics_channel, whatever client made
 * it (the HTTP/1.1 transport, which the KMS client uses; node:http; undici/fetch, which the IAM
 * token client uses; the AWS SDK) and whichever server received it. Nothing is patched: the function runs unchanged.
 *
 * - Outgoing: method, destination (the socket's remote address), path, headers as sent, and
 *   the body for node:http (fetch hands undici a stream, so fetch bodies are not recorded).
 * - Incoming (per server): method, raw URL and headers exactly as the server received them.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HTTP1_REQUEST_CHANNEL, type Http1RequestMessage } from '../lib/huawei/http1-transport.ts';
import type { RecordedRequest } from './checks.ts';

/** A request as a server received it. */
export interface ReceivedRequest {
  /** Port of the server that received it. */
  serverPort: number;
  method: string;
  /** Path and query, raw. */
  url: string;
  headers: Record<string, string>;
}

export interface HttpRecorder {
  /** Outgoing requests; `url` is built from the protocol, the socket's remote address and the path. */
  readonly sent: RecordedRequest[];
  readonly received: ReceivedRequest[];
  clear(): void;
  stop(): void;
}

interface Pending {
  record: RecordedRequest;
  chunks: string[];
}

function lowerCaseHeaders(headers: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

/** undici gives headers as ["name", "value", ...] or as "name: value\r\n..." text. */
function undiciHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) out[String(headers[i]).toLowerCase()] = String(headers[i + 1]);
  } else if (typeof headers === 'string') {
    for (const line of headers.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) out[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
  }
  return out;
}

function text(chunk: unknown): string {
  if (typeof chunk === 'string') return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk).toString('utf8');
  return '';
}

export function startHttpRecorder(): HttpRecorder {
  const sent: RecordedRequest[] = [];
  const received: ReceivedRequest[] = [];
  const pending = new WeakMap<ClientRequest, Pending>();

  const onCreated = (message: unknown) => {
    const request = (message as { request: ClientRequest }).request;
    // Where it is going, as the request says; replaced by the socket's address once connected (a
    // request that never connects, given up by its deadline, keeps this one).
    const record: RecordedRequest = {
      url: `${request.protocol}//${String(request.getHeader('host') ?? request.host)}${request.path}`,
      method: request.method,
      headers: lowerCaseHeaders(request.getHeaders()),
      body: undefined,
    };
    const p: Pending = { record, chunks: [] };
    pending.set(request, p);
    sent.push(record);
    // The body is written after creation: keep a copy of what goes out (instance-level wrap).
    const write = request.write.bind(request) as (...args: unknown[]) => boolean;
    const end = request.end.bind(request) as (...args: unknown[]) => ClientRequest;
    Object.assign(request, {
      write: (chunk: unknown, ...rest: unknown[]) => {
        p.chunks.push(text(chunk));
        return write(chunk, ...rest);
      },
      end: (chunk?: unknown, ...rest: unknown[]) => {
        if (typeof chunk !== 'function') p.chunks.push(text(chunk));
        // Recorded now too: a request that never connects never reaches `finish`.
        const body = p.chunks.join('');
        p.record.body = body === '' ? undefined : body;
        return end(chunk, ...rest);
      },
    });
  };
  const finish = (request: ClientRequest) => {
    const p = pending.get(request);
    if (p === undefined) return;
    const socket = request.socket;
    const remote = socket?.remoteAddress === undefined ? request.host : socket.remoteAddress;
    const host = remote.includes(':') ? `[${remote}]` : remote;
    p.record.url = `${request.protocol}//${host}:${socket?.remotePort ?? '?'}${request.path}`;
    p.record.headers = lowerCaseHeaders(request.getHeaders());
    const body = p.chunks.join('');
    p.record.body = body === '' ? undefined : body;
  };
  const onStart = (message: unknown) => {
    const request = (message as { request: ClientRequest }).request;
    request.once('socket', (socket) => {
      if (socket.remotePort !== undefined) finish(request);
      else socket.once('connect', () => finish(request));
    });
  };
  const onResponse = (message: unknown) => finish((message as { request: ClientRequest }).request);
  const onUndici = (message: unknown) => {
    const request = (
      message as { request: { origin: string; method: string; path: string; headers: unknown; body: unknown } }
    ).request;
    sent.push({
      url: `${request.origin}${request.path}`,
      method: request.method,
      headers: undiciHeaders(request.headers),
      body: typeof request.body === 'string' || request.body instanceof Uint8Array ? text(request.body) : undefined,
    });
  };
  const onHttp1 = (message: unknown) => {
    const request = message as Http1RequestMessage;
    sent.push({
      url: `${request.origin}${request.path}`,
      method: request.method,
      headers: lowerCaseHeaders(request.headers),
      body: request.body,
    });
  };
  const onServer = (message: unknown) => {
    const { request, server } = message as { request: IncomingMessage; server: Server };
    const address = server.address() as AddressInfo | null;
    received.push({
      serverPort: address?.port ?? 0,
      method: request.method ?? '',
      url: request.url ?? '',
      headers: lowerCaseHeaders(request.headers),
    });
  };

  const channels: Array<[string, (message: unknown) => void]> = [
    ['http.client.request.created', onCreated],
    ['http.client.request.start', onStart],
    ['http.client.response.finish', onResponse],
    ['undici:request:create', onUndici],
    [HTTP1_REQUEST_CHANNEL, onHttp1],
    ['http.server.request.start', onServer],
  ];
  for (const [name, listener] of channels) subscribe(name, listener);
  return {
    sent,
    received,
    clear: () => {
      sent.length = 0;
      received.length = 0;
    },
    stop: () => {
      for (const [name, listener] of channels) unsubscribe(name, listener);
    },
  };
}
