import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../lib/audit/create-logger.ts';
import { createSecretRegistry, REDACTED } from '../../../lib/audit/secret-registry.ts';

/** Secrets that a match over the serialised line misses: JSON escapes them. */
const AWKWARD = [
  ['a double quote', 'sk"with"quotes-0123456789'],
  ['a backslash', 'sk\\with\\backslash-0123456789'],
  ['a newline', 'sk\nwith\nnewline-0123456789'],
  ['unicode', 'sk-пароль-密码-🔑-0123456789'],
  ['control characters', 'sk\u0001\u001f\ttab-0123456789'],
] as const;

describe('createSecretRegistry()', () => {
  it.each(AWKWARD)('masks a secret holding %s in a log line', (_what, secret) => {
    const registry = createSecretRegistry();
    const lines: string[] = [];
    const logger = createLogger({ write: (l) => lines.push(l), registry, secrets: [secret] });
    logger.error('oops', { detail: `sk=${secret}!`, nested: { list: [secret] }, error: new Error(`bad ${secret}`) });
    logger.audit({ outcome: 'failed', reason: secret });
    for (const line of lines) {
      const parsed = JSON.parse(line);
      const text = JSON.stringify(parsed);
      expect(line.includes(secret)).toBe(false);
      expect(line.includes(JSON.stringify(secret).slice(1, -1))).toBe(false);
      expect(text).toContain(REDACTED);
    }
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      detail: `sk=${REDACTED}!`,
      nested: { list: [REDACTED] },
      error: { name: 'Error', message: `bad ${REDACTED}` },
    });
  });

  it('scrubs deep over objects, arrays, maps, errors and their causes, keeping the error class', () => {
    const registry = createSecretRegistry();
    const secret = 'AKIA"EXAMPLE\\SECRET';
    registry.register(secret);
    class KmsAuthError extends Error {
      readonly code = 'KMS_AUTH';
    }
    const err = new KmsAuthError(`token ${secret} refused`, { cause: new Error(`inner ${secret}`) });
    const scrubbed = registry.scrub({ a: [{ b: secret }], m: new Map([['k', secret]]), err, n: 3, t: true });
    expect(scrubbed.a[0]?.b).toBe(REDACTED);
    expect(scrubbed.m.get('k')).toBe(REDACTED);
    expect(scrubbed.err).toBeInstanceOf(KmsAuthError);
    expect(scrubbed.err.message).toBe(`token ${REDACTED} refused`);
    expect((scrubbed.err.cause as Error).message).toBe(`inner ${REDACTED}`);
    expect(scrubbed.err.stack ?? '').not.toContain(secret);
    expect(scrubbed.err.code).toBe('KMS_AUTH');
    expect(scrubbed.n).toBe(3);
    // The original is untouched.
    expect(err.message).toContain(secret);
  });

  it('masks JSON-escaped and URL-encoded copies in text', () => {
    const registry = createSecretRegistry();
    const secret = 'p@ss "word"/x';
    registry.register(secret);
    const quotedBody = JSON.stringify({ password: secret });
    expect(registry.scrubText(`body: ${quotedBody}`)).toBe(`body: {"password":"${REDACTED}"}`);
    expect(registry.scrubText(`url ?pw=${encodeURIComponent(secret)}`)).toBe(`url ?pw=${REDACTED}`);
  });

  it('masks a secret containing another one whole', () => {
    const registry = createSecretRegistry();
    registry.register('abcdef');
    registry.register('xx-abcdef-yy');
    expect(registry.scrubText('1 xx-abcdef-yy 2 abcdef')).toBe(`1 ${REDACTED} 2 ${REDACTED}`);
  });

  it('ignores empty and short values, and survives cycles', () => {
    const registry = createSecretRegistry();
    registry.register('');
    registry.register(undefined);
    registry.register('abc');
    expect(registry.size).toBe(0);
    const cyclic: Record<string, unknown> = { name: 'x' };
    cyclic.self = cyclic;
    expect(registry.scrub(cyclic)).toEqual({ name: 'x', self: '[Circular]' });
  });

  it('turns anything thrown into a scrubbed Error', () => {
    const registry = createSecretRegistry();
    registry.register('secret-value-1');
    expect(registry.scrubError('failed with secret-value-1').message).toBe(`failed with ${REDACTED}`);
    const scrubbed = registry.scrubError(new TypeError('secret-value-1'));
    expect(scrubbed).toBeInstanceOf(TypeError);
    expect(scrubbed.message).toBe(REDACTED);
  });
});

describe('scrub() of abort reasons', () => {
  it('passes a DOMException through untouched (a copy would throw on .name)', () => {
    const registry = createSecretRegistry();
    registry.register('some-secret-value');
    const reason = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    const err = new Error('failed: some-secret-value', { cause: reason });
    const scrubbed = registry.scrubError(err);
    expect(scrubbed.message).toBe('failed: [REDACTED]');
    expect((scrubbed.cause as DOMException).name).toBe('TimeoutError');
  });
});
