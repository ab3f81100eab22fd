import { describe, expect, it } from 'vitest';
import type { AkSkSecret } from '../../../lib/config/fetch-aws-secret.ts';
import { SecretUnavailableError } from '../../../lib/errors/secret-store-errors.ts';
import { createSecretStoreAuth, MAX_CREDENTIALS_TTL_MS } from '../../../lib/runtime/create-secret-store-auth.ts';
import { rejectionOf } from '../../support/rejection-of.ts';

const OLD: AkSkSecret = { ak: 'OLDACCESSKEYEXAMPLE1', sk: 'old-secret-key-example-0000000000000001' };
const NEW: AkSkSecret = { ak: 'NEWACCESSKEYEXAMPLE1', sk: 'new-secret-key-example-0000000000000001' };
const PROJECT = '0f3a8c1e5b7d4e2a9c6b8d0e1f2a3b4c';
const request = { method: 'GET', url: new URL('https://kms.example/v1.0/x'), headers: {}, body: undefined };

/** The AK an Authorization header was signed with. */
async function akOf(auth: ReturnType<typeof createSecretStoreAuth>): Promise<string | undefined> {
  const headers = await auth.authorize(request, PROJECT);
  return /Access=([^,]+)/.exec(headers.Authorization ?? '')?.[1];
}

function store(initial: AkSkSecret) {
  const s = { value: initial as AkSkSecret | Error, reads: 0 };
  const read = async () => {
    s.reads += 1;
    if (s.value instanceof Error) throw s.value;
    return s.value;
  };
  return { s, read };
}

describe('createSecretStoreAuth()', () => {
  it('re-reads the secret after its TTL, which is at most 5 minutes', async () => {
    let clock = 0;
    const { s, read } = store(OLD);
    const auth = createSecretStoreAuth({ read, ttlMs: 10 * 60_000, now: () => clock });
    expect(await akOf(auth)).toBe(OLD.ak);
    s.value = NEW;
    clock = MAX_CREDENTIALS_TTL_MS - 1;
    expect(await akOf(auth)).toBe(OLD.ak);
    expect(s.reads).toBe(1);
    clock = MAX_CREDENTIALS_TTL_MS;
    expect(await akOf(auth)).toBe(NEW.ak);
    expect(s.reads).toBe(2);
  });

  it('re-reads the secret after a 401, before the TTL', async () => {
    const { s, read } = store(OLD);
    const auth = createSecretStoreAuth({ read, now: () => 0 });
    expect(await akOf(auth)).toBe(OLD.ak);
    s.value = NEW;
    // true: the client turns the 401 into an auth-refresh retry, which signs with the new AK.
    expect(auth.onUnauthorized?.(PROJECT)).toBe(true);
    expect(await akOf(auth)).toBe(NEW.ak);
    expect(s.reads).toBe(2);
  });

  it('keeps signing with the last good credentials while a re-read on TTL fails', async () => {
    let clock = 0;
    const { s, read } = store(OLD);
    const auth = createSecretStoreAuth({ read, ttlMs: 1_000, retryAfterFailureMs: 500, now: () => clock });
    expect(await akOf(auth)).toBe(OLD.ak);
    s.value = new SecretUnavailableError('secret x', 'the extension answered 503', { status: 503 });
    clock = 1_000;
    expect(await akOf(auth)).toBe(OLD.ak);
    clock = 1_200; // not asked again at once
    expect(await akOf(auth)).toBe(OLD.ak);
    expect(s.reads).toBe(2);
    s.value = NEW;
    clock = 1_500;
    expect(await akOf(auth)).toBe(NEW.ak);
  });

  it('fails a request with the transient read error when a 401 forced the re-read', async () => {
    const { s, read } = store(OLD);
    const auth = createSecretStoreAuth({ read, now: () => 0 });
    await akOf(auth);
    s.value = new SecretUnavailableError('secret x', 'no answer (TimeoutError)');
    auth.onUnauthorized?.(PROJECT);
    const err = await rejectionOf(akOf(auth));
    expect(err).toBeInstanceOf(SecretUnavailableError);
    // Not asked again on every request while it is down.
    await rejectionOf(akOf(auth));
    expect(s.reads).toBe(2);
  });
});
