// STS AssumeAgency (IAM v5): `POST /v5/agencies/assume`, signed with the caller's AK/SK (no
// project), answers a temporary AK/SK and security token of the agency's account
// (https://support.huaweicloud.com/intl/en-us/api-iam5/AssumeAgency.html; the call as Cloud
// Custodian's Huawei provider makes it, c7n_huaweicloud/provider.py). Unverified, and so kept
// tolerant in the client (lib/huawei/sts-agency-auth.ts): the URN spelling
// `iam::<account id>:agency:<name>`, the `expiration` format, and the error body, which follows
// the IAM v5 pages' `{"error_code","error_msg"}` (the flat shape).
import type { AccountDirectory } from './accounts.ts';
import { authenticateSignature, type AuthContext } from './auth.ts';
import { HuaweiError } from './error-bodies.ts';
import { asString, parseJsonObject } from './json.ts';
import type { ReceivedRequest } from './verify-signature.ts';
import { randomBytes } from 'node:crypto';

export interface AssumeAgencyResult {
  readonly status: 201;
  readonly body: unknown;
  /** The caller's AK. */
  readonly principal: string;
  /** The temporary AK issued. */
  readonly issuedAk: string;
}

const URN = /^iam::([0-9a-zA-Z]{32}):agency:([\w.-]{1,64})$/;

const stsError = {
  badRequest: (message: string): HuaweiError => new HuaweiError(400, 'STS.0101', message, 'flat'),
  forbidden: (agency: string): HuaweiError =>
    new HuaweiError(403, 'STS.0004', `You are not authorized to assume agency ${agency}.`, 'flat'),
} as const;

/** Handles AssumeAgency; throws the gateway's or STS's HuaweiError on failure. */
export function assumeAgency(
  req: ReceivedRequest,
  ctx: AuthContext & { readonly directory: AccountDirectory },
): AssumeAgencyResult {
  const { match } = authenticateSignature(req, ctx);
  const body = parseJsonObject(req.body);
  if (!body) throw stsError.badRequest('The request body is invalid.');
  const urn = asString(body['agency_urn']);
  const session = asString(body['agency_session_name']);
  const parsed = urn === undefined ? null : URN.exec(urn);
  if (!parsed || session === undefined || !/^[\w.@=,-]{2,64}$/.test(session)) {
    throw stsError.badRequest('agency_urn (iam::<account id>:agency:<name>) and agency_session_name are required.');
  }
  const [, domainId = '', agencyName = ''] = parsed;
  const duration = body['duration_seconds'] ?? 3600;
  // Chained calls (a temporary caller) are limited to one hour (the AssumeAgency page).
  const max = match.credential.securityToken === undefined ? 43_200 : 3600;
  if (typeof duration !== 'number' || !Number.isInteger(duration) || duration < 900 || duration > max) {
    throw stsError.badRequest(`duration_seconds must be a whole number from 900 to ${max}.`);
  }
  const target = ctx.directory.account({ id: domainId });
  if (!target || !ctx.directory.mayAssume(match.account, target, agencyName)) throw stsError.forbidden(agencyName);
  const expiresAt = ctx.nowMs + duration * 1000;
  const credential = {
    ak: `EMUSTS${randomBytes(7).toString('hex').toUpperCase()}`,
    sk: randomBytes(20).toString('base64url'),
    securityToken: `emu-sts-${randomBytes(48).toString('base64url')}`,
  };
  ctx.directory.addTemporary(target, credential, expiresAt);
  return {
    status: 201,
    principal: match.credential.ak,
    issuedAk: credential.ak,
    body: {
      credentials: {
        access_key_id: credential.ak,
        secret_access_key: credential.sk,
        security_token: credential.securityToken,
        expiration: new Date(expiresAt).toISOString(),
      },
      assumed_agency: {
        agency_session_id: `${agencyName}:${session}`,
        trust_agency_urn: urn,
      },
      source_identity: asString(body['source_identity']),
    },
  };
}
