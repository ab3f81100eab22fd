import type { Outcome } from '../outcome/outcome.ts';

/** The account a configured project belongs to (HUAWEICLOUD_ACCOUNTS). */
export interface ProjectAccount {
  /** Undefined for the single account of HUAWEICLOUD_PROJECT_ID / HUAWEICLOUD_PROJECTS. */
  domainId: string | undefined;
  name: string;
}

/** Where the configuration says an event's project is. */
export interface PlacementMap {
  /** Project id → region id. */
  projects: ReadonlyMap<string, string>;
  /** Project id → its account; absent with one account and no domain id (nothing to check). */
  accounts?: ReadonlyMap<string, ProjectAccount> | undefined;
}

/** The identifying fields of a key event that placement reads. */
export interface PlaceableEvent {
  project_id: string;
  region?: string | undefined;
  domain_id?: string | undefined;
}

export type Placement =
  | { ok: true; region: string; account: ProjectAccount | undefined }
  | { ok: false; outcome: Outcome & { kind: 'skipped' | 'invalid' } };

/**
 * Places an event in the configuration: its region and account come from the project map, never
 * from the event, so no field of an event can choose the endpoint or the credentials a call uses
 * (docs/huawei-kms.md#several-accounts).
 * What the event says is only checked against the map:
 * - a project outside the map is skipped (`account_not_configured` when the event's account is
 *   not in the map either, which says more than the project);
 * - an account or region that disagrees with the project's is `invalid` (to the DLQ: an event
 *   naming one account's project and another account is forged or garbled, never guessed at).
 */
export function placeEvent(event: PlaceableEvent, map: PlacementMap): Placement {
  const region = map.projects.get(event.project_id);
  if (region === undefined) {
    if (map.accounts !== undefined && event.domain_id !== undefined && !hasDomain(map.accounts, event.domain_id)) {
      return skipped(
        'account_not_configured',
        `account ${event.domain_id} (project ${event.project_id}) is not in the configured accounts`,
      );
    }
    return skipped('project_not_configured', `project ${event.project_id} is not in the configured project map`);
  }
  const account = map.accounts?.get(event.project_id);
  if (account?.domainId !== undefined && event.domain_id !== undefined && event.domain_id !== account.domainId) {
    return invalid(
      'account_mismatch',
      `event says account ${event.domain_id} but project ${event.project_id} belongs to account ${account.name} (${account.domainId})`,
    );
  }
  if (event.region !== undefined && event.region !== region) {
    return invalid(
      'region_mismatch',
      `event says region ${event.region} but project ${event.project_id} is configured for ${region}`,
    );
  }
  return { ok: true, region, account };
}

function hasDomain(accounts: ReadonlyMap<string, ProjectAccount>, domainId: string): boolean {
  for (const account of accounts.values()) if (account.domainId === domainId) return true;
  return false;
}

function skipped(reason: string, detail: string): Placement {
  return { ok: false, outcome: { kind: 'skipped', reason, detail } };
}

function invalid(reason: string, detail: string): Placement {
  return { ok: false, outcome: { kind: 'invalid', reason, detail } };
}

/** The project → account map of the configured accounts (empty of checks with one unnamed account). */
export function projectAccountsOf(
  accounts: ReadonlyArray<{ domainId: string | undefined; name: string; projects: ReadonlyMap<string, string> }>,
): ReadonlyMap<string, ProjectAccount> | undefined {
  if (accounts.every((a) => a.domainId === undefined)) return undefined;
  const map = new Map<string, ProjectAccount>();
  for (const a of accounts)
    for (const projectId of a.projects.keys()) map.set(projectId, { domainId: a.domainId, name: a.name });
  return map;
}
