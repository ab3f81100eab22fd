import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createHttp1ResponseParser,
  type Http1ParserOptions,
  type Http1ParseStep,
} from '../../../lib/huawei/http1-response-parser.ts';

/**
 * Feeds `raw` (latin1, so a test writes bytes as they go on the wire) in the given pieces, then
 * ends the stream if asked. Each piece is lent as the transport lends its reads: copied into one
 * buffer, which is overwritten once the push returns, so a parser that kept a view of it instead
 * of a copy would read the filler.
 */
function parse(
  raw: string | Buffer,
  options: Http1ParserOptions & { sizes?: number[]; close?: boolean } = {},
): Http1ParseStep {
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'latin1') : raw;
  const parser = createHttp1ResponseParser(options);
  const lent = Buffer.alloc(bytes.length);
  const push = (piece: Buffer): Http1ParseStep => {
    piece.copy(lent);
    const step = parser.push(lent.subarray(0, piece.length));
    lent.fill('#');
    return step;
  };
  let step: Http1ParseStep = { state: 'partial' };
  let at = 0;
  for (const size of options.sizes ?? []) {
    if (at >= bytes.length) break;
    step = push(bytes.subarray(at, at + size));
    at += size;
  }
  if (at < bytes.length) step = push(bytes.subarray(at));
  return options.close === true ? parser.end() : step;
}

const utf8 = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');

function complete(step: Http1ParseStep) {
  if (step.state !== 'complete') throw new Error(`expected a complete response, got ${JSON.stringify(step)}`);
  return step.response;
}

/** The step without `extraBytes`, which counts only the bytes after the end in the chunk that completed it. */
const withoutExtra = (step: Http1ParseStep): unknown =>
  step.state === 'complete' ? { state: step.state, response: step.response } : step;

const kindOf = (step: Http1ParseStep): string | undefined => (step.state === 'error' ? step.error.kind : undefined);

