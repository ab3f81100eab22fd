import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../lib/audit/create-logger.ts';
import { createSecretRegistry, REDACTED } from '../../../lib/audit/secret-registry.ts';

describe('SecretRegistry.mayOccurIn (the logger serialises first, scrubs on a hit)', () => {
  const secret = 'sk"with\\awkward/chars-0123456789';

  it('is false for a line without any registered form, true for each form as JSON writes it', () => {
    const registry = createSecretRegistry();
    registry.register(secret);
    expect(registry.mayOccurIn(JSON.stringify({ outcome: 'created', alias: 'alias/app' }))).toBe(false);
    const escaped = JSON.stringify(secret).slice(1, -1);
    for (const value of [secret, escaped, encodeURIComponent(secret)]) {
      expect(registry.mayOccurIn(JSON.stringify({ detail: `x ${value} y` }))).toBe(true);
    }
  });

  it('is always true while a secret holds a UTF-16 surrogate (an emoji)', () => {
    const registry = createSecretRegistry();
    registry.register('sk-key-🔑-0123456789');
    expect(registry.mayOccurIn('{"outcome":"created"}')).toBe(true);
  });

  it('lets the logger write a clean line as is and still mask a secret that is there', () => {
    const registry = createSecretRegistry();
    const lines: string[] = [];
    const logger = createLogger({ write: (l) => lines.push(l), registry, secrets: [secret] });
    logger.audit({ outcome: 'created', alias: 'alias/app', fields: [{ value: 'v' }] });
    logger.audit({ outcome: 'failed', detail: { quoted: JSON.stringify(secret) }, error: new Error(`bad ${secret}`) });
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      log_type: 'audit',
      outcome: 'created',
      fields: [{ value: 'v' }],
    });
    const second = lines[1] ?? '';
    expect(second).not.toContain(JSON.stringify(secret).slice(1, -1));
    expect(JSON.parse(second)).toMatchObject({ error: { message: `bad ${REDACTED}` } });
    expect(second).toContain(REDACTED);
  });
});
