import { PROJECT_ID_PATTERN } from '../huawei/id-patterns.ts';
import { parseProjectMap } from './parse-project-map.ts';

/**
 * How the function reaches one Huawei account (a "domain"). Chosen by configuration, per account,
 * and never by an event: an event only names a project, and the project's account decides.
 * - `central`: the deployment's own credentials (HUAWEICLOUD_SDK_AK/SK, IAM password or the
 *   credentials secret) belong to this account;
 * - `aws-secret`: the account's own AK/SK JSON, in Secrets Manager or SSM;
 * - `agency`: an agency of this account that the central identity assumes: with an IAM user,
 *   IAM `assume_role` by the account's id (docs/huawei-kms.md#iam-tokens); with AK/SK, STS
 *   AssumeAgency (docs/huawei-kms.md#sts-agency).
 */
export type AccountAccess =
  | { kind: 'central' }
  | { kind: 'aws-secret'; source: 'secretsmanager' | 'ssm'; id: string }
  | { kind: 'agency'; agencyName: string };

/** One account of the map: who it is, its projects and how to reach it. */
export interface AccountConfig {
  /** The account (domain) id; undefined for the single account of HUAWEICLOUD_PROJECT_ID / HUAWEICLOUD_PROJECTS. */
  domainId: string | undefined;
  /** A short label for logs, the audit record and `--account` (default: the domain id, or `default`). */
  name: string;
  /** Project id → region id, the projects of this account the function serves. */
  projects: ReadonlyMap<string, string>;
  access: AccountAccess;
}

export type AccountsResult = { ok: true; accounts: AccountConfig[] } | { ok: false; reason: string };

/** Account (domain) ids are 32 characters like project ids (docs/huawei-kms.md#key-ids). */
const DOMAIN_ID_PATTERN = PROJECT_ID_PATTERN;
const NAME_PATTERN = /^[\w.-]{1,64}$/;
const FIELDS = new Set(['name', 'projects', 'secret', 'ssm', 'agency']);

/**
 * Parses HUAWEICLOUD_ACCOUNTS: a JSON object from domain id to
 * `{"name"?, "projects", "secret"? | "ssm"? | "agency"?}`, where `projects` is what
 * HUAWEICLOUD_PROJECTS accepts (an object `{"<project_id>": "<region>"}` or `"id=region,..."`).
 * An account with none of `secret`, `ssm`, `agency` is the one the central credentials belong to;
 * at most one may be. Unknown fields are refused (a typo must not silently fall back to the
 * central credentials). A project may belong to one account only: the project decides the
 * account, and with it the credentials.
 */
export function parseAccounts(source: string, defaultRegion: string | undefined): AccountsResult {
  let json: unknown;
  try {
    json = JSON.parse(source);
  } catch {
    return { ok: false, reason: 'is not valid JSON (an object of account id to {"projects": ...})' };
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    return { ok: false, reason: 'must be a JSON object of account (domain) id to {"projects": ...}' };
  }
  const accounts: AccountConfig[] = [];
  const owner = new Map<string, string>();
  const names = new Set<string>();
  for (const [domainId, entry] of Object.entries(json)) {
    const at = `account ${domainId.slice(0, 40)}`;
    if (!DOMAIN_ID_PATTERN.test(domainId)) return { ok: false, reason: `${at}: is not a 32-character account id` };
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      return { ok: false, reason: `${at}: must be an object with "projects"` };
    }
    const fields = entry as Record<string, unknown>;
    const unknown = Object.keys(fields).find((f) => !FIELDS.has(f));
    if (unknown !== undefined) {
      return {
        ok: false,
        reason: `${at}: unknown field "${unknown.slice(0, 40)}" (allowed: ${[...FIELDS].join(', ')})`,
      };
    }
    const name = fields['name'] ?? domainId;
    if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
      return { ok: false, reason: `${at}: "name" must be 1 to 64 letters, digits, ".", "_" or "-"` };
    }
    if (names.has(name)) return { ok: false, reason: `${at}: name "${name}" is used twice` };
    names.add(name);
    const projects = readProjects(fields['projects'], defaultRegion);
    if (!projects.ok) return { ok: false, reason: `${at}: "projects" ${projects.reason}` };
    for (const projectId of projects.projects.keys()) {
      const other = owner.get(projectId);
      if (other !== undefined) {
        return { ok: false, reason: `project ${projectId} is listed under two accounts (${other} and ${domainId})` };
      }
      owner.set(projectId, domainId);
    }
    const access = readAccess(fields, domainId);
    if (!access.ok) return { ok: false, reason: `${at}: ${access.reason}` };
    accounts.push({ domainId, name, projects: projects.projects, access: access.access });
  }
  if (accounts.length === 0) return { ok: false, reason: 'lists no account' };
  const central = accounts.filter((a) => a.access.kind === 'central');
  if (central.length > 1) {
    return {
      ok: false,
      reason: `${central.length} accounts (${central.map((a) => a.name).join(', ')}) have no "secret", "ssm" or "agency"; only the account of the central credentials may`,
    };
  }
  return { ok: true, accounts };
}

function readProjects(value: unknown, defaultRegion: string | undefined) {
  if (typeof value === 'string') return parseProjectMap(value, defaultRegion);
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return parseProjectMap(JSON.stringify(value), defaultRegion);
  }
  return { ok: false as const, reason: 'is required: {"<project_id>": "<region>"} or "id=region,id=region"' };
}

/** An agency's URN, `iam::<account id>:agency:<name>` (docs/huawei-kms.md#sts-agency). */
const AGENCY_URN = /^iam::([0-9a-zA-Z]{32}):agency:(.+)$/;
/** IAM agency names: letters, digits, spaces and `-_.`, up to 64 (kept without spaces here). */
const AGENCY_NAME = /^[\w.-]{1,64}$/;

function readAccess(
  fields: Record<string, unknown>,
  domainId: string,
): { ok: true; access: AccountAccess } | { ok: false; reason: string } {
  const given = (['secret', 'ssm', 'agency'] as const).filter((f) => fields[f] !== undefined);
  if (given.length > 1)
    return { ok: false, reason: `set one of "secret", "ssm", "agency", not ${given.join(' and ')}` };
  const [field] = given;
  if (field === undefined) return { ok: true, access: { kind: 'central' } };
  const value = fields[field];
  if (typeof value !== 'string' || value.trim() === '')
    return { ok: false, reason: `"${field}" must be a non-empty string` };
  if (field === 'agency') {
    // A name, or the agency's URN (as the console shows it), which must be this account's.
    const urn = AGENCY_URN.exec(value.trim());
    if (urn !== null && urn[1] !== domainId) {
      return { ok: false, reason: `"agency" URN names account ${urn[1]}, not this one` };
    }
    const name = urn === null ? value.trim() : (urn[2] ?? '');
    if (!AGENCY_NAME.test(name)) {
      return { ok: false, reason: '"agency" must be an agency name (letters, digits, "-", "_", ".") or its URN' };
    }
    return { ok: true, access: { kind: 'agency', agencyName: name } };
  }
  return {
    ok: true,
    access: { kind: 'aws-secret', source: field === 'secret' ? 'secretsmanager' : 'ssm', id: value.trim() },
  };
}
