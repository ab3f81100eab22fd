/**
 * The KMS client's HTTP transport: HTTP/1.1 written on `net` / `tls` sockets, with a pool of
 * kept-alive connections per origin. It does what the KMS client asks of `fetch` (a method,
 * headers, a string body, an AbortSignal; never a redirect) and nothing else, which is why it
 * costs less CPU per request than node:http (lib/huawei/node-http-transport.ts, kept for
 * comparison) or undici: no streams, no IncomingMessage, no Agent bookkeeping. Measured per
 * message with 10 concurrent POSTs against a local server: node:http 0.153 ms, undici's
 * `Pool.request` 0.112 ms, an exchange written on `net.Socket` 0.062 ms.
 *
 * What it sends (RFC 9112 sections 3 and 6): one write holding the request line, the headers as
 * given, `Host` unless given, `Content-Length` for a body (replacing a given one) or
 * `Content-Length: 0` where node:http sends it, then the body. Every method, path, header name
 * and value is checked first, with node:http's rules and error codes (`ERR_INVALID_HTTP_TOKEN`,
 * `ERR_INVALID_CHAR`, `ERR_UNESCAPED_CHARACTERS`), so no header can inject a line; an error's
 * message never holds a header's value (it may be a token or a signature). What it reads:
 * lib/huawei/http1-response-parser.ts.
 *
 * Failures reject as node-http-transport's do, so transport-error.ts and the retry classifier
 * read them the same: a connection that closes or fails once established, before the response
 * ended, is an Error with code `ECONNRESET` (its own error as `cause`), a reused socket the
 * server had closed included; a failure to connect keeps the socket's code (`ECONNREFUSED`,
 * `ENOTFOUND`, a certificate error's code...); a response that is not HTTP/1.1 is an Error with
 * llhttp's code for it (`HPE_INVALID_STATUS`...; `HPE_BODY_TOO_LARGE` is ours). The signal's abort
 * rejects with its reason and destroys the socket.
 *
 * The node modules are imported on the first request, as fetch loads undici on its first call:
 * a cold start does not pay for them before the first event.
 */
import type { Socket } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import {
  createHttp1ResponseParser,
  DEFAULT_MAX_BODY_BYTES,
  type Http1ParseError,
  type Http1ParseStep,
} from './http1-response-parser.ts';
import type { HttpTransport, TransportInit, TransportResponse } from './http-transport.ts';
import { requestHeaderLines } from './request-header-lines.ts';
import { onAbort } from '../signals/clearable-timeout.ts';

export interface Http1TransportOptions {
  /**
   * A kept-alive socket idle longer than this is closed, never reused. Default 4000 ms: the API
   * gateway's keep-alive timeout is not published (docs/huawei-kms.md#unverified), and a socket
   * the server closed first costs a failed request (ECONNRESET, retried). Lambda freezes the
   * process between invocations, so the age is checked when a socket is taken from the pool;
   * an unref'd timer also closes sockets that wait too long.
   */
  idleMs?: number;
  /** Trusted CA certificates (PEM) in place of Node's defaults: tests, private CAs. Verification is always on. */
  ca?: string | Buffer;
  /** The largest response body read; default 8 MiB (a KMS answer is a few hundred bytes). */
  maxBodyBytes?: number;
  /** The clock for idle ages; default `Date.now`. */
  now?: () => number;
}

export const DEFAULT_IDLE_MS = 4_000;

/**
 * The diagnostics channel each request is published on as it is written, for tools that watch
 * the traffic (fuzz/http-recorder.ts), as node:http publishes `http.client.request.created`. Only
 * built when someone subscribes. It holds the request's headers, signature included, as
 * node:http's channels do: a subscriber must not log them.
 */
export const HTTP1_REQUEST_CHANNEL = 'kms-auto-alias:http1.request';

/** What {@link HTTP1_REQUEST_CHANNEL} publishes. */
export interface Http1RequestMessage {
  method: string;
  /** `protocol//host:port`: where the socket connects. */
  origin: string;
  /** Path and query, as in the request line. */
  path: string;
  /** The header lines as written, names as given. */
  headers: Record<string, string>;
  body: string | undefined;
}

