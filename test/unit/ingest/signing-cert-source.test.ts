import { describe, expect, it } from 'vitest';
import { createSigningCertSource, SigningCertError } from '../../../lib/ingest/signing-cert-source.ts';
import { createTestSigner } from '../../support/smn-test-signer.ts';

const signer = createTestSigner();
const URL_A = new URL('https://smn.cn-north-4.myhuaweicloud.com/a.pem');
const URL_B = new URL('https://smn.cn-north-4.myhuaweicloud.com/b.pem');

/** A fetch that serves fixed answers and records what was asked of it. */
function fakeFetch(answer: () => Response) {
  const calls: Array<{ url: string; init: RequestInit | undefined }> = [];
  const fn = (async (input: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(input), init });
    return answer();
  }) as typeof fetch;
  return { fn, calls };
}

describe('createSigningCertSource()', () => {
  it('fetches a certificate once per URL and caches it, concurrent first requests included', async () => {
    const f = fakeFetch(() => new Response(signer.pem));
    const source = createSigningCertSource({ fetch: f.fn });
    const [a1, a2] = await Promise.all([source.get(URL_A), source.get(URL_A)]);
    const a3 = await source.get(URL_A);
    expect(a1.fingerprint256).toBe(signer.certificate.fingerprint256);
    expect(a2).toBe(a1);
    expect(a3).toBe(a1);
    await source.get(URL_B);
    expect(f.calls.map((c) => c.url)).toEqual([URL_A.href, URL_B.href]);
    expect(f.calls[0]?.init?.redirect).toBe('error');
  });

  it('does not cache a failure: the next request fetches again', async () => {
    let status = 503;
    const f = fakeFetch(() => new Response(status === 200 ? signer.pem : 'down', { status }));
    const source = createSigningCertSource({ fetch: f.fn });
    await expect(source.get(URL_A)).rejects.toThrow(SigningCertError);
    await expect(source.get(URL_A)).rejects.toThrow(/HTTP 503/);
    status = 200;
    await expect(source.get(URL_A)).resolves.toBeDefined();
    expect(f.calls).toHaveLength(3);
  });

  it('refuses an answer that is not a certificate, or too large to be one', async () => {
    const junk = createSigningCertSource({ fetch: fakeFetch(() => new Response('<html>hello</html>')).fn });
    await expect(junk.get(URL_A)).rejects.toThrow(/not a PEM X.509 certificate/);
    const big = createSigningCertSource({ fetch: fakeFetch(() => new Response('x'.repeat(70_000))).fn });
    await expect(big.get(URL_A)).rejects.toThrow(/larger than/);
  });

  it('uses a pinned certificate for every URL and never fetches', async () => {
    const f = fakeFetch(() => {
      throw new Error('must not fetch');
    });
    const source = createSigningCertSource({ pinnedPem: signer.pem, fetch: f.fn });
    expect((await source.get(URL_A)).fingerprint256).toBe(signer.certificate.fingerprint256);
    expect((await source.get(URL_B)).fingerprint256).toBe(signer.certificate.fingerprint256);
    expect(f.calls).toEqual([]);
  });
});
