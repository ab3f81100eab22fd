/**
 * Is the ingest URL answering? One unauthenticated GET (no token is ever sent): any 2xx or 4xx
 * (the ingest function refuses a GET with a reason) means an HTTP server is there; a redirect, a
 * 5xx, a timeout or a network error is a finding, since SMN would not get its messages through.
 */
export interface ProbeResult {
  ok: boolean;
  /** HTTP status; absent when no answer came. */
  status?: number;
  /** Why there was no answer (network error or timeout). */
  error?: string;
}

export type ProbeIngestUrl = (url: string, signal?: AbortSignal) => Promise<ProbeResult>;

export function createIngestProbe(fetchImpl: typeof fetch = globalThis.fetch, timeoutMs = 5_000): ProbeIngestUrl {
  return async (url, signal) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      const res = await fetchImpl(url, {
        method: 'GET',
        redirect: 'manual',
        signal: signal === undefined ? timeout : AbortSignal.any([timeout, signal]),
      });
      await res.body?.cancel();
      const ok = (res.status >= 200 && res.status < 300) || (res.status >= 400 && res.status < 500);
      return { ok, status: res.status };
    } catch (err) {
      const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
      const code = typeof cause === 'object' && cause !== null ? Reflect.get(cause, 'code') : undefined;
      const reason = timeout.aborted
        ? `no answer within ${timeoutMs} ms`
        : typeof code === 'string'
          ? code
          : err instanceof Error
            ? err.message
            : String(err);
      return { ok: false, error: reason };
    }
  };
}
