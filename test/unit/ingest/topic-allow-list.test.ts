import { describe, expect, it } from 'vitest';
import { isAllowedTopic, parseTopicUrns } from '../../../lib/ingest/topic-allow-list.ts';
import { TOPIC } from './smn-fixtures.ts';

describe('parseTopicUrns()', () => {
  it('reads a comma-separated list and the regions of its topics', () => {
    const other = 'urn:smn:ap-southeast-1:1f3a8c1e5b7d4e2a9c6b8d0e1f2a3b4c:keys';
    const result = parseTopicUrns(` ${TOPIC} ,${other},${TOPIC}`);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect([...result.topics.urns]).toEqual([TOPIC, other]);
    expect(result.topics.regions).toEqual(['cn-north-4', 'ap-southeast-1']);
    expect(isAllowedTopic(result.topics, TOPIC)).toBe(true);
    expect(isAllowedTopic(result.topics, `${TOPIC}-x`)).toBe(false);
  });

  it('reads empty or unset as no topic (the SMN route off)', () => {
    for (const value of [undefined, '', ' , ']) {
      const result = parseTopicUrns(value);
      expect(result.ok && result.topics.urns.size).toBe(0);
    }
  });

  it.each([
    'arn:aws:sns:eu-west-1:123456789012:topic',
    'urn:smn:cn-north-4:project',
    'urn:smn:Not_A_Region:0f3a8c1e5b7d4e2a9c6b8d0e1f2a3b4c:t',
    'urn:smn:cn-north-4:0f3a8c1e5b7d4e2a9c6b8d0e1f2a3b4c:bad name',
  ])('refuses %s, naming the entry by position only', (urn) => {
    const result = parseTopicUrns(`${TOPIC},${urn}`);
    expect(result).toEqual({ ok: false, reason: expect.stringMatching(/^entry 2 /) });
  });
});