/** llhttp's code for each parse error (node:http's `err.code`), so logs read as node:http's did. */
export const PARSE_ERROR_CODES: Readonly<Record<Exclude<Http1ParseError['kind'], 'truncated'>, string>> = {
  'invalid-status-line': 'HPE_INVALID_STATUS',
  'invalid-header': 'HPE_INVALID_HEADER_TOKEN',
  'bare-lf': 'HPE_CR_EXPECTED',
  'header-too-large': 'HPE_HEADER_OVERFLOW',
  'invalid-content-length': 'HPE_INVALID_CONTENT_LENGTH',
  'conflicting-content-length': 'HPE_UNEXPECTED_CONTENT_LENGTH',
  'invalid-transfer-encoding': 'HPE_INVALID_TRANSFER_ENCODING',
  'invalid-chunk-size': 'HPE_INVALID_CHUNK_SIZE',
  'invalid-chunk': 'HPE_STRICT',
  'body-too-large': 'HPE_BODY_TOO_LARGE',
  'unexpected-upgrade': 'HPE_PAUSED_UPGRADE',
};

/** One socket of an origin's pool, with the exchange it carries now (none while idle). */
interface Connection {
  socket: Socket;
  idle: Connection[];
  idleSince: number;
  /** TCP connected (http) or TLS handshake done (https): a failure after it is a reset. */
  established: boolean;
  exchange: Exchange | undefined;
}

/** What the socket's events mean to the request in flight. */
interface Exchange {
  /** `chunk` is the transport's read buffer, lent for the call (the parser copies what it keeps). */
  onData(chunk: Buffer): void;
  onEnd(): void;
  onError(err: Error): void;
  onClose(): void;
}

type NetModule = typeof import('node:net');
type TlsModule = typeof import('node:tls');
type Channel = import('node:diagnostics_channel').Channel;
let netModule: NetModule | undefined;
let tlsModule: TlsModule | undefined;
let requestChannel: Channel | undefined;

/** RFC 9110 section 5.6.2, as node:http's `checkIsHttpToken`. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** node:http's `checkInvalidHeaderChar`: HTAB, visible ASCII, obs-text. */
const INVALID_HEADER_CHAR = /[^\t\x20-\x7e\x80-\xff]/;
/** node:http's `INVALID_PATH_REGEX`: no whitespace or control character in the request target. */
const INVALID_PATH = /[^\u0021-\u00ff]/;
const ASCII = /^[\x00-\x7f]*$/;
/**
 * The one buffer every socket of a transport reads into (net's and tls's `onread`): no
 * allocation, no stream buffering per read. A read is handed to its exchange at once, and the
 * next read is not started before that returns, so one buffer serves every socket. A KMS answer
 * fits in one read; a larger one comes in several.
 */
const READ_BUFFER_BYTES = 64 * 1024;

