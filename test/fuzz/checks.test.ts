import { describe, expect, it } from 'vitest';
import {
  fitSqsMessage,
  MAX_FUZZ_BODY_BYTES,
  sanitizeForFauxqs,
  sanitizeForSqs,
  SQS_INVALID_CHAR,
} from '../../fuzz/arbitraries.ts';
import { aliasRuleViolations, pollutionViolations, prototypeSnapshot, requestViolations } from '../../fuzz/checks.ts';
import { ensureAscii, JEmbedded, JObject, JRaw, serialize } from '../../fuzz/json-tree.ts';

// The fuzz run's own oracles: if these were wrong, a clean run would mean nothing.

describe('aliasRuleViolations()', () => {
  it.each(['alias/a', 'alias/prod/payments-db', 'alias/A:b/c_d-e', `alias/${'a'.repeat(249)}`, 'alias/x/defaults'])(
    'accepts %s',
    (a) => {
      expect(aliasRuleViolations(a)).toEqual([]);
    },
  );
  it.each([
    'alias/',
    'alias//x',
    'alias/x/',
    'alias/x/default',
    'alias/x/DEFAULT',
    'x/alias',
    'alias/a b',
    'alias/a.b',
    'alias/../x',
    'alias/é',
    `alias/${'a'.repeat(250)}`,
    'alias/%2e',
    'alias/a\u0000',
  ])('refuses %j', (a) => {
    expect(aliasRuleViolations(a)).not.toEqual([]);
  });
});

describe('requestViolations()', () => {
  const expected = {
    origin: 'http://127.0.0.1:1234',
    projectIds: new Set(['0f3a8c1e5b7d4e2a9c6b8d0e1f2a3b4c']),
    ak: 'AK',
  };
  const create = (
    url: string,
    body = '{"key_id":"4f2b9c1d-7a3e-4c58-9b6d-2e8f0a1c3d5e","alias":"alias/x"}',
    headers: Record<string, string> = {},
  ) => ({
    url,
    method: 'POST',
    headers: {
      host: new URL(url).host,
      authorization: 'SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=00',
      ...headers,
    },
    body,
  });
  const ok = 'http://127.0.0.1:1234/v1.0/0f3a8c1e5b7d4e2a9c6b8d0e1f2a3b4c/kms/aliases';

  it('accepts a createAlias to the emulator in a configured project', () => {
    expect(requestViolations(create(ok), expected)).toEqual([]);
    expect(
      requestViolations(
        {
          ...create(`${ok}?key_id=4f2b9c1d-7a3e-4c58-9b6d-2e8f0a1c3d5e&limit=50&marker=alias%2Fx`),
          method: 'GET',
          body: undefined,
        },
        expected,
      ),
    ).toEqual([]);
  });
  it.each([
    ['another host', create(ok.replace('127.0.0.1:1234', 'evil.example'))],
    ['another project', create(ok.replace('0f3a8c1e', '9f3a8c1e'))],
    ['a traversal', create(ok.replace('/kms/', '/kms/../kms/'))],
    ['an encoded separator', create(ok.replace('/aliases', '%2Faliases'))],
    ['another path', create(ok.replace('aliases', 'alias/associate'))],
    ['a Host header for another host', create(ok, undefined, { host: 'evil.example' })],
    [
      'another AK',
      create(ok, undefined, { authorization: 'SDK-HMAC-SHA256 Access=EVIL, SignedHeaders=host, Signature=00' }),
    ],
    ['an alias outside the rules', create(ok, '{"key_id":"4f2b9c1d-7a3e-4c58-9b6d-2e8f0a1c3d5e","alias":"alias/a b"}')],
    [
      'an extra body field',
      create(ok, '{"key_id":"4f2b9c1d-7a3e-4c58-9b6d-2e8f0a1c3d5e","alias":"alias/x","target":"y"}'),
    ],
  ])('refuses %s', (_what, request) => {
    expect(requestViolations(request, expected)).not.toEqual([]);
  });
});

