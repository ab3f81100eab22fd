/**
 * The auth of each configured account, built from configuration: the central identity (AK/SK,
 * the credentials secret, or the IAM user, shared), each account's own secret, and each agency
 * (IAM assume_role with the IAM user; STS AssumeAgency with AK/SK). Shared by the KMS client
 * (create-kms-from-config.ts) and `wire`'s SMN and CTS clients.
 */
import { registerSecret, secretRegistry } from '../audit/secret-registry.ts';
import type { Config } from '../config/load-config.ts';
import type { AccountConfig } from '../config/parse-accounts.ts';
import { ConfigError } from '../errors/app-error.ts';
import { createAkSkAuth } from '../huawei/aksk-auth.ts';
import { iamEndpointFor, stsEndpointFor } from '../huawei/endpoints.ts';
import { createIamTokenAuth } from '../huawei/iam-token-auth.ts';
import { isRegionId } from '../huawei/id-patterns.ts';
import { createStsAgencyAuth } from '../huawei/sts-agency-auth.ts';
import type { AuthProvider } from '../huawei/types.ts';
import type { AkSkSecret } from '../config/fetch-aws-secret.ts';
import { endpointResolver } from './endpoint-resolver.ts';
import { createSecretStoreAuth } from './create-secret-store-auth.ts';
import { routeAuthByProject } from './route-by-project.ts';

/** What an entry point may change about the auth; everything else comes from `Config`. */
export interface AccountAuthOptions {
  fetch?: typeof fetch;
  userAgent?: string;
  /** Re-read credentials from Secrets Manager / SSM after this long (at most 5 min, the default). */
  credentialsTtlMs?: number;
  /** How long an IAM 401 to the password is remembered instead of asked again (default 5 min). */
  iamRefusalMemoryMs?: number;
  /**
   * Reads an AK/SK secret (HUAWEICLOUD_CREDENTIALS_SECRET_ID, an account's `secret`/`ssm`);
   * default the Lambda extension (lib/config/fetch-aws-secret.ts). The CLI, off Lambda, reads
   * with the AWS SDK instead.
   */
  readSecret?: (source: { source: 'secretsmanager' | 'ssm'; id: string }) => Promise<AkSkSecret>;
}

/** The values the logger must mask, whatever the credential kind (registered at once, too). */
export function secretsOf(config: Config): string[] {
  const c = config.credentials;
  const secrets =
    c.kind === 'aksk'
      ? [c.ak, c.sk, ...(c.securityToken === undefined ? [] : [c.securityToken])]
      : c.kind === 'password'
        ? [c.password]
        : [];
  for (const secret of secrets) registerSecret(secret);
  return secrets;
}

/**
 * Errors out of the auth layer pass through the secret registry: an IAM answer or a transport
 * error could quote what was sent (lib/audit/secret-registry.ts keeps the error's type).
 */
function scrubbing(auth: AuthProvider): AuthProvider {
  return {
    authorize: (request, projectId, signal) =>
      auth.authorize(request, projectId, signal).catch((err: unknown) => {
        throw scrubbedError(err);
      }),
    ...(auth.onUnauthorized === undefined
      ? {}
      : { onUnauthorized: (projectId, refused) => auth.onUnauthorized?.(projectId, refused) ?? false }),
  };
}

/** `err` itself when it holds no secret (most do not: keep identity and abort reasons), else a scrubbed copy. */
function scrubbedError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  let text = '';
  try {
    // The cause chain too: a transport error keeps fetch's own, which quotes a header value it refused.
    let current: unknown = err;
    for (let depth = 0; current instanceof Error && depth < 8; depth++, current = current.cause) {
      text += `${current.message}\n${current.stack ?? ''}\n${JSON.stringify(current)}\n`;
    }
  } catch {
    return secretRegistry.scrubError(err); // a cycle: scrub whatever it holds
  }
  return secretRegistry.scrubText(text) === text ? err : secretRegistry.scrubError(err);
}

