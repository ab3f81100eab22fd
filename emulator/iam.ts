// IAM token service: `POST /v3/auth/tokens` with the password and assume_role bodies of docs/huawei-kms.md#iam-tokens,
// served by the same HTTP server so IAM_ENDPOINT can point at the emulator. Tokens are opaque; the
// store remembers who they belong to, their project scope and expiry.
import type { AccountDirectory, EmulatorAccount, ProjectRef } from './accounts.ts';
import { HuaweiError } from './error-bodies.ts';
import { newIamToken, stableHexId } from './ids.ts';
import { asObject, asString, parseJsonObject, type JsonObject } from './json.ts';

/** IAM token validity (docs/huawei-kms.md#iam-tokens: 24 h). */
export const DEFAULT_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;

export interface IssuedToken {
  readonly token: string;
  /** IAM user name, or `<delegating domain>/<agency>` for an agency token. */
  readonly principal: string;
  /** The account whose resources the token acts on (the delegating account for an agency token). */
  readonly account: EmulatorAccount;
  /** Project scope; undefined for a domain-scoped token, which KMS rejects. */
  readonly project: ProjectRef | undefined;
  readonly issuedAt: number;
  expiresAt: number;
}

export class TokenStore {
  readonly #tokens = new Map<string, IssuedToken>();

  add(token: IssuedToken): void {
    this.#tokens.set(token.token, token);
  }

  /** The token when it exists and has not expired at `nowMs`. */
  valid(token: string, nowMs: number): IssuedToken | undefined {
    const found = this.#tokens.get(token);
    return found !== undefined && nowMs < found.expiresAt ? found : undefined;
  }

  /** Any token, expired or not (for call-log principals). */
  find(token: string): IssuedToken | undefined {
    return this.#tokens.get(token);
  }

  expireAll(nowMs: number): void {
    for (const t of this.#tokens.values()) t.expiresAt = Math.min(t.expiresAt, nowMs);
  }

  clear(): void {
    this.#tokens.clear();
  }
}

export interface IamContext {
  readonly directory: AccountDirectory;
  readonly tokens: TokenStore;
  readonly nowMs: number;
  readonly ttlMs: number;
  /** Emulator base URL, for the service catalog. */
  readonly baseUrl: string;
}

export interface IamResult {
  readonly status: 201;
  readonly subjectToken: string;
  readonly body: unknown;
  readonly principal: string;
}

// Keystone-shaped errors (`{"error":{"code","message","title"}}`). The `code` strings below only label
// the call record; IAM's body carries the numeric status, not a code string.
const iamError = {
  badRequest: (message: string): HuaweiError => new HuaweiError(400, 'IAM.400', message, 'keystone'),
  wrongPassword: (): HuaweiError => new HuaweiError(401, 'IAM.401', 'The username or password is wrong.', 'keystone'),
  unauthenticated: (): HuaweiError =>
    new HuaweiError(401, 'IAM.401', 'The request you have made requires authentication.', 'keystone'),
  // Unverified: The agency-not-found/not-trusted status is not documented by Huawei; 403 is keystone's
  // answer for a forbidden assume and is the least surprising choice.
  agencyForbidden: (agency: string): HuaweiError =>
    new HuaweiError(403, 'IAM.403', `You are not authorized to assume agency ${agency}.`, 'keystone'),
} as const;

/** Huawei IAM writes times with microseconds, e.g. `2020-01-05T07:17:27.557000Z`. */
function iamTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}

function domainRef(account: EmulatorAccount): { id: string; name: string } {
  return { id: account.domainId, name: account.domainName };
}

/** Scope `{"project":{"id"|"name"}}` or `{"domain":{...}}`; no scope = domain scope. */
function resolveScope(scope: JsonObject | undefined, account: EmulatorAccount): ProjectRef | undefined {
  const project = asObject(scope?.['project']);
  if (project) {
    const id = asString(project['id']);
    const name = asString(project['name']);
    const found = account.projects.find((p) => (id !== undefined ? p.id === id : p.name === name));
    // Unverified: Keystone-style 400 for a scope the account does not have.
    if (!found) throw iamError.badRequest(`Invalid scope: project ${id ?? name ?? '?'} not found in the account.`);
    return found;
  }
  const domain = asObject(scope?.['domain']);
  if (domain) {
    const id = asString(domain['id']);
    const name = asString(domain['name']);
    if ((id !== undefined && id !== account.domainId) || (id === undefined && name !== account.domainName)) {
      throw iamError.badRequest('Invalid scope: domain mismatch.');
    }
  }
  return undefined;
}

function catalog(baseUrl: string, project: ProjectRef | undefined): unknown[] {
  const region = project?.name ?? '*';
  const entry = (type: string): unknown => ({
    type,
    name: type,
    id: stableHexId('catalog', type),
    endpoints: [{ interface: 'public', region, region_id: region, url: baseUrl, id: stableHexId('endpoint', type) }],
  });
  return [entry('iam'), entry('kms')];
}

