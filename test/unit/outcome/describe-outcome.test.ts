import { describe, expect, it } from 'vitest';
import { buildAuditRecord } from '../../../lib/audit/build-audit-record.ts';
import { buildDlqRecord, DLQ_ATTRIBUTE } from '../../../lib/dlq/build-dlq-record.ts';
import { describeOutcome } from '../../../lib/outcome/describe-outcome.ts';
import type { Outcome } from '../../../lib/outcome/outcome.ts';
import type { SettledMessage } from '../../../lib/outcome/settled-message.ts';

const KEY = 'bb6a3d22-dc93-47ac-b5bd-88df7ad35f1e';

const OUTCOMES: ReadonlyArray<[string, Outcome]> = [
  ['created', { kind: 'created', alias: 'alias/a', requestId: 'r-201' }],
  ['already present', { kind: 'already_present', alias: 'alias/a', requestId: 'r-400' }],
  ['skipped', { kind: 'skipped', reason: 'dry_run', detail: 'would create alias/a', alias: 'alias/a' }],
  ['invalid', { kind: 'invalid', reason: 'not_json', detail: 'body is not JSON' }],
  ['conflict', { kind: 'conflict', alias: 'alias/a', existingKeyId: 'other-key', detail: 'held by other-key' }],
  [
    'failed',
    {
      kind: 'failed',
      alias: 'alias/a',
      reason: 'kms_throttled',
      detail: 'throttled',
      error: {
        name: 'KmsApiError',
        code: 'KMS_THROTTLED',
        message: 'throttled',
        retryable: true,
        huawei_code: 'APIGW.0308',
        request_id: 'r-429',
      },
      retryable: true,
    },
  ],
];

function settled(outcome: Outcome): SettledMessage {
  return {
    messageId: 'm-1',
    receiveCount: 5,
    outcome,
    event: undefined,
    target: undefined,
    parts: undefined,
    disposition: 'dlq',
    dlq: { messageId: 'dlq-1' },
    meter: { apiCalls: 3, retries: 2 },
    unansweredCreates: 0,
    coalesced: false,
    startedMs: 1_000,
    settledMs: 1_250,
  };
}

describe('describeOutcome()', () => {
  it('files invalid and failed messages under kind:reason, every other one under its kind', () => {
    expect(OUTCOMES.map(([, o]) => describeOutcome(o).filedUnder)).toEqual([
      'created',
      'already_present',
      'skipped',
      'invalid:not_json',
      'conflict',
      'failed:kms_throttled',
    ]);
  });

  it('gives the request id that proves the outcome, and a code only when something went wrong', () => {
    const described = OUTCOMES.map(([, o]) => describeOutcome(o));
    expect(described.map((d) => d.requestId)).toEqual(['r-201', 'r-400', undefined, undefined, undefined, 'r-429']);
    expect(described.map((d) => d.errorCode)).toEqual([
      undefined,
      undefined,
      undefined,
      'INVALID_EVENT',
      'ALIAS_CONFLICT',
      'KMS_THROTTLED',
    ]);
    expect(described.map((d) => d.retryable)).toEqual([false, false, false, false, false, true]);
  });

  it.each(OUTCOMES.filter(([, o]) => ['invalid', 'conflict', 'failed'].includes(o.kind)))(
    'makes the audit record and the DLQ record of a %s message agree',
    (_name, outcome) => {
      const audit = buildAuditRecord(settled(outcome), { templateSource: 'alias/{key_id}', dryRun: false });
      const record = buildDlqRecord('{}', outcome, {
        messageId: 'm-1',
        receiveCount: 5,
        firstReceivedAt: undefined,
        sourceQueueArn: undefined,
        keyId: KEY,
        projectId: undefined,
        region: undefined,
        attempts: 3,
        failedAt: '2026-11-29T00:00:00.000Z',
      });
      const dlq = JSON.parse(record.attributes[DLQ_ATTRIBUTE.detail]?.StringValue ?? '{}');
      for (const field of [
        'outcome',
        'detail',
        'error_code',
        'huawei_code',
        'request_id',
        'alias',
        'existing_key_id',
      ]) {
        expect(dlq[field], field).toEqual(audit[field]);
      }
      expect(dlq.attempts).toBe(audit.api_calls);
      expect(record.attributes[DLQ_ATTRIBUTE.errorCode]?.StringValue).toBe(audit.error_code);
    },
  );
});

