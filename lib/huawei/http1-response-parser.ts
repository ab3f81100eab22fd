/**
 * An incremental parser of one HTTP/1.1 response (RFC 9112, https://www.rfc-editor.org/rfc/rfc9112;
 * the section numbers below are its), pure: fed the bytes as the socket gives them (any split,
 * down to one byte at a time), it returns the status, the headers, the body and whether the
 * connection may carry another request. It reads the subset of HTTP/1.1 a client that sends no
 * `Upgrade`, no `TE` and no `Accept-Encoding` can receive, and it never throws on bad input: a
 * malformed response is an error as data, one {@link Http1ParseErrorKind}.
 *
 * Where RFC 9112 leaves the recipient a choice, this parser chooses:
 * - Line endings are CRLF only. A bare LF is an error (`bare-lf`) rather than a line end, which
 *   section 2.2 allows ("MAY recognize a single LF"): a response that frames its lines one way
 *   for us and another way for a proxy in front of us is how response splitting starts. A bare CR
 *   is an error too (section 2.2: "MUST consider that element to be invalid").
 * - A header line folded onto the next (obs-fold, section 5.2) is joined with one space, as a
 *   user agent must do; a line without ":" or with whitespace before the colon (section 5.1) is
 *   an error.
 * - Both `Transfer-Encoding` and `Content-Length` (section 6.3, item 3): the transfer coding wins
 *   and the connection is not reused. The only transfer coding read is `chunked` alone: nothing
 *   else is asked for, and a coding we cannot undo is an error, not a body read until close.
 * - The header block (the status line, every header line and, for a chunked body, the trailers,
 *   1xx interim heads included) is capped at 16 KiB, node:http's default `maxHeaderSize`; the
 *   body at 8 MiB by default (a KMS answer is a few hundred bytes).
 */

/** What can be wrong with a response; the transport maps each to an llhttp-style code. */
export type Http1ParseErrorKind =
  /** Not `HTTP/1.x SSS reason` (section 4), or an HTTP version other than 1.x. */
  | 'invalid-status-line'
  /** A header line with no ":", a name that is not a token, whitespace before the colon, a CR or NUL in a value (sections 5.1, 5.5). */
  | 'invalid-header'
  /** A line ended by LF alone (section 2.2). */
  | 'bare-lf'
  /** The header block (or a chunked body's trailers) is over the limit. */
  | 'header-too-large'
  /** A `Content-Length` that is not a decimal number (section 8.6). */
  | 'invalid-content-length'
  /** Two different `Content-Length` values (section 6.3, item 5). */
  | 'conflicting-content-length'
  /** A transfer coding other than `chunked` alone, or any in an HTTP/1.0 response (sections 6.1, 6.3). */
  | 'invalid-transfer-encoding'
  /** A chunk size that is not hexadecimal, or too large to be a number (section 7.1). */
  | 'invalid-chunk-size'
  /** A chunk's data not followed by CRLF (section 7.1). */
  | 'invalid-chunk'
  /** The body is over the limit. */
  | 'body-too-large'
  /** 101 Switching Protocols: never asked for (no `Upgrade` is sent), so the bytes after it are not HTTP/1.1. */
  | 'unexpected-upgrade'
  /** The connection ended before the response did. */
  | 'truncated';

export interface Http1ParseError {
  kind: Http1ParseErrorKind;
  /** What went wrong, in words; never the bytes received (a header may echo a secret). */
  message: string;
}

export interface Http1Response {
  status: number;
  /**
   * Lower-case names; a name received twice has its values joined with ", " (as fetch's
   * `Headers.get` does), except `content-length`, which keeps its one value. A Map, so a header
   * named `__proto__` or `get` is only a header, and storing a name costs no property lookup (an
   * object without prototype is a dictionary: every new name missed V8's store cache, about a
   * fifth of a response's parse in a profile of the CPU benchmark).
   */
  headers: ReadonlyMap<string, string>;
  /** Decoded as UTF-8 once complete: a character split across chunks stays whole. */
  body: string;
  /** The connection may carry another request (HTTP/1.1, no `Connection: close`, framed by length or chunks). */
  reusable: boolean;
}

