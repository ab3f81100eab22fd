/**
 * What normalisation may know of the deployment. Only a replicateKey trace needs it: the new
 * key lives in another region, and when the trace does not name its project the configured
 * project map is the only safe place to learn it. Never used to *choose* a region for a key:
 * process-message still checks the event's project against the same map.
 */
export interface NormaliseContext {
  /** The configured projects, project id → region (HUAWEICLOUD_PROJECTS). */
  projects?: ReadonlyMap<string, string>;
}

export type ReplicaProject =
  | { ok: true; projectId: string }
  | { ok: false; reason: 'unknown' | 'ambiguous'; candidates: number };

/**
 * The one configured project of `region`, or why there is none: `unknown` when no project is
 * configured for it (or there is no map), `ambiguous` when several are (one region can hold
 * several IAM projects, docs/huawei-kms.md#key-ids), so picking one would be a guess.
 *
 * @example resolveProjectOfRegion('cn-east-3', new Map([['0f3a…', 'cn-east-3']])) // { ok: true, projectId: '0f3a…' }
 */
export function resolveProjectOfRegion(
  region: string,
  projects: ReadonlyMap<string, string> | undefined,
): ReplicaProject {
  const candidates = projects === undefined ? [] : [...projects].filter(([, r]) => r === region).map(([id]) => id);
  const [only] = candidates;
  if (candidates.length === 1 && only !== undefined) return { ok: true, projectId: only };
  return { ok: false, reason: candidates.length === 0 ? 'unknown' : 'ambiguous', candidates: candidates.length };
}
