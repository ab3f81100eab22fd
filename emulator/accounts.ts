// Accounts (Huawei "domains"), their projects, AK/SKs, IAM users and agencies, and the lookups
// the gateway and IAM need. A project's name is its region id, as on Huawei Cloud (docs/huawei-kms.md#key-ids
// "project_id ... the IAM project id for the region", found with GET /v3/projects?name=<region>).

export interface ProjectRef {
  /** 32 hex characters (docs/huawei-kms.md#key-ids). */
  readonly id: string;
  /** The region id, e.g. `cn-north-4`. */
  readonly name: string;
}

export interface AkSkCredential {
  readonly ak: string;
  readonly sk: string;
  /**
   * Set for a temporary AK/SK: requests must carry and sign `X-Security-Token` with this value
   * (docs/huawei-kms.md#aksk-signing step 1).
   */
  readonly securityToken?: string;
}

export interface IamUser {
  readonly name: string;
  readonly password: string;
}

export interface Agency {
  readonly name: string;
  /** Accounts whose users may assume this agency; the owning account is always trusted. */
  readonly trustedDomainIds?: readonly string[];
}

export interface EmulatorAccount {
  /** 32 hex characters. */
  readonly domainId: string;
  readonly domainName: string;
  readonly projects: readonly ProjectRef[];
  readonly credentials: readonly AkSkCredential[];
  readonly users: readonly IamUser[];
  readonly agencies?: readonly Agency[];
}

const DEFAULT_PROJECT: ProjectRef = { id: '5f0c3b2a1d4e4f6a8b9c0d1e2f3a4b5c', name: 'cn-north-4' };
const SECOND_PROJECT: ProjectRef = { id: '7e6d5c4b3a2f4e1d9c8b7a6f5e4d3c2b', name: 'ap-southeast-1' };
const PERMANENT: AkSkCredential = { ak: 'EMUPERMANENTAK000001', sk: 'emulatorPermanentSecretKey00000000000001' };
const TEMPORARY: Required<AkSkCredential> = {
  ak: 'EMUTEMPORARYAK000001',
  sk: 'emulatorTemporarySecretKey00000000000001',
  securityToken: 'emulator-security-token-0001',
};
const USER: IamUser = { name: 'kms-alias-bot', password: 'Emulator#Passw0rd' };
const AGENCY_NAME = 'kms_auto_alias_agency';

/** {@link EmulatorAccount} plus named shortcuts to the pieces tests and the local run use. */
export interface DefaultEmulatorAccount extends EmulatorAccount {
  readonly region: string;
  /** The project of `region`. */
  readonly projectId: string;
  readonly permanent: AkSkCredential;
  /** Requires `X-Security-Token: securityToken`, signed. */
  readonly temporary: Required<AkSkCredential>;
  readonly user: IamUser;
  /** An agency of this account that `user` may assume (assume_role, docs/huawei-kms.md#iam-tokens). */
  readonly agencyName: string;
}

/**
 * The fixed account every emulator serves unless `options.accounts` replaces it. Usable as-is by
 * tests and by the local run; it is an {@link EmulatorAccount} plus convenience fields.
 */
export const DEFAULT_EMULATOR_ACCOUNT: DefaultEmulatorAccount = {
  domainId: '0a1b2c3d4e5f40718293a4b5c6d7e8f9',
  domainName: 'kms-emulator',
  region: DEFAULT_PROJECT.name,
  /** The `cn-north-4` project. */
  projectId: DEFAULT_PROJECT.id,
  projects: [DEFAULT_PROJECT, SECOND_PROJECT],
  permanent: PERMANENT,
  temporary: TEMPORARY,
  credentials: [PERMANENT, TEMPORARY],
  user: USER,
  users: [USER],
  agencyName: AGENCY_NAME,
  agencies: [{ name: AGENCY_NAME }],
};

export interface CredentialMatch {
  readonly account: EmulatorAccount;
  readonly credential: AkSkCredential;
}

export interface ProjectMatch {
  readonly account: EmulatorAccount;
  readonly project: ProjectRef;
}

/** Read-only index over the configured accounts. */
export class AccountDirectory {
  readonly accounts: readonly EmulatorAccount[];
  readonly #byAk = new Map<string, CredentialMatch>();
  /** Temporary credentials (STS AssumeAgency): when each stops being accepted. */
  readonly #expiresAt = new Map<string, number>();
  readonly #byProject = new Map<string, ProjectMatch>();

  constructor(accounts: readonly EmulatorAccount[]) {
    this.accounts = accounts;
    for (const account of accounts) {
      for (const credential of account.credentials) {
        if (this.#byAk.has(credential.ak)) throw new Error(`duplicate AK in emulator accounts: ${credential.ak}`);
        this.#byAk.set(credential.ak, { account, credential });
      }
      for (const project of account.projects) {
        if (this.#byProject.has(project.id))
          throw new Error(`duplicate project id in emulator accounts: ${project.id}`);
        this.#byProject.set(project.id, { account, project });
      }
    }
  }

  /**
   * Rotates an AK/SK as an operator would on Huawei: `next` is accepted from now on, `oldAk` is
   * revoked (requests signed with it get 401). For tests of credential rotation.
   */
  rotateCredential(oldAk: string, next: AkSkCredential): void {
    const match = this.#byAk.get(oldAk);
    if (match === undefined) throw new Error(`unknown AK: ${oldAk}`);
    this.#byAk.delete(oldAk);
    this.#byAk.set(next.ak, { account: match.account, credential: next });
  }

  /** The credential of `ak`; a temporary one only until it expires (when `nowMs` is given). */
  credential(ak: string, nowMs?: number): CredentialMatch | undefined {
    const expiresAt = this.#expiresAt.get(ak);
    if (expiresAt !== undefined && nowMs !== undefined && nowMs >= expiresAt) return undefined;
    return this.#byAk.get(ak);
  }

  /** Issues a temporary AK/SK of `account` (an assumed agency), accepted until `expiresAt`. */
  addTemporary(account: EmulatorAccount, credential: Required<AkSkCredential>, expiresAt: number): void {
    this.#byAk.set(credential.ak, { account, credential });
    this.#expiresAt.set(credential.ak, expiresAt);
  }

  /** Ends every temporary credential at `nowMs` (as `expireAllTokens` does for IAM tokens). */
  expireTemporary(nowMs: number): void {
    for (const [ak, at] of this.#expiresAt) this.#expiresAt.set(ak, Math.min(at, nowMs));
  }

  project(projectId: string): ProjectMatch | undefined {
    return this.#byProject.get(projectId);
  }

  /**
   * Whether a caller of `caller` may assume `agencyName` of `target`: the agency exists and
   * trusts the caller's account (its own account always does). IAM assume_role and STS
   * AssumeAgency check the same.
   */
  mayAssume(caller: EmulatorAccount, target: EmulatorAccount | undefined, agencyName: string): boolean {
    const agency = target?.agencies?.find((a) => a.name === agencyName);
    return (
      target !== undefined &&
      agency !== undefined &&
      (caller === target || (agency.trustedDomainIds ?? []).includes(caller.domainId))
    );
  }

  /** An account by `domain.name` or `domain.id`, as IAM bodies name it (docs/huawei-kms.md#iam-tokens). */
  account(ref: { readonly id?: string | undefined; readonly name?: string | undefined }): EmulatorAccount | undefined {
    return this.accounts.find((a) => (ref.id !== undefined ? a.domainId === ref.id : a.domainName === ref.name));
  }
}