/**
 * The auth of every call the configuration allows: the account of the call's project decides
 * (with one account, that account's auth itself). Used by `wire` for SMN and CTS.
 */
export function createAuthFromConfig(config: Config, options: AccountAuthOptions = {}): AuthProvider {
  const auths = createAccountAuths(config, options);
  const [only] = auths.values();
  if (auths.size === 1 && only !== undefined) return only;
  const byProject = new Map<string, AuthProvider>();
  for (const [account, auth] of auths) for (const projectId of account.projects.keys()) byProject.set(projectId, auth);
  return routeAuthByProject(byProject);
}

/**
 * One auth per account, each scrubbing what it throws. The central identity is built once and
 * shared: by its own account, and as the caller of every agency (IAM assume_role with the IAM
 * user's token; STS AssumeAgency signed with the central AK/SK otherwise).
 */
export function createAccountAuths(
  config: Config,
  options: AccountAuthOptions = {},
): ReadonlyMap<AccountConfig, AuthProvider> {
  secretsOf(config);
  const region = firstRegion(config);
  const iamEndpoint = endpointResolver(config.iamEndpoint, iamEndpointFor)(region);
  // Built on first need: a deployment of secret-only accounts has no central identity.
  let user: CentralUser | undefined;
  const centralUser = (): CentralUser => {
    user ??= createCentralUser(config, iamEndpoint, options);
    return user;
  };
  let central: AuthProvider | undefined;
  const centralAuth = (): AuthProvider => {
    central ??= createCentralAuth(config, iamEndpoint, centralUser, options);
    return central;
  };
  const agencyAuth = (account: AccountConfig, agencyName: string): AuthProvider => {
    if (config.credentials.kind === 'password') {
      return createAgencyAuth(centralUser(), { agencyName, domainId: account.domainId }, iamEndpoint, options);
    }
    return createStsAgencyAuth({
      stsEndpoint: endpointResolver(config.stsEndpoint, stsEndpointFor)(region),
      agencyUrn: agencyUrnOf(account.domainId ?? '', agencyName),
      caller: centralAuth(),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      ...(options.userAgent === undefined ? {} : { userAgent: options.userAgent }),
    });
  };
  const auths = new Map<AccountConfig, AuthProvider>();
  for (const account of config.accounts) {
    const access = account.access;
    const auth =
      access.kind === 'aws-secret'
        ? createSecretAuth(access, config, options)
        : access.kind === 'agency'
          ? agencyAuth(account, access.agencyName)
          : centralAuth();
    auths.set(account, scrubbing(auth));
  }
  return auths;
}

/** The URN STS AssumeAgency names an agency by (docs/huawei-kms.md#sts-agency; the spelling is unverified). */
function agencyUrnOf(domainId: string, agencyName: string): string {
  return `iam::${domainId}:agency:${agencyName}`;
}

function firstRegion(config: Config): string {
  return config.projects.values().next().value ?? 'cn-north-4';
}

/** The central credentials, used as they are: AK/SK, the credentials secret, or the IAM user (with HUAWEICLOUD_IAM_AGENCY, its agency). */
function createCentralAuth(
  config: Config,
  iamEndpoint: string,
  centralUser: () => CentralUser,
  options: AccountAuthOptions,
): AuthProvider {
  const c = config.credentials;
  if (c.kind === 'aksk') return createAkSkAuth(c);
  if (c.kind === 'aws-secret') return createSecretAuth(c, config, options);
  if (c.kind === 'none') throw new ConfigError('no central credentials are configured');
  const user = centralUser();
  if (c.agency === undefined) return user.auth;
  return createAgencyAuth(user, { agencyName: c.agency.name, domainName: c.agency.domain }, iamEndpoint, options);
}