describe('createHttp1ResponseParser()', () => {
  it('reads status, lower-case headers and a Content-Length body, and says the connection may be reused', () => {
    const step = parse(
      `HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nX-Request-Id: req-1\r\nContent-Length: 12\r\n\r\n${utf8('{"ok":"✓"}')}`,
    );
    expect(step).toEqual({
      state: 'complete',
      extraBytes: 0,
      response: {
        status: 201,
        headers: new Map([
          ['content-type', 'application/json'],
          ['x-request-id', 'req-1'],
          ['content-length', '12'],
        ]),
        body: '{"ok":"✓"}',
        reusable: true,
      },
    });
  });

  it('joins a repeated header with ", " and trims only SP and HTAB around values', () => {
    const response = complete(
      parse('HTTP/1.1 200 OK\r\nVary: a\r\nvary:b \t\r\nX-Nbsp: \xa0v\xa0\r\nContent-Length: 0\r\n\r\n'),
    );
    expect(response.headers.get('vary')).toBe('a, b');
    expect(response.headers.get('x-nbsp')).toBe('\xa0v\xa0');
  });

  it('keeps a header named __proto__ or get as a plain header, in a Map', () => {
    const response = complete(parse('HTTP/1.1 200 OK\r\n__proto__: x\r\nGet: y\r\nContent-Length: 0\r\n\r\n'));
    expect(response.headers.get('__proto__')).toBe('x');
    expect(response.headers.get('get')).toBe('y');
    expect(response.headers).toBeInstanceOf(Map);
    expect(Object.getOwnPropertyNames(response.headers)).toEqual([]);
  });

  it('accepts a status line without a reason phrase, with or without its space', () => {
    expect(complete(parse('HTTP/1.1 204\r\n\r\n')).status).toBe(204);
    expect(complete(parse('HTTP/1.1 204 \r\n\r\n')).status).toBe(204);
  });

  it('joins a folded header line with one space (obs-fold, RFC 9112 section 5.2)', () => {
    const response = complete(parse('HTTP/1.1 200 OK\r\nX-Long: a\r\n \t b\r\nContent-Length: 0\r\n\r\n'));
    expect(response.headers.get('x-long')).toBe('a b');
  });

  it('decodes the body once complete: a character split across chunks stays whole', () => {
    const raw = `HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n${utf8('é')}x`;
    for (let split = 1; split < raw.length; split++)
      expect(complete(parse(raw, { sizes: [split] })).body, `split at ${split}`).toBe('éx');
  });

  it('reads a chunked body: extensions, BWS before them and trailers are ignored', () => {
    const raw =
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n' +
      `4;name=value\r\nabcd\r\nA \t;x\r\n0123456789\r\n2\r\n${utf8('é')}\r\n0\r\nX-Trailer: t\r\n\r\n`;
    const response = complete(parse(raw));
    expect(response.body).toBe('abcd0123456789é');
    expect(response.reusable).toBe(true);
    expect(response.headers.get('x-trailer')).toBeUndefined();
  });

  it('reads an empty chunked body and a zero Content-Length', () => {
    expect(complete(parse('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n')).body).toBe('');
    expect(complete(parse('HTTP/1.1 200 OK\r\nContent-Length: 000\r\n\r\n'))).toMatchObject({
      body: '',
      reusable: true,
    });
  });

  it.each([
    ['204', 'HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n', {}],
    ['304', 'HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n', {}],
    ['HEAD', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n', { head: true }],
  ])('reads no body after a %s, whatever the headers say', (_, raw, options) => {
    const step = parse(raw, options);
    expect(complete(step)).toMatchObject({ body: '', reusable: true });
  });

  it('skips interim 1xx responses before the final one', () => {
    const raw =
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
    const response = complete(parse(raw));
    expect(response).toMatchObject({ status: 200, body: 'ok' });
    expect(response.headers.get('link')).toBeUndefined();
  });

  it('reads until the connection closes when neither framing is given, and then does not reuse it', () => {
    const raw = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it';
    expect(parse(raw)).toEqual({ state: 'partial' });
    expect(complete(parse(raw, { close: true }))).toMatchObject({ body: 'all of it', reusable: false });
  });

  it.each([
    ['Connection: close', 'HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\nContent-Length: 0\r\n\r\n'],
    ['HTTP/1.0', 'HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n'],
    [
      'both Transfer-Encoding and Content-Length',
      'HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n',
    ],
  ])('does not reuse the connection after %s', (_, raw) => {
    expect(complete(parse(raw)).reusable).toBe(false);
  });

  it('lets Transfer-Encoding win over Content-Length (RFC 9112 section 6.3)', () => {
    const raw = 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n';
    expect(complete(parse(raw)).body).toBe('abc');
  });

  it('reads a Content-Length padded with leading zeros by its value, not its number of digits', () => {
    // RFC 9110 section 8.6: 1*DIGIT; llhttp (node:http) reads this response too.
    const padded = `HTTP/1.1 200 OK\r\nContent-Length: ${'0'.repeat(20)}2\r\n\r\nok`;
    expect(complete(parse(padded))).toMatchObject({ body: 'ok', reusable: true });
    expect(kindOf(parse(`HTTP/1.1 200 OK\r\nContent-Length: ${'0'.repeat(20)}1${'0'.repeat(15)}\r\n\r\n`))).toBe(
      'body-too-large',
    );
  });

  it('accepts identical repeated Content-Length values and keeps one', () => {
    const response = complete(parse('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2, 02\r\n\r\nok'));
    expect(response).toMatchObject({ body: 'ok' });
    expect([...response.headers]).toEqual([['content-length', '2']]);
  });

  it('counts the bytes after the response, which a transport must not take as the next one', () => {
    const step = parse('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n');
    expect(step).toMatchObject({ state: 'complete', extraBytes: 17 });
  });

  it('waits for more until the response is complete, then repeats its answer', () => {
    const parser = createHttp1ResponseParser();
    expect(parser.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Le'))).toEqual({ state: 'partial' });
    expect(parser.push(Buffer.from('ngth: 2\r\n\r\no'))).toEqual({ state: 'partial' });
    const done = parser.push(new Uint8Array([0x6b]));
    expect(complete(done).body).toBe('ok');
    expect(parser.push(Buffer.from('more'))).toBe(done);
    expect(parser.end()).toBe(done);
  });

  it.each([
    ['invalid-status-line', 'HTTP/2 200 OK\r\n\r\n'],
    ['invalid-status-line', 'HTTP/1.1 2000 OK\r\n\r\n'],
    ['invalid-status-line', 'HTTP/1.1 099 Low\r\n\r\n'],
    ['invalid-status-line', 'HTTP/1.1 200OK\r\n\r\n'],
    ['invalid-status-line', 'ICY 200 OK\r\n\r\n'],
    ['invalid-status-line', '\r\n'],
    ['invalid-status-line', 'HTTP/1.1 200 O\rK\r\n\r\n'],
    ['invalid-header', 'HTTP/1.1 200 OK\r\nno colon here\r\n\r\n'],
    ['invalid-header', 'HTTP/1.1 200 OK\r\n: empty name\r\n\r\n'],
    ['invalid-header', 'HTTP/1.1 200 OK\r\nX-Space : v\r\n\r\n'],
    ['invalid-header', 'HTTP/1.1 200 OK\r\nX(bad): v\r\n\r\n'],
    ['invalid-header', 'HTTP/1.1 200 OK\r\nX-Cr: a\rb\r\n\r\n'],
    ['invalid-header', 'HTTP/1.1 200 OK\r\nX-Cr: a\r\r\n\r\n'],
    ['invalid-header', 'HTTP/1.1 200 OK\r\nX-Nul: a\0b\r\n\r\n'],
    ['invalid-header', 'HTTP/1.1 200 OK\r\n folded-first\r\n\r\n'],
    ['invalid-header', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n 2\r\n\r\n'],
    ['bare-lf', 'HTTP/1.1 200 OK\n\n'],
    ['bare-lf', 'HTTP/1.1 200 OK\r\nX-A: 1\n\r\n'],
    ['bare-lf', 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\n'],
    ['bare-lf', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\nx\r\n0\r\n\r\n'],
    ['invalid-content-length', 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n'],
    ['invalid-content-length', 'HTTP/1.1 200 OK\r\nContent-Length: 1.5\r\n\r\n'],
    ['invalid-content-length', 'HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n'],
    ['invalid-content-length', 'HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n'],
    ['invalid-content-length', 'HTTP/1.1 200 OK\r\nContent-Length: 1,\r\n\r\n'],
    ['conflicting-content-length', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n'],
    ['conflicting-content-length', 'HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n'],
    ['invalid-transfer-encoding', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n'],
    ['invalid-transfer-encoding', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n'],
    [
      'invalid-transfer-encoding',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n',
    ],
    ['invalid-transfer-encoding', 'HTTP/1.1 200 OK\r\nTransfer-Encoding:\r\n\r\n'],
    ['invalid-transfer-encoding', 'HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'],
    ['invalid-chunk-size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n'],
    ['invalid-chunk-size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n'],
    ['invalid-chunk-size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n'],
    ['invalid-chunk-size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1 2\r\n'],
    ['invalid-chunk-size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1000000000000\r\n'],
    ['invalid-chunk', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxy\r\n0\r\n\r\n'],
    ['unexpected-upgrade', 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n'],
  ])('reports %s for %j', (kind, raw) => {
    expect(kindOf(parse(raw))).toBe(kind);
    // The same, one byte at a time.
    expect(kindOf(parse(raw, { sizes: Array.from({ length: raw.length }, () => 1) }))).toBe(kind);
  });

  it('reports a header block over 16 KiB, the status line and interim heads included', () => {
    const big = `X-Big: ${'a'.repeat(16 * 1024)}\r\n`;
    expect(kindOf(parse(`HTTP/1.1 200 OK\r\n${big}\r\n`))).toBe('header-too-large');
    // Detected before the line ends, also when fed in pieces.
    expect(kindOf(parse(`HTTP/1.1 200 OK\r\n${big.slice(0, -2)}`, { sizes: [10, 100, 1000, 10_000] }))).toBe(
      'header-too-large',
    );
    const justUnder = `HTTP/1.1 200 OK\r\nX: ${'a'.repeat(16 * 1024 - 60)}\r\nContent-Length: 0\r\n\r\n`;
    expect(complete(parse(justUnder)).status).toBe(200);
    const interims = 'HTTP/1.1 100 Continue\r\n\r\n'.repeat(700);
    expect(kindOf(parse(`${interims}HTTP/1.1 200 OK\r\n\r\n`))).toBe('header-too-large');
    expect(kindOf(parse(`HTTP/1.1 200 OK\r\n${big}\r\n`, { maxHeaderBytes: 64 * 1024 }))).toBe(undefined);
  });

  it('reports trailers over the header limit and an endless chunk-size line', () => {
    const head = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n';
    expect(kindOf(parse(`${head}0\r\nX: ${'t'.repeat(17_000)}\r\n\r\n`))).toBe('header-too-large');
    expect(kindOf(parse(`${head}1;${'e'.repeat(17_000)}`, { sizes: [head.length + 5, 1000] }))).toBe(
      'invalid-chunk-size',
    );
  });

  it('reports a body over the cap, by Content-Length, by chunks or read until close', () => {
    const options = { maxBodyBytes: 10 };
    expect(kindOf(parse('HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n', options))).toBe('body-too-large');
    expect(kindOf(parse(`HTTP/1.1 200 OK\r\nContent-Length: ${'9'.repeat(30)}\r\n\r\n`))).toBe('body-too-large');
    expect(kindOf(parse('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789', options))).toBe(undefined);
    const chunked = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n012345\r\n5\r\n';
    expect(kindOf(parse(chunked, options))).toBe('body-too-large');
    expect(kindOf(parse(`HTTP/1.1 200 OK\r\n\r\n${'x'.repeat(11)}`, { ...options, sizes: [25, 5] }))).toBe(
      'body-too-large',
    );
    expect(kindOf(parse('HTTP/1.1 200 OK\r\nContent-Length: 9000000\r\n\r\n'))).toBe('body-too-large');
  });

  it.each([
    ['in the status line', 'HTTP/1.1 20'],
    ['in the headers', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n'],
    ['in a Content-Length body', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab'],
    ['in a chunk', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab'],
    ['before the last chunk', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n'],
    ['in the trailers', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: 1\r\n'],
    ['with no byte at all', ''],
  ])('reports a connection that ends %s as truncated', (_, raw) => {
    expect(kindOf(parse(raw, { close: true }))).toBe('truncated');
  });

  it('never puts the bytes it received in an error message', () => {
    const secret = 'SECRET-TOKEN-VALUE';
    for (const raw of [
      `HTTP/1.1 200 OK\r\nX-Auth: ${secret}\rx\r\n\r\n`,
      `HTTP/1.1 200 ${secret}\n\n`,
      `HTTP/1.1 200 OK\r\nContent-Length: ${secret}\r\n\r\n`,
      `HTTP/1.1 200 OK\r\n${secret} x: y\r\n\r\n`,
      `HTTP/1.1 200 OK\r\nTransfer-Encoding: ${secret}\r\n\r\n`,
    ]) {
      const step = parse(raw);
      expect(step.state).toBe('error');
      expect(JSON.stringify(step)).not.toContain(secret);
    }
  });
});

/** A valid response and what it must parse to; built from random parts. */
const responseArbitrary = fc
  .record({
    status: fc.constantFrom(200, 201, 204, 304, 400, 404, 429, 500, 503),
    minor: fc.constantFrom(0, 1),
    headers: fc.array(
      fc.tuple(
        fc.constantFrom('X-Request-Id', 'Content-Type', 'Vary', 'x-a', 'X-A', 'Date', 'Server'),
        fc.stringMatching(/^[!-~]([ !-~]{0,20}[!-~])?$/),
      ),
      { maxLength: 6 },
    ),
    body: fc.string({ unit: 'grapheme', maxLength: 60 }),
    framing: fc.constantFrom('length', 'chunked', 'close'),
    chunkSizes: fc.array(fc.integer({ min: 1, max: 9 }), { maxLength: 10 }),
    close: fc.boolean(),
    interim: fc.boolean(),
  })
  .map((r) => {
    const body = Buffer.from(r.body, 'utf8');
    const noBody = r.status === 204 || r.status === 304;
    const framing = r.minor === 0 && r.framing === 'chunked' ? 'length' : r.framing;
    let head = `HTTP/1.${r.minor} ${r.status} Reason\r\n`;
    for (const [name, value] of r.headers) head += `${name}: ${value}\r\n`;
    if (r.close) head += 'Connection: close\r\n';
    let payload = Buffer.alloc(0);
    if (framing === 'length') {
      head += `Content-Length: ${body.length}\r\n`;
      payload = body;
    } else if (framing === 'chunked') {
      head += 'Transfer-Encoding: chunked\r\n';
      const parts: Buffer[] = [];
      let at = 0;
      for (const size of r.chunkSizes) {
        if (at >= body.length) break;
        const chunk = body.subarray(at, at + size);
        parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n'));
        at += chunk.length;
      }
      if (at < body.length)
        parts.push(Buffer.from(`${(body.length - at).toString(16)};ext\r\n`), body.subarray(at), Buffer.from('\r\n'));
      parts.push(Buffer.from('0\r\nTrailer: x\r\n\r\n'));
      payload = Buffer.concat(parts);
    } else {
      payload = body;
    }
    const interim = r.interim ? 'HTTP/1.1 100 Continue\r\n\r\n' : '';
    const bytes = Buffer.concat([Buffer.from(`${interim}${head}\r\n`, 'latin1'), noBody ? Buffer.alloc(0) : payload]);
    const readsUntilClose = framing === 'close' && !noBody;
    return {
      bytes,
      readsUntilClose,
      expected: {
        status: r.status,
        body: noBody ? '' : body.toString('utf8'),
        reusable: r.minor === 1 && !r.close && !readsUntilClose,
      },
    };
  });

/** Cut points: any split of the bytes into pieces, empty pieces included. */
const splitsArbitrary = fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 60 });

describe('createHttp1ResponseParser() on any split', () => {
  it('parses a response split into any chunks as it parses it in one piece', () => {
    fc.assert(
      fc.property(responseArbitrary, splitsArbitrary, ({ bytes, readsUntilClose, expected }, sizes) => {
        const whole = parse(bytes, { close: readsUntilClose });
        const pieces = parse(bytes, { sizes, close: readsUntilClose });
        expect(whole).toEqual(pieces);
        expect(complete(whole)).toMatchObject(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('parses a response fed one byte at a time as in one piece', () => {
    fc.assert(
      fc.property(responseArbitrary, ({ bytes, readsUntilClose }) => {
        const ones = Array.from({ length: bytes.length }, () => 1);
        expect(parse(bytes, { sizes: ones, close: readsUntilClose })).toEqual(parse(bytes, { close: readsUntilClose }));
      }),
      { numRuns: 200 },
    );
  });

  it('never throws on random bytes, and answers the same whatever the split', () => {
    const prefix = fc.constantFrom('', 'HTTP/1.1 200 OK\r\n', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
    fc.assert(
      fc.property(
        prefix,
        fc.uint8Array({ maxLength: 300 }),
        splitsArbitrary,
        fc.boolean(),
        (start, random, sizes, close) => {
          const bytes = Buffer.concat([Buffer.from(start, 'latin1'), random]);
          const whole = parse(bytes, { close });
          expect(['partial', 'complete', 'error']).toContain(whole.state);
          expect(withoutExtra(parse(bytes, { sizes, close }))).toEqual(withoutExtra(whole));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('never throws on random mutations of valid responses', () => {
    fc.assert(
      fc.property(
        responseArbitrary,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        splitsArbitrary,
        ({ bytes }, mutations, sizes) => {
          const mutated = Buffer.from(bytes);
          for (const [at, value] of mutations) mutated[at % mutated.length] = value;
          const whole = parse(mutated, { close: true });
          expect(withoutExtra(parse(mutated, { sizes, close: true }))).toEqual(withoutExtra(whole));
        },
      ),
      { numRuns: 500 },
    );
  });
});
