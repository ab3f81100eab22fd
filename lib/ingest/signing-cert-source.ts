import { X509Certificate } from 'node:crypto';

/** Where verification gets the certificate of a `signing_cert_url` (already checked by policy). */
export interface SigningCertSource {
  /** @throws SigningCertError when the certificate cannot be had. */
  get(url: URL): Promise<X509Certificate>;
}

export class SigningCertError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'SigningCertError';
  }
}

export interface SigningCertSourceOptions {
  /**
   * A pinned certificate (Huawei publishes SMN's signing cert.pem and recommends pinning it,
   * https://support.huaweicloud.com/intl/en-us/usermanual-smn/smn_ug_a9000.html). When set it is
   * used for every message and nothing is fetched.
   */
  pinnedPem?: string | undefined;
  fetch?: typeof fetch;
  timeoutMs?: number;
  /** A PEM certificate is a few KiB; anything much larger is not one. */
  maxBytes?: number;
  /** Certificates kept at once, least recently used let go first. Default 16. */
  maxEntries?: number;
}

/**
 * The certificates of one Lambda instance, cached by URL (SMN signs with a long-lived
 * certificate, valid for ten years). Concurrent first requests share one fetch; a failed fetch is
 * not cached. Redirects are refused: they would lead off the allowed host. The cache is bounded:
 * the URL comes from an unsigned request, and a host that ignores the query string answers
 * `cert.pem?1`, `cert.pem?2`, … with a certificate each.
 */
export function createSigningCertSource(options: SigningCertSourceOptions = {}): SigningCertSource {
  if (options.pinnedPem !== undefined) {
    const pinned = new X509Certificate(options.pinnedPem);
    return { get: async () => pinned };
  }
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const maxBytes = options.maxBytes ?? 64 * 1024;
  const maxEntries = options.maxEntries ?? 16;
  const cache = new Map<string, Promise<X509Certificate>>();
  const load = async (url: URL): Promise<X509Certificate> => {
    let text: string;
    try {
      const response = await doFetch(url, { redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const body = Buffer.from(await response.arrayBuffer());
      if (body.length > maxBytes) throw new Error(`larger than ${maxBytes} bytes`);
      text = body.toString('utf8');
    } catch (err) {
      throw new SigningCertError(
        `cannot fetch the signing certificate from ${url.host}: ${(err as Error).message}`,
        err,
      );
    }
    try {
      return new X509Certificate(text);
    } catch (err) {
      throw new SigningCertError(`the signing certificate from ${url.host} is not a PEM X.509 certificate`, err);
    }
  };
  return {
    get(url) {
      const key = url.href;
      let pending = cache.get(key);
      // Re-inserted on every use: a Map iterates in insertion order, so the first key is the least recently used.
      if (pending !== undefined) cache.delete(key);
      else {
        const loading = load(url);
        pending = loading;
        loading.catch(() => {
          if (cache.get(key) === loading) cache.delete(key);
        });
      }
      cache.set(key, pending);
      while (cache.size > maxEntries) {
        const oldest = cache.keys().next().value;
        if (oldest === undefined) break;
        cache.delete(oldest);
      }
      return pending;
    },
  };
}
