/**
 * One POST to an identity service (IAM's token API, STS AssumeAgency) that answers credentials:
 * no redirect is ever followed (the body or the signature holds credentials), a request that
 * gets no answer is a `TransportError`, and a non-2xx answer an `IamError` classified once, from
 * Huawei's status and code (parse-huawei-error.ts). Both carry code `IAM_AUTH`.
 */
import type { IamError } from '../errors/huawei-errors.ts';
import { parseHuaweiError } from './parse-huawei-error.ts';
import { toTransportError } from './transport-error.ts';

export interface CredentialsRequest {
  url: URL;
  headers: Record<string, string>;
  body: string;
  /** `iam.token`, `sts.assume_agency`: names the call in errors and logs. */
  operation: string;
  timeoutMs: number;
  fetch: typeof fetch;
}

/** The 2xx answer: its status, headers and body text. */
export interface CredentialsAnswer {
  status: number;
  headers: Headers;
  text: string;
}

/**
 * @throws TransportError when no answer came (network, timeout); the `IamError` of a non-2xx
 *   answer otherwise (its `status` tells a 401 apart).
 */
export async function postCredentialsRequest(request: CredentialsRequest): Promise<CredentialsAnswer> {
  const timeoutSignal = AbortSignal.timeout(request.timeoutMs);
  let response: Response;
  let text: string;
  try {
    response = await request.fetch(request.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      signal: timeoutSignal,
      redirect: 'manual',
    });
    text = await response.text();
  } catch (err) {
    throw toTransportError(err, {
      operation: request.operation,
      service: 'iam',
      timeoutMs: request.timeoutMs,
      timeoutSignal,
      callerSignal: undefined,
    });
  }
  if (response.status < 200 || response.status >= 300) {
    throw parseHuaweiError({
      status: response.status,
      bodyText: text,
      headers: response.headers,
      operation: request.operation,
      service: 'iam',
    }) as IamError;
  }
  return { status: response.status, headers: response.headers, text };
}