/** Best-effort principal of a token request, for the call log when the request fails. */
export function iamPrincipalHint(body: Uint8Array): string {
  const identity = asObject(asObject(parseJsonObject(body)?.['auth'])?.['identity']);
  const user = asObject(asObject(identity?.['password'])?.['user']);
  return asString(user?.['name']) ?? '';
}

/** Handles `POST /v3/auth/tokens`; throws a keystone-shaped HuaweiError on failure. */
export function issueToken(
  body: Uint8Array,
  query: URLSearchParams,
  callerToken: string | undefined,
  ctx: IamContext,
): IamResult {
  const auth = asObject(parseJsonObject(body)?.['auth']);
  const identity = asObject(auth?.['identity']);
  const methods = identity?.['methods'];
  if (!auth || !identity || !Array.isArray(methods)) throw iamError.badRequest('The request body is invalid.');
  const scope = asObject(auth['scope']);

  let principal: string;
  let account: EmulatorAccount;
  let userBody: Record<string, unknown>;
  let assumedBy: Record<string, unknown> | undefined;
  let ttlMs = ctx.ttlMs;

  if (methods.includes('password')) {
    const user = asObject(asObject(identity['password'])?.['user']);
    const name = asString(user?.['name']);
    const password = asString(user?.['password']);
    const domain = asObject(user?.['domain']);
    const domainId = asString(domain?.['id']);
    const domainName = asString(domain?.['name']);
    if (!name || password === undefined || (domainId === undefined && domainName === undefined)) {
      throw iamError.badRequest('The request body is invalid: password.user.name, password and domain are required.');
    }
    const found = ctx.directory.account({ id: domainId, name: domainName });
    const iamUser = found?.users.find((u) => u.name === name);
    if (!found || !iamUser || iamUser.password !== password) throw iamError.wrongPassword();
    account = found;
    principal = name;
    userBody = {
      id: stableHexId('user', found.domainId, name),
      name,
      domain: domainRef(found),
      password_expires_at: '',
    };
  } else if (methods.includes('assume_role')) {
    // The caller authenticates with its own token (docs/huawei-kms.md#iam-tokens, agency body).
    const caller = callerToken === undefined ? undefined : ctx.tokens.valid(callerToken, ctx.nowMs);
    if (!caller) throw iamError.unauthenticated();
    const assume = asObject(identity['assume_role']);
    const agencyName = asString(assume?.['agency_name']);
    const domainId = asString(assume?.['domain_id']);
    const domainName = asString(assume?.['domain_name']);
    if (!agencyName || (domainId === undefined && domainName === undefined)) {
      throw iamError.badRequest('The request body is invalid: assume_role.agency_name and domain_name are required.');
    }
    const target = ctx.directory.account({ id: domainId, name: domainName });
    if (!target || !ctx.directory.mayAssume(caller.account, target, agencyName)) {
      throw iamError.agencyForbidden(agencyName);
    }
    const duration = assume?.['duration_seconds'];
    if (duration !== undefined) {
      if (typeof duration !== 'number' || !Number.isInteger(duration) || duration < 900 || duration > 86_400) {
        throw iamError.badRequest('Invalid duration_seconds.');
      }
      ttlMs = duration * 1000;
    }
    account = target;
    principal = `${target.domainName}/${agencyName}`;
    userBody = { id: stableHexId('agency', target.domainId, agencyName), name: principal, domain: domainRef(target) };
    assumedBy = {
      user: {
        id: stableHexId('user', caller.account.domainId, caller.principal),
        name: caller.principal,
        domain: domainRef(caller.account),
      },
    };
  } else {
    throw iamError.badRequest('The request body is invalid: unsupported identity method.');
  }

  const project = resolveScope(scope, account);
  const issuedAt = ctx.nowMs;
  const token: IssuedToken = {
    token: newIamToken(),
    principal,
    account,
    project,
    issuedAt,
    expiresAt: issuedAt + ttlMs,
  };
  ctx.tokens.add(token);

  const tokenBody: Record<string, unknown> = {
    expires_at: iamTime(token.expiresAt),
    issued_at: iamTime(issuedAt),
    methods: methods.includes('password') ? ['password'] : ['assume_role'],
    ...(project
      ? { project: { id: project.id, name: project.name, domain: domainRef(account) } }
      : { domain: domainRef(account) }),
    roles: [{ id: stableHexId('role', 'kms_adm'), name: 'kms_adm' }],
    user: userBody,
    ...(assumedBy ? { assumed_by: assumedBy } : {}),
    ...(query.get('nocatalog') === 'true' ? {} : { catalog: catalog(ctx.baseUrl, project) }),
  };
  return { status: 201, subjectToken: token.token, body: { token: tokenBody }, principal };
}
