import { describe, expect, it } from 'vitest';
import { createTokenSource } from '../../../lib/ingest/ingest-token-source.ts';

const TOKEN = 'ingest-token-0123456789abcdef';

describe('createTokenSource()', () => {
  it('returns the configured value, or undefined when none', async () => {
    const readSecret = async () => {
      throw new Error('not used');
    };
    expect(await createTokenSource({ kind: 'value', value: TOKEN }, { readSecret })()).toBe(TOKEN);
    expect(await createTokenSource({ kind: 'none' }, { readSecret })()).toBeUndefined();
  });

  it('reads the secret on first use as text or {"token"}, keeps it for the TTL, then reads again', async () => {
    let clock = 0;
    const reads: string[] = [];
    const answers = [JSON.stringify({ token: TOKEN }), ` ${TOKEN}-2\n`];
    const source = createTokenSource(
      { kind: 'secret', id: 'arn:secret' },
      {
        readSecret: async (id) => {
          reads.push(id);
          return answers[reads.length - 1] ?? '';
        },
        ttlMs: 1000,
        now: () => clock,
      },
    );
    expect(await source()).toBe(TOKEN);
    clock = 999;
    expect(await source()).toBe(TOKEN);
    clock = 2000;
    expect(await source()).toBe(`${TOKEN}-2`);
    expect(reads).toEqual(['arn:secret', 'arn:secret']);
  });

  it('does not keep a failed read', async () => {
    let fail = true;
    const source = createTokenSource(
      { kind: 'secret', id: 's' },
      {
        readSecret: async () => {
          if (fail) throw new Error('extension down');
          return TOKEN;
        },
      },
    );
    await expect(source()).rejects.toThrow('extension down');
    fail = false;
    expect(await source()).toBe(TOKEN);
  });
});
