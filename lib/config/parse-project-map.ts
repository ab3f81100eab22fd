import { PROJECT_ID_PATTERN as PROJECT_ID, REGION_ID_PATTERN as REGION } from '../huawei/id-patterns.ts';

export type ProjectMapResult = { ok: true; projects: ReadonlyMap<string, string> } | { ok: false; reason: string };

/**
 * Parses the project → region map. Accepts JSON (`{"<project_id>": "<region>"}`) or the
 * env-friendly `id=region,id=region`; a bare `id` takes `defaultRegion`. Huawei project ids are
 * per region (docs/huawei-kms.md#key-ids), so one id never maps to two regions.
 */
export function parseProjectMap(source: string, defaultRegion: string | undefined): ProjectMapResult {
  const pairs: Array<[string, string | undefined]> = [];
  const text = source.trim();
  if (text.startsWith('{') || text.startsWith('[')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { ok: false, reason: 'is not valid JSON' };
    }
    if (json === null || typeof json !== 'object' || Array.isArray(json)) {
      return { ok: false, reason: 'must be a JSON object of project id to region' };
    }
    for (const [id, region] of Object.entries(json)) {
      if (typeof region !== 'string') return { ok: false, reason: `region of ${id.slice(0, 40)} must be a string` };
      pairs.push([id, region]);
    }
  } else {
    for (const item of text.split(',')) {
      const entry = item.trim();
      if (entry === '') continue;
      const [id = '', region, extra] = entry.split('=').map((s) => s.trim());
      if (extra !== undefined) return { ok: false, reason: `entry "${entry.slice(0, 80)}" has more than one "="` };
      pairs.push([id, region]);
    }
  }
  if (pairs.length === 0) return { ok: false, reason: 'lists no project' };
  const projects = new Map<string, string>();
  for (const [id, maybeRegion] of pairs) {
    if (!PROJECT_ID.test(id)) return { ok: false, reason: `"${id.slice(0, 40)}" is not a 32-character project id` };
    const region = maybeRegion ?? defaultRegion;
    if (region === undefined) {
      return { ok: false, reason: `project ${id} has no region (write id=region, or set HUAWEICLOUD_REGION)` };
    }
    if (!REGION.test(region)) return { ok: false, reason: `"${region.slice(0, 40)}" is not a region id` };
    if (projects.has(id) && projects.get(id) !== region) {
      return { ok: false, reason: `project ${id} is mapped to two regions` };
    }
    projects.set(id, region);
  }
  return { ok: true, projects };
}