/** AK/SK JSON read from Secrets Manager or SSM, re-read after a TTL and after a 401. */
function createSecretAuth(
  source: { source: 'secretsmanager' | 'ssm'; id: string },
  config: Config,
  options: AccountAuthOptions,
): AuthProvider {
  const { readSecret } = options;
  if (readSecret !== undefined) {
    return createSecretStoreAuth({
      read: () => readSecret(source),
      ttlMs: options.credentialsTtlMs ?? config.credentialsTtlMs,
    });
  }
  return createSecretStoreAuth({
    // The reader is imported on the first read: its zod schema would otherwise be built at every
    // cold start, also where the credentials come from the environment.
    read: () =>
      import('../config/fetch-aws-secret.ts').then(({ fetchAwsSecret }) =>
        fetchAwsSecret({
          source: source.source,
          id: source.id,
          // Part of a KMS request, so no longer than one; the extension answers from its cache in
          // milliseconds, a miss costs one Secrets Manager call.
          timeoutMs: Math.min(config.requestTimeoutMs, 5_000),
          ...(options.fetch ? { fetch: options.fetch } : {}),
        }),
      ),
    ttlMs: options.credentialsTtlMs ?? config.credentialsTtlMs,
  });
}

/** The central IAM user's own token, and the scope it is asked for. */
interface CentralUser {
  auth: AuthProvider;
  /** The token's cache key: a region name (see below). */
  scope: string;
}

function createCentralUser(config: Config, iamEndpoint: string, options: AccountAuthOptions): CentralUser {
  const c = config.credentials;
  if (c.kind !== 'password') throw new ConfigError('an agency needs the central IAM user (HUAWEICLOUD_IAM_USER)');
  const auth = createIamTokenAuth({
    iamEndpoint,
    mode: { kind: 'password', user: c.user, password: c.password, domain: c.domain },
    // As a caller token for assume_role, scoped by project *name*, a region id (IAM accepts a name
    // or an id, docs/huawei-kms.md#iam-tokens): the user's own project of that region, whatever
    // account the agency is in; a project id of the map names the delegating account's project,
    // which the user cannot scope to. As the token of its own account's KMS calls, by project id.
    // Region ids and project ids never look alike (lib/huawei/id-patterns.ts).
    projectNameFor: (scope) => (isRegionId(scope) ? scope : undefined),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    refusalMemoryMs: options.iamRefusalMemoryMs ?? config.iamRefusalMemoryMs,
  });
  // As a caller token: one token, cached under one scope, which is also the one dropped after a
  // 401, whatever project the failing call was for (else a revoked user token stays cached and
  // every other project's assume_role fails with it).
  return { auth, scope: firstRegion(config) };
}

/** assume_role: the central user's token asks IAM for a token of the agency (docs/huawei-kms.md#iam-tokens). */
function createAgencyAuth(
  user: CentralUser,
  agency: { agencyName: string; domainId?: string | undefined; domainName?: string | undefined },
  iamEndpoint: string,
  options: AccountAuthOptions,
): AuthProvider {
  const agencyAuth = createIamTokenAuth({
    iamEndpoint,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    mode: {
      kind: 'assume_role',
      agencyName: agency.agencyName,
      // The account's id when the map names it (HUAWEICLOUD_ACCOUNTS), else its name (HUAWEICLOUD_IAM_AGENCY_DOMAIN).
      ...(agency.domainId === undefined ? { domainName: agency.domainName } : { domainId: agency.domainId }),
      callerToken: async () => {
        const headers = await user.auth.authorize(
          { method: 'POST', url: new URL(iamEndpoint), headers: {}, body: undefined },
          user.scope,
        );
        return headers['X-Auth-Token'] ?? '';
      },
      // IAM refused the caller token (revoked early, docs/huawei-kms.md#iam-tokens): a fresh one is needed.
      onCallerRefused: () => user.auth.onUnauthorized?.(user.scope) ?? false,
      // KMS refused the agency token: the user's token may be revoked too (docs/huawei-kms.md#iam-tokens);
      // drop both, so the retry asks IAM for fresh ones instead of presenting a dead caller token.
      onTokenRefused: () => {
        user.auth.onUnauthorized?.(user.scope);
      },
    },
  });
  return agencyAuth;
}
