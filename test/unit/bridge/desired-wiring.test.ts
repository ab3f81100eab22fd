import { describe, expect, it } from 'vitest';
import type { CtsNotificationInfo } from '../../../lib/bridge/cts-client.ts';
import { notificationProblems, notificationSpec } from '../../../lib/bridge/desired-wiring.ts';
import { ctsEndpointFor, smnEndpointFor } from '../../../lib/bridge/bridge-endpoints.ts';

const URN = 'urn:smn:cn-north-4:0f3a8c1e5b7d4e2a9c6b8d0e1f2a3b4c:kms-auto-alias-key-events';

function asRead(overrides: Partial<CtsNotificationInfo> = {}): CtsNotificationInfo {
  const spec = notificationSpec('n', URN);
  return {
    notificationId: 'id',
    notificationName: 'n',
    operationType: spec.operation_type,
    operations: spec.operations,
    status: 'enabled',
    topicId: URN,
    filter: spec.filter,
    ...overrides,
  };
}

describe('notificationProblems', () => {
  it('accepts what wire creates, whatever the spacing and case of the rule and resource type', () => {
    expect(notificationProblems(asRead(), URN)).toEqual([]);
    expect(
      notificationProblems(
        asRead({
          operations: [{ service_type: 'KMS', resource_type: 'CMK', trace_names: ['createKey'] }],
          filter: { condition: 'AND', is_support_filter: true, rule: ['code=200'] },
        }),
        URN,
      ),
    ).toEqual([]);
  });

  it('names each difference', () => {
    const problems = notificationProblems(
      asRead({
        status: 'disabled',
        topicId: 'urn:smn:cn-north-4:0f3a8c1e5b7d4e2a9c6b8d0e1f2a3b4c:other',
        operations: [{ service_type: 'KMS', resource_type: 'cmk', trace_names: ['deleteKey'] }],
        filter: { condition: 'OR', is_support_filter: true, rule: ['code = 200', 'code != 200'] },
      }),
      URN,
    );
    expect(problems).toEqual([
      'status is disabled, not enabled',
      'publishes to urn:smn:cn-north-4:0f3a8c1e5b7d4e2a9c6b8d0e1f2a3b4c:other, not the topic',
      'does not cover KMS createKey on cmk',
      'filter is not "code = 200" (successful calls only)',
    ]);
  });

  it('treats a switched-off filter as no filter', () => {
    const off = asRead({ filter: { condition: 'AND', is_support_filter: false, rule: ['code = 200'] } });
    expect(notificationProblems(off, URN)).toEqual(['filter is not "code = 200" (successful calls only)']);
  });
});

describe('bridge endpoints', () => {
  it('follow the KMS domain rules and refuse a bad region', () => {
    expect(smnEndpointFor('cn-north-4')).toBe('https://smn.cn-north-4.myhuaweicloud.com');
    expect(ctsEndpointFor('eu-west-101')).toBe('https://cts.eu-west-101.myhuaweicloud.eu');
    expect(() => smnEndpointFor('evil.com/x')).toThrow();
  });
});
