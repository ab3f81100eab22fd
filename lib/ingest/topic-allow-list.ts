import { isRegionId } from '../huawei/endpoints.ts';

/** `urn:smn:{region}:{project_id}:{name}` (docs/huawei-kms.md#smn-delivery); names are `[A-Za-z0-9_-]`. */
const TOPIC_URN = /^urn:smn:([a-z0-9-]+):([A-Za-z0-9]{1,64}):([A-Za-z0-9][A-Za-z0-9_-]{0,254})$/;

export interface TopicAllowList {
  urns: ReadonlySet<string>;
  /** The regions of those topics, in order of first appearance: they decide SMN's certificate hosts. */
  regions: readonly string[];
}

export type ParseTopicsResult = { ok: true; topics: TopicAllowList } | { ok: false; reason: string };

/**
 * Parses the comma-separated SMN_TOPIC_URNS. Empty means no topic, which turns the SMN route off.
 * The detail quotes no input beyond the position of the bad entry.
 */
export function parseTopicUrns(csv: string | undefined): ParseTopicsResult {
  const entries = (csv ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const urns = new Set<string>();
  const regions: string[] = [];
  for (const [index, urn] of entries.entries()) {
    const match = TOPIC_URN.exec(urn);
    const region = match?.[1];
    if (region === undefined || !isRegionId(region)) {
      return { ok: false, reason: `entry ${index + 1} is not an SMN topic URN urn:smn:{region}:{project_id}:{name}` };
    }
    urns.add(urn);
    if (!regions.includes(region)) regions.push(region);
  }
  return { ok: true, topics: { urns, regions } };
}

export function isAllowedTopic(topics: TopicAllowList, topicUrn: string): boolean {
  return topics.urns.has(topicUrn);
}
