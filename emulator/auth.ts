// Authenticates a KMS request the way API Gateway does before KMS sees it (docs/huawei-kms.md#aksk-signing):
// AK/SK (`Authorization: SDK-HMAC-SHA256 ...`, docs/huawei-kms.md#aksk-signing) or an IAM token (`X-Auth-Token`, docs/huawei-kms.md#iam-tokens), then
// checks that the path project belongs to the caller.
import type { AccountDirectory, CredentialMatch, EmulatorAccount } from './accounts.ts';
import type { AuthLockout } from './auth-lockout.ts';
import { gatewayError, type HuaweiError } from './error-bodies.ts';
import type { TokenStore } from './iam.ts';
import {
  formatSdkDate,
  parseAuthorization,
  SIGNING_ALGORITHM,
  verifySignature,
  type HeaderBag,
  type ReceivedRequest,
} from './verify-signature.ts';

export interface Identity {
  /** AK, IAM user name, or `<domain>/<agency>`. */
  readonly principal: string;
  readonly account: EmulatorAccount;
  readonly via: 'aksk' | 'token';
}

export interface AuthContext {
  readonly directory: AccountDirectory;
  readonly tokens: TokenStore;
  readonly lockout: AuthLockout | undefined;
  readonly nowMs: number;
  readonly maxSkewMs: number;
}

function header(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name];
  return value === undefined ? undefined : typeof value === 'string' ? value.trim() : value.join(',').trim();
}

/** Who the request claims to be, without verifying anything (for the call log of rejected calls). */
export function claimedPrincipal(headers: HeaderBag, tokens: TokenStore): string {
  const authorization = parseAuthorization(header(headers, 'authorization'));
  if (authorization) return authorization.access;
  const token = header(headers, 'x-auth-token');
  return token === undefined ? '' : (tokens.find(token)?.principal ?? '');
}

function checkProject(identityAccount: EmulatorAccount, pathProjectId: string, directory: AccountDirectory): void {
  const owner = directory.project(pathProjectId);
  if (!owner || owner.account !== identityAccount) {
    throw gatewayError.forbidden(`project ${pathProjectId} is not accessible with these credentials`);
  }
}

/**
 * Verifies an AK/SK signature as the gateway does, for any API (KMS, or STS, which has no
 * project). Returns the credential's account, or throws the gateway's HuaweiError.
 */
export function authenticateSignature(
  req: ReceivedRequest,
  ctx: AuthContext,
): { match: CredentialMatch; auth: NonNullable<ReturnType<typeof parseAuthorization>> } {
  const auth = parseAuthorization(header(req.headers, 'authorization'));
  if (!auth) throw gatewayError.authFailed('invalid Authorization header');
  const match = ctx.directory.credential(auth.access, ctx.nowMs);
  if (!match) throw gatewayError.authFailed(`ak ${auth.access} not found`);
  if (ctx.lockout?.isLocked(auth.access, ctx.nowMs)) {
    throw gatewayError.authFailed('the AK is locked for 5 minutes after repeated authentication failures');
  }

  const fail = (error: HuaweiError): never => {
    ctx.lockout?.recordFailure(auth.access, ctx.nowMs);
    throw error;
  };
  const result = verifySignature(req, auth, match.credential.sk, ctx.nowMs, ctx.maxSkewMs);
  if (!result.ok) {
    fail(
      result.code === 'APIGW.0303'
        ? gatewayError.signatureExpired(result.signatureTime, formatSdkDate(ctx.nowMs))
        : gatewayError.authFailed(result.detail),
    );
  }
  // A temporary AK must send AND sign X-Security-Token (docs/huawei-kms.md#aksk-signing step 1).
  const expectedToken = match.credential.securityToken;
  if (expectedToken !== undefined) {
    if (!auth.signedHeaders.includes('x-security-token'))
      fail(gatewayError.authFailed('x-security-token is not signed'));
    if (header(req.headers, 'x-security-token') !== expectedToken)
      fail(gatewayError.authFailed('invalid security token'));
  }
  ctx.lockout?.recordSuccess(auth.access);
  return { match, auth };
}

function authenticateAkSk(req: ReceivedRequest, pathProjectId: string, ctx: AuthContext): Identity {
  const { match, auth } = authenticateSignature(req, ctx);
  checkProject(match.account, pathProjectId, ctx.directory);
  // BasicCredentials sign X-Project-Id (docs/huawei-kms.md#aksk-signing step 1); a signed one must name the path project.
  if (auth.signedHeaders.includes('x-project-id') && header(req.headers, 'x-project-id') !== pathProjectId) {
    throw gatewayError.forbidden('X-Project-Id does not match the project in the URL');
  }
  return { principal: auth.access, account: match.account, via: 'aksk' };
}

/** Returns the caller's identity, or throws the gateway's HuaweiError (401 APIGW.0301/0303, 403 APIGW.0302). */
export function authenticateKmsRequest(req: ReceivedRequest, pathProjectId: string, ctx: AuthContext): Identity {
  const authorization = header(req.headers, 'authorization');
  if (authorization?.startsWith(`${SIGNING_ALGORITHM} `)) {
    return authenticateAkSk(req, pathProjectId, ctx);
  }
  const tokenValue = header(req.headers, 'x-auth-token');
  if (tokenValue !== undefined) {
    const token = ctx.tokens.valid(tokenValue, ctx.nowMs);
    // Huawei doc ocr_01_0063: an unknown or expired token reads "decrypt token fail".
    if (!token) throw gatewayError.authFailed('decrypt token fail');
    if (!token.project) throw gatewayError.forbidden('the token is not scoped to a project');
    if (token.project.id !== pathProjectId) {
      throw gatewayError.forbidden(`the token is scoped to project ${token.project.id}, not ${pathProjectId}`);
    }
    return { principal: token.principal, account: token.account, via: 'token' };
  }
  throw gatewayError.authFailed(
    authorization === undefined ? 'no authentication information' : 'unsupported Authorization scheme',
  );
}
