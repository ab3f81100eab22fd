/**
 * One signed request to a Huawei API, as every client of the project sends it (the KMS client,
 * the SMN and CTS clients of `wire`): authorize (AK/SK signature or IAM token), add the unsigned
 * headers the SDKs add after signing, send without ever following a redirect (it would carry the
 * signature or the token to another host), read the body. A request that gets no answer is a
 * `TransportError` (a timeout, a reset, the caller's cancel kept as its reason); what the answer
 * means is the caller's to decide.
 */
import type { HttpTransport, TransportResponse } from './http-transport.ts';
import { type TransportContext, toTransportError } from './transport-error.ts';
import type { AuthProvider } from './types.ts';

export interface SignedRequest {
  method: string;
  url: URL;
  /** The exact body, signed byte for byte; undefined for none. */
  body: string | undefined;
  /** The project the call is for: it scopes an IAM token and is signed as `X-Project-Id`. */
  projectId: string;
  auth: AuthProvider;
  fetch: HttpTransport;
  userAgent: string;
  /** Aborts the request (its timeout and the caller's cancel, combined by the caller). */
  signal: AbortSignal;
  /** How a failure to get an answer is described. */
  transport: TransportContext;
}

/**
 * @returns the answer, its body, and the headers the auth gave the request (for `onUnauthorized`).
 * @throws TransportError (or the caller's abort reason) when no answer came; the auth's own error when it could not authorize.
 */
export async function sendSigned(
  request: SignedRequest,
): Promise<{ response: TransportResponse; text: string; headers: Readonly<Record<string, string>> }> {
  const { signal } = request;
  let headers: Record<string, string>;
  try {
    // docs/huawei-kms.md#aksk-signing step 1: the Node.js SDK sends content-type application/json on every request, GET included.
    headers = await request.auth.authorize(
      { method: request.method, url: request.url, headers: { 'content-type': 'application/json' }, body: request.body },
      request.projectId,
      signal,
    );
    // An auth provider may ignore the signal; do not start a request that is already cancelled.
    signal.throwIfAborted();
  } catch (err) {
    if (signal.aborted) throw toTransportError(err, request.transport);
    throw err;
  }
  try {
    const response = await request.fetch(request.url, {
      method: request.method,
      // Added after signing, unsigned (docs/huawei-kms.md#aksk-signing step 1: the SDKs do the same).
      headers: { ...headers, 'user-agent': request.userAgent, accept: 'application/json' },
      ...(request.body === undefined ? {} : { body: request.body }),
      signal,
      redirect: 'manual',
    });
    return { response, text: await response.text(), headers };
  } catch (err) {
    throw toTransportError(err, request.transport);
  }
}