describe('SQS characters', () => {
  it('knows what SQS refuses', () => {
    for (const bad of ['\u0000', '\u0008', '\u000b', '\u001f', '\ufffe', '\uffff', '\ud800', '\udfff', 'a\udc00']) {
      expect(SQS_INVALID_CHAR.test(bad), JSON.stringify(bad)).toBe(true);
    }
    for (const good of ['\t\n\r', ' ~', '\u007f\u0085', '\ud7ff', '\ue000', '\ufffd', '😀', 'é']) {
      expect(SQS_INVALID_CHAR.test(good), JSON.stringify(good)).toBe(false);
    }
  });
  it('sanitises bodies to what SQS (and fauxqs) can carry', () => {
    expect(sanitizeForSqs('a\u0000b\uffff')).toBe('a\ufffdb\ufffd');
    expect(sanitizeForSqs('')).toBe(' ');
    expect(sanitizeForFauxqs('a😀')).toBe('a\ufffd');
    expect(Buffer.byteLength(fitSqsMessage('é'.repeat(MAX_FUZZ_BODY_BYTES)))).toBeLessThanOrEqual(MAX_FUZZ_BODY_BYTES);
  });
});

describe('the JSON tree printer', () => {
  it('prints __proto__ and duplicate keys as written, and raw and embedded values', () => {
    const doc = new JObject([
      ['__proto__', new JObject([['polluted', 'yes']])],
      ['a', 1],
      ['a', new JRaw('1e999')],
      ['m', new JEmbedded(new JObject([['x', '\uffff']]))],
    ]);
    const text = serialize(doc);
    expect(text).toBe('{"__proto__":{"polluted":"yes"},"a":1,"a":1e999,"m":"{\\"x\\":\\"\\\\uffff\\"}"}');
    const parsed = JSON.parse(text) as Record<string, unknown>;
    expect(Object.hasOwn(parsed, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.parse(String(parsed.m))).toEqual({ x: '\uffff' });
    expect(JSON.parse(ensureAscii(serialize(new JObject([['k', 'é😀']]))))).toEqual({ k: 'é😀' });
  });
});

describe('pollutionViolations()', () => {
  it('notices a property planted on Object.prototype', () => {
    const before = prototypeSnapshot();
    expect(pollutionViolations(before)).toEqual([]);
    Object.defineProperty(Object.prototype, 'polluted', {
      value: 'yes',
      configurable: true,
      enumerable: false,
      writable: true,
    });
    try {
      expect(pollutionViolations(before)).toEqual([
        'a built-in prototype gained or lost a property',
        '({}).polluted is "yes"',
      ]);
    } finally {
      delete (Object.prototype as Record<string, unknown>).polluted;
    }
    expect(pollutionViolations(before)).toEqual([]);
  });
});

describe('startHttpRecorder()', () => {
  it('sees node:http and fetch requests as sent (destination, headers, body) and as received', async () => {
    const { createServer, request } = await import('node:http');
    const { startHttpRecorder } = await import('../../fuzz/http-recorder.ts');
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const recorder = startHttpRecorder();
    try {
      await new Promise<void>((resolve, reject) => {
        const req = request(
          new URL(`http://127.0.0.1:${port}/v1.0/p/kms/aliases?x=1`),
          { method: 'POST', headers: { host: 'evil.example' } },
          (res) => {
            res.resume();
            res.on('end', resolve);
          },
        );
        req.on('error', reject);
        req.end('{"a":1}');
      });
      await (
        await fetch(`http://127.0.0.1:${port}/v3/auth/tokens?nocatalog=true`, { method: 'POST', body: 'pw' })
      ).text();
      expect(recorder.sent.map((r) => [r.method, r.url, r.headers.host, r.body])).toEqual([
        ['POST', `http://127.0.0.1:${port}/v1.0/p/kms/aliases?x=1`, 'evil.example', '{"a":1}'],
        // fetch hands undici its body as a stream: only node:http bodies are recorded.
        ['POST', `http://127.0.0.1:${port}/v3/auth/tokens?nocatalog=true`, undefined, undefined],
      ]);
      expect(recorder.received.map((r) => [r.serverPort, r.method, r.url, r.headers.host])).toEqual([
        [port, 'POST', '/v1.0/p/kms/aliases?x=1', 'evil.example'],
        [port, 'POST', '/v3/auth/tokens?nocatalog=true', `127.0.0.1:${port}`],
      ]);
    } finally {
      recorder.stop();
      server.close();
    }
  });
});