describe('buildAuditRecord()', () => {
  it('reports the cost, the duration and the DLQ message of a settled message', () => {
    const [, failed] = OUTCOMES[5] ?? [];
    if (failed === undefined) throw new Error('fixture');
    expect(buildAuditRecord(settled(failed), { templateSource: 'alias/{key_id}', dryRun: true })).toMatchObject({
      outcome: 'failed',
      reason: 'kms_throttled',
      disposition: 'dlq',
      message_id: 'm-1',
      receive_count: 5,
      api_calls: 3,
      retries: 2,
      duration_ms: 250,
      dlq_message_id: 'dlq-1',
      dry_run: true,
    });
  });

  it('shows what the normaliser tolerated (an unreadable trace time) and nothing when there was none', async () => {
    const { normaliseEvent } = await import('../../../lib/events/normalise-event.ts');
    const body = JSON.stringify({
      cts: {
        service_type: 'KMS',
        resource_type: 'cmk',
        trace_name: 'createKey',
        trace_type: 'ApiCall',
        code: 200,
        time: 'yesterday at noon',
        project_id: '0f3a8c1e5b7d4e2a9c6b8d0e1f2a3b4c',
        region_id: 'cn-north-4',
        resource_id: KEY,
        response: { key_info: { key_id: KEY } },
      },
    });
    const result = normaliseEvent(body);
    if (result.kind !== 'key_created') throw new Error(`fixture did not normalise: ${JSON.stringify(result)}`);
    const created: Outcome = { kind: 'created', alias: 'alias/a', requestId: 'r-201' };
    const audit = buildAuditRecord(
      { ...settled(created), event: result.event },
      { templateSource: 'x', dryRun: false },
    );
    expect(audit.event_notes).toEqual(result.event.notes);
    expect(JSON.stringify(audit.event_notes)).toMatch(/time/);
    expect(audit.key_created_at).toBeUndefined();
    expect(buildAuditRecord(settled(created), { templateSource: 'x', dryRun: false }).event_notes).toBeUndefined();
  });

  it('keeps the proof of a created alias when the tag step failed after it', () => {
    const failed: Outcome = {
      kind: 'failed',
      alias: 'alias/a',
      reason: 'kms_throttled',
      detail: 'alias alias/a is in place; tags: throttled',
      error: { name: 'KmsApiError', code: 'KMS_THROTTLED', message: 'throttled', retryable: true, request_id: 'r-429' },
      retryable: true,
      aliasSettled: { status: 'created', requestId: 'r-201' },
    };
    const audit = buildAuditRecord(settled(failed), { templateSource: 'x', dryRun: false });
    expect(audit).toMatchObject({
      outcome: 'failed',
      request_id: 'r-429',
      alias_outcome: 'created',
      alias_request_id: 'r-201',
    });
    const plain = buildAuditRecord(settled({ kind: 'created', alias: 'alias/a', requestId: 'r-201' }), {
      templateSource: 'x',
      dryRun: false,
    });
    expect(plain.alias_outcome).toBeUndefined();
  });

  it('is plain data for every outcome, with an event, its alias fields, tags and a DLQ error', async () => {
    // The logger writes an audit record without looking for Errors in it (create-logger.ts,
    // Logger.audit): only strings, numbers, booleans, arrays and plain objects may be in one.
    const { normaliseEvent } = await import('../../../lib/events/normalise-event.ts');
    const { compileAliasTemplate } = await import('../../../lib/naming/compile-alias-template.ts');
    const { deriveAlias } = await import('../../../lib/naming/derive-alias.ts');
    const { readFileSync } = await import('node:fs');
    const normalised = normaliseEvent(
      readFileSync(new URL('../../../events/sns-wrapped-cts.json', import.meta.url), 'utf8'),
    );
    if (normalised.kind !== 'key_created') throw new Error('fixture did not normalise');
    const template = compileAliasTemplate('alias/{env}/{key_alias|slug|default:key}-{key_id|short}', { env: 'prod' });
    if (!template.ok) throw new Error('fixture template');
    const derived = deriveAlias(template.template, normalised.event);
    const tag = { key: 'owner', value: 'ops' };
    const tags = {
      status: 'conflict' as const,
      desired: [tag],
      created: [tag],
      unchanged: [tag],
      replaced: [{ key: 'team', from: 'a', to: 'b' }],
      conflicts: [{ key: 'cost', desired: 'x', existingKey: 'Cost', existing: 'y', reason: 'case-variant' as const }],
      calls: 2,
      listed: true,
      requestIds: ['r-1'],
      droppedFromListing: 1,
    };
    const outcomes: Outcome[] = [
      ...OUTCOMES.map(([, o]) => o),
      { kind: 'created', alias: 'alias/a', requestId: 'r-201', tags },
      { kind: 'released', keyId: KEY, released: ['alias/a'], kept: [], detail: 'released', requestId: 'r-204' },
      {
        kind: 'failed',
        reason: 'invalid_tags',
        detail: 'bad tags',
        error: { name: 'TagRuleError', code: 'INVALID_TAGS', message: 'bad', retryable: false },
        retryable: false,
        tagViolations: [{ tag: 'owner', rule: 'VALUE_TOO_LONG', reason: 'too long' }],
        aliasSettled: { status: 'already_present', requestId: 'r-400' },
      },
    ];
    for (const outcome of outcomes) {
      for (const dlq of [
        { messageId: 'dlq-1' },
        { error: { name: 'Error', code: 'DLQ', message: 'no', retryable: true } },
      ]) {
        const record = buildAuditRecord(
          {
            ...settled(outcome),
            event: normalised.event,
            target: { region: 'cn-north-4', projectId: 'p', keyId: KEY, alias: 'alias/a' },
            parts: derived.parts,
            account: 'prod',
            dlq,
            coalesced: true,
            unansweredCreates: 1,
          },
          { templateSource: 'alias/{key_id}', dryRun: true },
        );
        expect(nonPlainPaths(record, 'record'), outcome.kind).toEqual([]);
        expect(record.alias_fields, outcome.kind).toBeDefined();
      }
    }
  });
});

/** Paths of the values that are not plain data (a class instance, an Error, a Date, a function). */
function nonPlainPaths(value: unknown, path: string): string[] {
  if (value === null || ['string', 'number', 'boolean', 'undefined'].includes(typeof value)) return [];
  if (Array.isArray(value)) return value.flatMap((item, i) => nonPlainPaths(item, `${path}[${i}]`));
  if (typeof value !== 'object' || ![Object.prototype, null].includes(Object.getPrototypeOf(value))) return [path];
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return [path];
  return Object.entries(value).flatMap(([key, item]) => nonPlainPaths(item, `${path}.${key}`));
}
