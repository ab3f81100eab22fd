import type { TransportInit } from './http-transport.ts';

/** Methods node:http sends without a body framing header when none is given (ClientRequest's list). */
const NO_DEFAULT_BODY = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT']);

/** A request's header lines, names as given, in the order they are written. */
export interface HeaderLines {
  names: string[];
  values: string[];
}

/**
 * The header lines a request carries, as node:http sends them (both transports write these, so
 * the KMS gateway sees the same request whichever one sends it): the given headers, a name given
 * twice in different case once (the last value in the last spelling, as `setHeader` keeps it);
 * `Host` (with the port when not the default) unless given; `Content-Length` for a body,
 * replacing a given one, or `Content-Length: 0` where node:http adds it (a method that may carry
 * a body, sent without one).
 *
 * @param check called with each given name and value before it is taken; it throws to refuse
 *   one (the HTTP/1.1 transport validates there; node:http validates what it is given itself).
 */
export function requestHeaderLines(
  url: URL,
  init: TransportInit,
  check?: (name: string, value: unknown) => void,
): HeaderLines {
  const { body } = init;
  const names: string[] = [];
  const values: string[] = [];
  const lower: string[] = [];
  let hasHost = false;
  let hasLength = false;
  for (const name of Object.keys(init.headers)) {
    const value = init.headers[name] as string;
    check?.(name, value);
    const key = name.toLowerCase();
    if (key === 'content-length') {
      if (body !== undefined) continue;
      hasLength = true;
    } else if (key === 'host') hasHost = true;
    const at = lower.indexOf(key);
    if (at >= 0) {
      names[at] = name;
      values[at] = value;
    } else {
      lower.push(key);
      names.push(name);
      values.push(value);
    }
  }
  if (!hasHost) {
    names.push('Host');
    values.push(url.host);
  }
  if (body !== undefined) {
    names.push('Content-Length');
    values.push(String(Buffer.byteLength(body)));
  } else if (!hasLength && !NO_DEFAULT_BODY.has(init.method.toUpperCase())) {
    names.push('Content-Length');
    values.push('0');
  }
  return { names, values };
}