/** One transport: its own pools of kept-alive sockets, one per origin. */
export function createHttp1Transport(options: Http1TransportOptions = {}): HttpTransport {
  const idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
  const now = options.now ?? Date.now;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const pools = new Map<string, Connection[]>();
  const readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  /** The last TLS session per origin, offered on the next connection (resumption, as https.Agent does). */
  const sessions = new Map<string, Buffer>();
  let sweepTimer: NodeJS.Timeout | undefined;

  const drop = (conn: Connection): void => {
    const at = conn.idle.indexOf(conn);
    if (at >= 0) conn.idle.splice(at, 1);
    conn.socket.destroy();
  };

  /** Closes the sockets idle for `idleMs`; runs again while any socket waits. */
  const sweep = (): void => {
    sweepTimer = undefined;
    const at = now();
    let next = Number.POSITIVE_INFINITY;
    for (const idle of pools.values()) {
      for (const conn of [...idle]) {
        if (at - conn.idleSince >= idleMs) drop(conn);
        else next = Math.min(next, conn.idleSince + idleMs);
      }
    }
    if (next !== Number.POSITIVE_INFINITY) scheduleSweep(next - at);
  };
  const scheduleSweep = (ms: number): void => {
    sweepTimer = setTimeout(sweep, Math.max(ms, 1));
    sweepTimer.unref();
  };

  const release = (conn: Connection): void => {
    conn.idleSince = now();
    conn.idle.push(conn);
    // An idle pool never keeps the process alive.
    conn.socket.unref();
    if (sweepTimer === undefined) scheduleSweep(idleMs);
  };

  /** The most recently used idle socket that is still fresh (LIFO: the warmest), or none. */
  const checkout = (idle: Connection[]): Connection | undefined => {
    const at = now();
    for (let conn = idle.pop(); conn !== undefined; conn = idle.pop()) {
      const { socket } = conn;
      // A frozen Lambda's timers did not run: the age is what decides.
      if (at - conn.idleSince < idleMs && !socket.destroyed && !socket.readableEnded && socket.writable) {
        socket.ref();
        return conn;
      }
      socket.destroy();
    }
    return undefined;
  };

  const connect = (url: URL, origin: string, idle: Connection[], net: NetModule, tls: TlsModule | undefined) => {
    const { hostname } = url;
    // An IPv6 literal goes to the socket without its brackets.
    const host = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
    // Every read of the socket, in place of its 'data' events (which no longer come): the bytes
    // read, lent in `readBuffer` until this returns. Documented for net.Socket
    // (https://nodejs.org/api/net.html#new-netsocketoptions) and taken by tls.connect too
    // (https://nodejs.org/api/tls.html#tlsconnectoptions-callback, "onread").
    const onread = {
      buffer: readBuffer,
      callback: (bytes: number, buffer: Uint8Array): boolean => {
        const chunk = Buffer.from(buffer.buffer, buffer.byteOffset, bytes);
        if (conn.exchange === undefined) drop(conn);
        else conn.exchange.onData(chunk);
        return true;
      },
    };
    let socket: Socket;
    if (tls !== undefined) {
      const tlsOptions: ConnectionOptions & { onread: typeof onread } = {
        host,
        port: url.port === '' ? 443 : Number(url.port),
        ALPNProtocols: ['http/1.1'],
        onread,
      };
      // SNI carries a host name, never an IP literal (RFC 6066 section 3).
      if (net.isIP(host) === 0) tlsOptions.servername = host;
      if (options.ca !== undefined) tlsOptions.ca = options.ca;
      const session = sessions.get(origin);
      if (session !== undefined) tlsOptions.session = session;
      const secure = tls.connect(tlsOptions);
      secure.on('session', (ticket: Buffer) => sessions.set(origin, ticket));
      secure.once('secureConnect', () => {
        conn.established = true;
      });
      socket = secure;
    } else {
      socket = net.connect({ host, port: url.port === '' ? 80 : Number(url.port), onread });
      socket.once('connect', () => {
        conn.established = true;
      });
    }
    socket.setNoDelay(true);
    const conn: Connection = { socket, idle, idleSince: 0, established: false, exchange: undefined };
    // One set of listeners for the socket's life (and `onread` above); each event goes to the exchange in flight.
    socket.on('end', () => {
      if (conn.exchange === undefined) drop(conn);
      else conn.exchange.onEnd();
    });
    socket.on('error', (err: Error) => {
      // The session of a connection that failed is not offered again, in flight or idle (as
      // https.Agent evicts it on any close with an error): a server that cannot resume it would
      // fail every later connection to the origin the same way.
      if (tls !== undefined) sessions.delete(origin);
      if (conn.exchange === undefined) drop(conn);
      else conn.exchange.onError(err);
    });
    socket.on('close', () => {
      if (conn.exchange === undefined) drop(conn);
      else conn.exchange.onClose();
    });
    return conn;
  };

  return async (url, init) => {
    const https = url.protocol === 'https:';
    if (!https && url.protocol !== 'http:') throw new TypeError(`unsupported protocol ${url.protocol}`);
    // endpoints.ts refuses them already; node:http would turn them into an Authorization header.
    if (url.username !== '' || url.password !== '')
      throw new TypeError('credentials in the URL are not supported; send an Authorization header');
    const { signal } = init;
    signal?.throwIfAborted();
    const request = buildRequest(url, init);
    const net = (netModule ??= await import('node:net'));
    requestChannel ??= (await import('node:diagnostics_channel')).channel(HTTP1_REQUEST_CHANNEL);
    const tls = https ? (tlsModule ??= await import('node:tls')) : undefined;
    signal?.throwIfAborted();

    const origin = `${url.protocol}//${url.host}`;
    let idle = pools.get(origin);
    if (idle === undefined) {
      idle = [];
      pools.set(origin, idle);
    }
    const conn = checkout(idle) ?? connect(url, origin, idle, net, tls);
    const parser = createHttp1ResponseParser({ head: init.method.toUpperCase() === 'HEAD', maxBodyBytes });

    return new Promise<TransportResponse>((resolve, reject) => {
      let stopListening: (() => void) | undefined;
      const settle = (): void => {
        conn.exchange = undefined;
        stopListening?.();
      };
      const fail = (err: unknown): void => {
        settle();
        drop(conn);
        reject(err);
      };
      const onAbortSignal = (): void => fail(signal?.reason);
      const onStep = (step: Http1ParseStep): void => {
        if (step.state === 'partial') return;
        if (step.state === 'error') {
          fail(step.error.kind === 'truncated' ? connectionReset() : parseError(step.error));
          return;
        }
        settle();
        const { response } = step;
        // Only a complete, reusable response with nothing after it leaves the socket fit for another request.
        if (response.reusable && step.extraBytes === 0 && !conn.socket.readableEnded) release(conn);
        else drop(conn);
        const body = Promise.resolve(response.body);
        resolve({ status: response.status, headers: response.headers, text: () => body });
      };
      conn.exchange = {
        onData: (chunk) => onStep(parser.push(chunk)),
        onEnd: () => onStep(parser.end()),
        onError: (err) => fail(conn.established ? connectionReset(err) : err),
        onClose: () => fail(connectionReset()),
      };
      // The KMS client's signals take the callback without an EventTarget listener (clearable-timeout.ts).
      if (signal !== undefined) stopListening = onAbort(signal, onAbortSignal);
      if (requestChannel?.hasSubscribers === true) requestChannel.publish(messageOf(url, init, request));
      conn.socket.write(request.bytes);
    });
  };
}