export type Http1ParseStep =
  | { state: 'partial' }
  /**
   * `extraBytes`: bytes after the response's end in the chunk that completed it (never expected:
   * nothing is pipelined, so a connection with any is not reused).
   */
  | { state: 'complete'; response: Http1Response; extraBytes: number }
  | { state: 'error'; error: Http1ParseError };

export interface Http1ResponseParser {
  /**
   * Feeds the next bytes. After a `complete` or `error` step, every call returns that step again.
   * The chunk is only read during the call: the bytes kept for a later one (an incomplete line,
   * a body not yet complete) are copied, so the caller may reuse its memory for the next read
   * (the transport reads every socket into one buffer, net's `onread`).
   */
  push(chunk: Uint8Array): Http1ParseStep;
  /** The connection ended: completes a body read until close, or reports `truncated`. */
  end(): Http1ParseStep;
}

export interface Http1ParserOptions {
  /** The request was HEAD: no body follows, whatever the headers say (RFC 9110 section 9.3.2). */
  head?: boolean;
  /** Default 16 KiB (node:http's `maxHeaderSize`). */
  maxHeaderBytes?: number;
  /** Default 8 MiB. */
  maxBodyBytes?: number;
}

export const DEFAULT_MAX_HEADER_BYTES = 16 * 1024;
export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;

const LF = 0x0a;
const CR = 0x0d;
/** `HTTP/1.x SSS[ reason]`, section 4; the reason phrase may be empty and its SP is tolerated missing. */
const STATUS_LINE = /^HTTP\/1\.([0-9]) ([0-9]{3})(?:[ \t][^\r\0]*)?$/;
/** RFC 9110 section 5.6.2. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** RFC 9112 section 5.5 / 2.2: a CR or NUL in a value is invalid. */
const INVALID_VALUE = /[\r\0]/;
/** Section 7.1: chunk-size, then optional BWS and chunk extensions (ignored). */
const CHUNK_SIZE_LINE = /^([0-9A-Fa-f]+)[ \t]*(?:;[^\r\0]*)?$/;
/** More significant hex digits than this cannot be a chunk we would accept (2^48 bytes). */
const MAX_CHUNK_SIZE_DIGITS = 12;
/** A Content-Length with more digits than this is larger than any body we would accept. */
const MAX_LENGTH_DIGITS = 15;

type Stage =
  | 'head'
  /** Content-Length body: `remaining` bytes to go. */
  | 'length'
  /** Chunked body, waiting for a chunk-size line. */
  | 'chunk-size'
  /** Chunked body, inside a chunk's data: `remaining` bytes to go. */
  | 'chunk-data'
  /** Chunked body, waiting for the CRLF after a chunk's data. */
  | 'chunk-end'
  /** Chunked body, reading the trailer section until its empty line. */
  | 'trailers'
  /** Read until the connection closes. */
  | 'close'
  | 'done';

const PARTIAL: Http1ParseStep = Object.freeze({ state: 'partial' });

const fail = (kind: Http1ParseErrorKind, message: string): Http1ParseStep => ({
  state: 'error',
  error: { kind, message },
});

