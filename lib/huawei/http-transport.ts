/**
 * What the KMS client asks of an HTTP client: the slice of `fetch` it uses (a method, headers, a
 * string body, an AbortSignal; never a redirect). The global `fetch` fits it, and so do the two
 * transports written for it: lib/huawei/http1-transport.ts (the one the Lambda uses) and
 * lib/huawei/node-http-transport.ts (node:http, kept for comparison).
 */
export interface TransportInit {
  method: string;
  headers: Readonly<Record<string, string>>;
  body?: string;
  signal?: AbortSignal;
  /** Accepted for fetch compatibility; the transports never follow a redirect. */
  redirect?: 'manual';
}

export interface TransportResponse {
  status: number;
  /** fetch's `Headers`, or (the project's transports) a record with lower-case names, as node:http gives them. */
  headers: Headers | Readonly<Record<string, string | undefined>>;
  text(): Promise<string>;
}

/** The slice of `fetch` the KMS client uses; the global fetch fits it too. */
export type HttpTransport = (url: URL, init: TransportInit) => Promise<TransportResponse>;
