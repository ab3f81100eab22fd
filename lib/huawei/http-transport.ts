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

/**
 * fetch's `Headers`, or the project's transports' lower-case names: a Map (http1-transport) or a
 * record, as node:http gives them (node-http-transport). Read any of them with `headerValue`.
 */
export type ResponseHeaders = Headers | ReadonlyMap<string, string> | Readonly<Record<string, string | undefined>>;

export interface TransportResponse {
  status: number;
  headers: ResponseHeaders;
  text(): Promise<string>;
}

/** The slice of `fetch` the KMS client uses; the global fetch fits it too. */
export type HttpTransport = (url: URL, init: TransportInit) => Promise<TransportResponse>;