/** A new parser for one response. */
export function createHttp1ResponseParser(options: Http1ParserOptions = {}): Http1ResponseParser {
  const isHead = options.head === true;
  const maxHeaderBytes = options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

  let stage: Stage = 'head';
  let final: Http1ParseStep | undefined;
  /** Bytes of an incomplete line, kept until its LF arrives. */
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  /** Bytes of the header block so far (or of the trailers, once in them). */
  let headBytes = 0;

  let status = 0;
  let minor = 1;
  let headers = new Map<string, string>();
  let lastName: string | undefined;
  let contentLength: number | undefined;
  let reusable = true;
  let remaining = 0;
  let bodyParts: Buffer[] = [];
  let bodyBytes = 0;

  const resetHead = (): void => {
    status = 0;
    headers = new Map<string, string>();
    lastName = undefined;
    contentLength = undefined;
  };

  const finish = (extraBytes: number): Http1ParseStep => {
    stage = 'done';
    const body =
      bodyParts.length === 0
        ? ''
        : bodyParts.length === 1
          ? (bodyParts[0] as Buffer).toString('utf8')
          : Buffer.concat(bodyParts, bodyBytes).toString('utf8');
    bodyParts = [];
    return { state: 'complete', response: { status, headers, body, reusable }, extraBytes };
  };

  const addBody = (part: Buffer): Http1ParseStep | undefined => {
    bodyBytes += part.length;
    if (bodyBytes > maxBodyBytes) return fail('body-too-large', `the body is over ${maxBodyBytes} bytes`);
    if (part.length > 0) bodyParts.push(part);
    return undefined;
  };

  /** One header line (without its CRLF), section 5. */
  const onHeaderLine = (line: string): Http1ParseStep | undefined => {
    const first = line.charCodeAt(0);
    if (first === 0x20 || first === 0x09) {
      // obs-fold (section 5.2): a user agent replaces it with SP and keeps the value.
      if (lastName === undefined) return fail('invalid-header', 'a folded header line with no header before it');
      const more = trimOws(line);
      if (INVALID_VALUE.test(more)) return fail('invalid-header', `invalid character in header ${lastName}`);
      if (lastName === 'content-length' || lastName === 'transfer-encoding')
        return fail('invalid-header', `a folded ${lastName} header`);
      if (more !== '') headers.set(lastName, `${headers.get(lastName) ?? ''} ${more}`);
      return undefined;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) return fail('invalid-header', 'a header line without a name and ":"');
    const rawName = line.slice(0, colon);
    // Section 5.1: no whitespace between the name and the colon; a name is a token.
    if (!TOKEN.test(rawName)) return fail('invalid-header', 'a header name that is not a token');
    const name = rawName.toLowerCase();
    const value = trimOws(line.slice(colon + 1));
    if (INVALID_VALUE.test(value)) return fail('invalid-header', `invalid character in header ${name}`);
    lastName = name;
    if (name === 'content-length') {
      // Section 6.3 item 5: a list of identical values may stand for one; different ones are an error.
      for (const item of value.split(',')) {
        const digits = trimOws(item);
        if (!/^[0-9]+$/.test(digits)) return fail('invalid-content-length', 'a content-length that is not a number');
        // Leading zeros are valid (1*DIGIT) and say nothing of the size: only significant digits count.
        const length =
          digits.length > MAX_LENGTH_DIGITS && digits.replace(/^0+/, '').length > MAX_LENGTH_DIGITS
            ? Number.POSITIVE_INFINITY
            : Number(digits);
        if (contentLength === undefined) {
          contentLength = length;
          headers.set(name, digits);
        } else if (length !== contentLength) {
          return fail('conflicting-content-length', 'two different content-length values');
        }
      }
      return undefined;
    }
    const before = headers.get(name);
    headers.set(name, before === undefined ? value : `${before}, ${value}`);
    return undefined;
  };

  /** The end of a head (its empty line): decides the framing of the body, section 6.3. */
  const onHeadEnd = (): Http1ParseStep | undefined => {
    if (status === 101) return fail('unexpected-upgrade', 'the server switched protocols, which was not asked for');
    if (status < 200) {
      // Section 4 / RFC 9110 section 15.2: interim responses (100 Continue...) come before the final one.
      resetHead();
      return undefined;
    }
    if (minor === 0 || hasToken(headers.get('connection'), 'close')) reusable = false;
    const transferEncoding = headers.get('transfer-encoding');
    // Section 6.3 items 1-2: no body after 1xx, 204, 304, or in answer to HEAD, whatever the headers say.
    if (isHead || status === 204 || status === 304) {
      stage = 'done';
      return undefined;
    }
    if (transferEncoding !== undefined) {
      // Section 6.1: a transfer coding in an HTTP/1.0 message means its framing is faulty.
      if (minor === 0) return fail('invalid-transfer-encoding', 'a transfer-encoding in an HTTP/1.0 response');
      const codings = transferEncoding.split(',').map((coding) => trimOws(coding).toLowerCase());
      if (codings.length !== 1 || codings[0] !== 'chunked')
        return fail('invalid-transfer-encoding', 'a transfer coding other than chunked alone');
      // Section 6.3 item 3: the transfer coding overrides Content-Length; such a message may be an attack.
      if (contentLength !== undefined) reusable = false;
      stage = 'chunk-size';
      return undefined;
    }
    if (contentLength !== undefined) {
      if (contentLength > maxBodyBytes) return fail('body-too-large', `the body is over ${maxBodyBytes} bytes`);
      remaining = contentLength;
      stage = remaining === 0 ? 'done' : 'length';
      return undefined;
    }
    // Section 6.3 item 8: no framing, the body ends when the connection does.
    reusable = false;
    stage = 'close';
    return undefined;
  };

  /**
   * A complete line of the stage that reads lines (head, chunk-size, chunk-end, trailers), as
   * `text.slice(start, end)`: `text` is the chunk decoded as latin1, one character per byte.
   */
  const onLine = (text: string, start: number, end: number): Http1ParseStep | undefined => {
    switch (stage) {
      case 'head': {
        if (end === start) {
          if (status === 0) return fail('invalid-status-line', 'an empty line where the status line was expected');
          return onHeadEnd();
        }
        const line = text.slice(start, end);
        if (status !== 0) return onHeaderLine(line);
        const match = STATUS_LINE.exec(line);
        if (match === null) return fail('invalid-status-line', 'not an HTTP/1.x status line');
        minor = Number(match[1]);
        status = Number(match[2]);
        if (status < 100) return fail('invalid-status-line', 'a status code below 100');
        return undefined;
      }
      case 'chunk-size': {
        const match = CHUNK_SIZE_LINE.exec(text.slice(start, end));
        if (match === null) return fail('invalid-chunk-size', 'a chunk size that is not hexadecimal');
        const digits = (match[1] as string).replace(/^0+/, '');
        if (digits.length > MAX_CHUNK_SIZE_DIGITS) return fail('invalid-chunk-size', 'a chunk size too large');
        const size = digits === '' ? 0 : Number.parseInt(digits, 16);
        if (size === 0) {
          stage = 'trailers';
          headBytes = 0;
          return undefined;
        }
        if (bodyBytes + size > maxBodyBytes) return fail('body-too-large', `the body is over ${maxBodyBytes} bytes`);
        remaining = size;
        stage = 'chunk-data';
        return undefined;
      }
      case 'chunk-end':
        if (end !== start) return fail('invalid-chunk', 'a chunk not followed by CRLF');
        stage = 'chunk-size';
        return undefined;
      case 'trailers':
        // Trailer fields are ignored (section 7.1.2 lets a recipient discard them).
        if (end === start) stage = 'done';
        return undefined;
      default:
        return undefined;
    }
  };

  /** The error for an incomplete line already over its stage's limit, if it is. */
  const tooLongLine = (): Http1ParseStep | undefined => {
    if (stage === 'chunk-size')
      return pendingBytes > maxHeaderBytes ? fail('invalid-chunk-size', 'a chunk-size line too long') : undefined;
    if (stage === 'chunk-end')
      return pendingBytes > 2 ? fail('invalid-chunk', 'a chunk not followed by CRLF') : undefined;
    return headBytes + pendingBytes > maxHeaderBytes
      ? fail('header-too-large', `the header block is over ${maxHeaderBytes} bytes`)
      : undefined;
  };

  /** Runs the stages over `buf` from its start; keeps an incomplete line for the next push. */
  const run = (buf: Buffer): Http1ParseStep => {
    let pos = 0;
    // The chunk as latin1 (byte i is character i), decoded once on the first line read from it:
    // finding and slicing lines in a string stays in JavaScript, where a Buffer's indexOf and
    // toString per line each cross into C++ (about half of a response's parse time).
    let text: string | undefined;
    while (pos < buf.length) {
      if (stage === 'length' || stage === 'chunk-data') {
        const take = Math.min(remaining, buf.length - pos);
        const failed = addBody(buf.subarray(pos, pos + take));
        if (failed !== undefined) return failed;
        pos += take;
        remaining -= take;
        if (remaining > 0) return PARTIAL;
        stage = stage === 'length' ? 'done' : 'chunk-end';
        continue;
      }
      if (stage === 'close') {
        const failed = addBody(buf.subarray(pos));
        return failed ?? PARTIAL;
      }
      if (stage === 'done') return finish(buf.length - pos);
      // A line stage.
      text ??= buf.toString('latin1');
      const lf = text.indexOf('\n', pos);
      const lineBytes = (lf < 0 ? buf.length : lf + 1) - pos;
      headBytes += lineBytes;
      if ((stage === 'head' || stage === 'trailers') && headBytes > maxHeaderBytes)
        return fail('header-too-large', `the header block is over ${maxHeaderBytes} bytes`);
      if (stage === 'chunk-size' && lineBytes > maxHeaderBytes)
        return fail('invalid-chunk-size', 'a chunk-size line too long');
      if (stage === 'chunk-end' && lineBytes > 2) return fail('invalid-chunk', 'a chunk not followed by CRLF');
      if (lf < 0) {
        // An incomplete line: counted again when it is complete.
        headBytes -= lineBytes;
        pending = [Buffer.from(buf.subarray(pos))];
        pendingBytes = buf.length - pos;
        return PARTIAL;
      }
      if (lf === pos || text.charCodeAt(lf - 1) !== CR) return fail('bare-lf', 'a line ended by LF without CR');
      const failed = onLine(text, pos, lf - 1);
      if (failed !== undefined) return failed;
      pos = lf + 1;
    }
    return stage === 'done' ? finish(0) : PARTIAL;
  };

  const settle = (step: Http1ParseStep): Http1ParseStep => {
    if (step.state !== 'partial') {
      final = step;
      pending = [];
    }
    return step;
  };

  /**
   * Runs the stages over a chunk the caller lends for this call only. A complete response (the
   * usual case: a KMS answer arrives in one read) is decoded before the call returns; when more
   * is to come, the body parts taken from this chunk are copied before it is handed back.
   */
  const runBorrowed = (bytes: Buffer): Http1ParseStep => {
    const from = bodyParts.length;
    const step = run(bytes);
    if (step === PARTIAL)
      for (let i = from; i < bodyParts.length; i++) bodyParts[i] = Buffer.from(bodyParts[i] as Buffer);
    return step;
  };

  return {
    push(chunk) {
      if (final !== undefined) return final;
      const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      if (pendingBytes > 0) {
        // The rest of a line (only line stages keep bytes): join only once its LF is here, so
        // a response fed one byte at a time costs linear time, not quadratic.
        if (bytes.indexOf(LF) < 0) {
          pending.push(Buffer.from(bytes));
          pendingBytes += bytes.length;
          const tooLong = tooLongLine();
          return tooLong === undefined ? PARTIAL : settle(tooLong);
        }
        pending.push(bytes);
        // A copy: the parts it holds may be kept (no borrowed byte is left in it).
        const joined = Buffer.concat(pending, pendingBytes + bytes.length);
        pending = [];
        pendingBytes = 0;
        return settle(run(joined));
      }
      return settle(runBorrowed(bytes));
    },
    end() {
      if (final !== undefined) return final;
      if (stage === 'close') return settle(finish(0));
      return settle(fail('truncated', 'the connection closed before the response ended'));
    },
  };
}

/** Without the optional whitespace (SP, HTAB) around a field value, section 5; `trim()` would also take a CR or NBSP. */
function trimOws(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && isOws(value.charCodeAt(start))) start++;
  while (end > start && isOws(value.charCodeAt(end - 1))) end--;
  return start === 0 && end === value.length ? value : value.slice(start, end);
}

const isOws = (code: number): boolean => code === 0x20 || code === 0x09;

/** Whether a comma-separated header value holds `token` (case-insensitive), e.g. `Connection: close`. */
function hasToken(value: string | undefined, token: string): boolean {
  if (value === undefined) return false;
  for (const item of value.split(',')) if (trimOws(item).toLowerCase() === token) return true;
  return false;
}
