import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../lib/audit/create-logger.ts';

const collect = () => {
  const lines: string[] = [];
  return { lines, write: (line: string) => lines.push(line) };
};

describe('createLogger()', () => {
  it('writes one JSON object per line with level, time and service', () => {
    const out = collect();
    const logger = createLogger({ write: out.write, now: () => new Date(0) });
    logger.info('hello', { key_id: 'k' });
    expect(JSON.parse(out.lines[0] ?? '')).toEqual({
      level: 'INFO',
      time: '1970-01-01T00:00:00.000Z',
      service: 'kms-auto-alias',
      message: 'hello',
      key_id: 'k',
    });
  });

  it('filters below the level but always writes audit records', () => {
    const out = collect();
    const logger = createLogger({ write: out.write, level: 'warn' });
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.audit({ outcome: 'created' });
    expect(out.lines.map((l) => JSON.parse(l).message)).toEqual(['w', 'decision']);
    expect(JSON.parse(out.lines[1] ?? '')).toMatchObject({ log_type: 'audit', outcome: 'created' });
  });

  it('masks configured secrets wherever they appear', () => {
    const out = collect();
    const secret = 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc';
    const logger = createLogger({ write: out.write, secrets: [secret, 'short'] });
    logger.error('oops', { detail: `sk=${secret}`, nested: { again: secret }, other: 'short' });
    expect(out.lines[0]).not.toContain(secret);
    expect(out.lines[0]).toContain('[REDACTED]');
    expect(out.lines[0]).toContain('short');
  });
});