/** What node:http rejects a closed connection with (`socket hang up`), with the socket's error as cause. */
function connectionReset(cause?: Error): Error {
  const err = new Error(
    'the connection closed before the response ended',
    cause === undefined ? undefined : { cause },
  ) as Error & { code: string };
  err.code = 'ECONNRESET';
  return err;
}

function parseError(error: Http1ParseError): Error {
  const err = new Error(`invalid HTTP response: ${error.message}`) as Error & { code: string };
  err.code = error.kind === 'truncated' ? 'ECONNRESET' : PARSE_ERROR_CODES[error.kind];
  return err;
}

/** A TypeError with node:http's code; its message names no header value. */
function invalid(code: string, message: string): TypeError {
  const err = new TypeError(message) as TypeError & { code: string };
  err.code = code;
  return err;
}

/** A request ready to write, and its parts for the diagnostics channel. */
interface BuiltRequest {
  bytes: string | Buffer;
  path: string;
  names: string[];
  values: string[];
}

/**
 * Names already found to be tokens: a client sends the same method and header names on every
 * request, eight regex tests a request for the same answer. Bounded, as a flood of distinct
 * names (a bug) would otherwise grow it.
 */
const tokens = new Set<string>();
const MAX_KEPT_TOKENS = 256;

function isToken(name: string): boolean {
  if (tokens.has(name)) return true;
  if (!TOKEN.test(name)) return false;
  if (tokens.size >= MAX_KEPT_TOKENS) tokens.clear();
  tokens.add(name);
  return true;
}

function messageOf(url: URL, init: TransportInit, request: BuiltRequest): Http1RequestMessage {
  const headers: Record<string, string> = {};
  request.names.forEach((name, i) => {
    headers[name] = request.values[i] as string;
  });
  const port = url.port === '' ? (url.protocol === 'https:' ? '443' : '80') : url.port;
  return {
    method: init.method,
    origin: `${url.protocol}//${url.hostname}:${port}`,
    path: request.path,
    headers,
    body: init.body,
  };
}

/**
 * The request as written on the socket (RFC 9112 sections 3 and 5): request line, header lines,
 * an empty line, the body. A header given twice in different case is sent once, the last value
 * in the last spelling, as node:http's `setHeader` does.
 * @throws TypeError (`ERR_INVALID_HTTP_TOKEN`, `ERR_INVALID_CHAR`, `ERR_UNESCAPED_CHARACTERS`, `ERR_HTTP_INVALID_HEADER_VALUE`)
 */
function buildRequest(url: URL, init: TransportInit): BuiltRequest {
  const { method, body } = init;
  if (!isToken(method)) throw invalid('ERR_INVALID_HTTP_TOKEN', 'Method must be a valid HTTP token');
  const path = `${url.pathname}${url.search}`;
  if (INVALID_PATH.test(path)) throw invalid('ERR_UNESCAPED_CHARACTERS', 'Request path contains unescaped characters');
  const { names, values } = requestHeaderLines(url, init, (name, value) => {
    // The name is not echoed: a caller that put a value where a name goes must not see it in a log.
    if (!isToken(name)) throw invalid('ERR_INVALID_HTTP_TOKEN', 'Header name must be a valid HTTP token');
    if (typeof value !== 'string') throw invalid('ERR_HTTP_INVALID_HEADER_VALUE', `Invalid value for header "${name}"`);
    if (INVALID_HEADER_CHAR.test(value))
      throw invalid('ERR_INVALID_CHAR', `Invalid character in header content ["${name}"]`);
  });
  let head = `${method} ${path} HTTP/1.1\r\n`;
  for (let i = 0; i < names.length; i++) head += `${names[i]}: ${values[i]}\r\n`;
  head += '\r\n';
  // Header values are latin1 (node:http writes them so), the body UTF-8: one string when the head is ASCII.
  const bytes = ASCII.test(head)
    ? body === undefined
      ? head
      : `${head}${body}`
    : Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(body ?? '', 'utf8')]);
  return { bytes, path, names, values };
}
