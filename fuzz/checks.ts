/**
 * Independent checks of what the function sends out: the aliases it creates and the HTTP
 * requests it makes. Written from the rules (docs/huawei-kms.md#alias-api, docs/huawei-kms.md#alias-rules), not by calling lib/naming or
 * lib/huawei, so a bug there is not mirrored here. Shared by the fuzz run and the security tests.
 */

/** Huawei's alias rules (docs/huawei-kms.md#alias-rules): `alias/` prefix, `[a-zA-Z0-9:/_-]`, ≤255, no `//`, no trailing `/`, not `…/default`. */
export function aliasRuleViolations(alias: unknown): string[] {
  if (typeof alias !== 'string') return [`alias is a ${typeof alias}, not a string`];
  const problems: string[] = [];
  if (!alias.startsWith('alias/')) problems.push('does not start with "alias/"');
  if (!/^[A-Za-z0-9:/_-]*$/.test(alias)) problems.push('has characters outside [a-zA-Z0-9:/_-]');
  if (alias.length > 255) problems.push(`is ${alias.length} characters long`);
  if (alias.length <= 'alias/'.length) problems.push('has no name after "alias/"');
  if (alias.includes('//')) problems.push('has an empty segment');
  if (alias.endsWith('/')) problems.push('ends with "/"');
  if (/\/default$/i.test(alias)) problems.push('ends with "/default"');
  return problems;
}

/** A request as the function sent it (see http-recorder.ts). */
export interface RecordedRequest {
  url: string;
  method: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: string | undefined;
}

const KEY_ID = /^[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}$/;

export interface RequestExpectations {
  /** The only origin requests may go to, e.g. `http://127.0.0.1:40123`. */
  origin: string;
  /** Configured project ids: the only ones a KMS path may name. */
  projectIds: ReadonlySet<string>;
  /** When set, AK/SK requests must be signed with this AK. */
  ak?: string;
}

/**
 * What is wrong with one request, or nothing. Allowed: `POST /v1.0/<project>/kms/aliases` with
 * `{key_id, alias}` (alias within the rules), `GET /v1.0/<project>/kms/aliases` with only
 * `key_id`/`limit`/`marker`, and `POST /v3/auth/tokens?nocatalog=true` (IAM); always to
 * `origin`, with a matching Host header, and no traversal or encoded separator anywhere in the path.
 */
export function requestViolations(request: RecordedRequest, expected: RequestExpectations): string[] {
  const problems: string[] = [];
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return [`unparsable URL ${JSON.stringify(request.url.slice(0, 120))}`];
  }
  if (url.origin !== expected.origin) problems.push(`went to ${url.origin}, not ${expected.origin}`);
  const host = request.headers.host;
  if (host !== undefined && host !== url.host) problems.push(`Host header ${JSON.stringify(host)} is not ${url.host}`);
  const rawPath = request.url.slice(url.origin.length).split('?')[0] ?? '';
  if (/%2e|%2f|%5c|\.\.|\/\/|\\/i.test(rawPath))
    problems.push(`path ${JSON.stringify(rawPath)} has a traversal or encoded separator`);
  if (url.username !== '' || url.password !== '' || url.hash !== '')
    problems.push('URL carries credentials or a fragment');

  if (url.pathname === '/v3/auth/tokens') {
    if (request.method !== 'POST' || url.search !== '?nocatalog=true')
      problems.push(`unexpected IAM request ${request.method} ${url.pathname}${url.search}`);
    return problems;
  }
  const match = /^\/v1\.0\/([^/]+)\/kms\/aliases$/.exec(url.pathname);
  const projectId = match?.[1];
  if (projectId === undefined) {
    problems.push(`path ${JSON.stringify(url.pathname)} is not /v1.0/<project>/kms/aliases`);
    return problems;
  }
  if (!expected.projectIds.has(projectId)) problems.push(`project ${projectId} is not configured`);
  const xProject = request.headers['x-project-id'];
  if (xProject !== undefined && xProject !== projectId) problems.push('X-Project-Id differs from the path project');
  if (expected.ak !== undefined && request.headers.authorization !== undefined) {
    if (!request.headers.authorization.startsWith(`SDK-HMAC-SHA256 Access=${expected.ak}, `))
      problems.push('not signed with the configured AK');
  }
  if (request.method === 'POST') {
    if (url.search !== '') problems.push('createAlias has a query');
    let payload: unknown;
    try {
      payload = JSON.parse(request.body ?? '');
    } catch {
      payload = undefined;
    }
    const p = payload as { key_id?: unknown; alias?: unknown } | undefined;
    if (p === undefined || typeof p !== 'object' || p === null) {
      problems.push('createAlias body is not a JSON object');
    } else {
      const keys = Object.keys(p).sort().join(',');
      if (keys !== 'alias,key_id') problems.push(`createAlias body has keys ${keys}`);
      if (typeof p.key_id !== 'string' || !KEY_ID.test(p.key_id)) problems.push('createAlias key_id is not a key id');
      for (const v of aliasRuleViolations(p.alias)) problems.push(`createAlias alias ${v}`);
    }
  } else if (request.method === 'GET') {
    for (const [name, value] of url.searchParams) {
      if (name === 'key_id' && !KEY_ID.test(value)) problems.push('listAliases key_id is not a key id');
      else if (name === 'limit' && !/^[0-9]{1,5}$/.test(value)) problems.push('listAliases limit is not a number');
      else if (name === 'marker' && !/^[A-Za-z0-9:/_-]{1,255}$/.test(value))
        problems.push('listAliases marker is not an alias name');
      else if (!['key_id', 'limit', 'marker'].includes(name))
        problems.push(`listAliases has query parameter ${JSON.stringify(name)}`);
    }
  } else {
    problems.push(`unexpected method ${request.method}`);
  }
  return problems;
}

/** A request as a server received it (see http-recorder.ts). */
export interface ServerSideRequest {
  method: string;
  /** Raw path and query. */
  url: string;
  headers: Record<string, string>;
}

/**
 * What is wrong with a request as the emulator received it: a Host header other than the
 * emulator's, or a raw path other than the configured projects' alias paths (or IAM's).
 */
export function receivedRequestViolations(
  request: ServerSideRequest,
  expected: { host: string; projectIds: ReadonlySet<string> },
): string[] {
  const problems: string[] = [];
  if (request.headers.host !== expected.host)
    problems.push(`Host header ${JSON.stringify(request.headers.host)} is not ${expected.host}`);
  const [path = '', query] = request.url.split('?', 2);
  if (/%2e|%2f|%5c|\.\.|\/\/|\\/i.test(path)) problems.push('the raw path has a traversal or encoded separator');
  const match = /^\/v1\.0\/([^/]+)\/kms\/aliases$/.exec(path);
  if (path === '/v3/auth/tokens') {
    if (request.method !== 'POST' || query !== 'nocatalog=true') problems.push('unexpected IAM request');
  } else if (match === null || !expected.projectIds.has(match[1] ?? '')) {
    problems.push(`raw path ${JSON.stringify(path.slice(0, 80))} is not /v1.0/<configured project>/kms/aliases`);
  } else if (request.method !== 'POST' && request.method !== 'GET') {
    problems.push(`method ${request.method}`);
  }
  return problems;
}

/** The emulator's view of one call (a subset of its CallRecord). */
export interface EmulatorCall {
  method: string;
  path: string;
  operation: string;
  status: number;
  huaweiCode?: string;
  alias?: string;
}

/**
 * What is wrong with a call the emulator received: a path other than the configured projects'
 * alias (or IAM token) paths, an operation the function never needs, a request the gateway
 * refused (bad signature, unknown route: APIGW.*), or an alias outside the rules.
 */
export function emulatorCallViolations(call: EmulatorCall, projectIds: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  const match = /^\/v1\.0\/([^/]+)\/kms\/aliases$/.exec(call.path);
  if (call.path === '/v3/auth/tokens') {
    if (call.operation !== 'iamToken') problems.push(`IAM path with operation ${call.operation}`);
  } else if (match === null || !projectIds.has(match[1] ?? '')) {
    problems.push(`emulator saw path ${JSON.stringify(call.path)}`);
  } else if (call.operation !== 'createAlias' && call.operation !== 'listAliases') {
    problems.push(`emulator saw operation ${call.operation}`);
  }
  if (call.huaweiCode?.startsWith('APIGW.') || call.status === 401 || call.status === 403) {
    problems.push(`gateway refused ${call.method} ${call.path}: ${call.status} ${call.huaweiCode ?? ''}`);
  }
  if (call.operation === 'createAlias' && call.alias !== undefined) {
    for (const v of aliasRuleViolations(call.alias)) problems.push(`emulator received alias that ${v}`);
  }
  return problems;
}

/** Own property names of the built-in prototypes, to detect prototype pollution. */
export function prototypeSnapshot(): string {
  const names = (o: object) => Reflect.ownKeys(o).map(String).sort().join(',');
  return [Object.prototype, Array.prototype, Function.prototype, String.prototype].map(names).join('|');
}

/** Keys hostile bodies try to plant on Object.prototype. */
export const POLLUTION_CANARIES = ['polluted', 'isAdmin', 'fuzzCanary', 'key_alias', 'region', 'endpoint'] as const;

/** What a prototype-pollution attempt changed, or nothing. */
export function pollutionViolations(before: string): string[] {
  const problems: string[] = [];
  if (prototypeSnapshot() !== before) problems.push('a built-in prototype gained or lost a property');
  const probe: Record<string, unknown> = {};
  for (const key of POLLUTION_CANARIES) {
    if (probe[key] !== undefined) problems.push(`({}).${key} is ${JSON.stringify(probe[key])}`);
  }
  return problems;
}
