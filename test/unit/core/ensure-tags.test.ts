import { describe, expect, it } from 'vitest';
import { emptyTagReport, ensureTags, mayAssumeNoExistingTags, type TagApi } from '../../../lib/core/ensure-tags.ts';
import type { RunOperation } from '../../../lib/core/ensure-alias.ts';
import { KmsApiError } from '../../../lib/errors/huawei-errors.ts';
import type { Tag, TagCall } from '../../../lib/tags/plan-tags.ts';

const target = { region: 'cn-north-4', projectId: 'p'.repeat(32), keyId: 'k' };
const run: RunOperation = (_operation, fn) => fn(new AbortController().signal);
const refusal = (huaweiCode: string, message = 'refused') =>
  new KmsApiError(message, { code: 'KMS_REJECTED', retry: false, status: 400, huaweiCode, huaweiMessage: message });

/** A key's tags in memory; `refuse` answers the next create calls with these errors. */
function fakeApi(existing: Tag[] = [], refuse: Error[] = []) {
  const tags = new Map(existing.map((t) => [t.key, t.value]));
  const calls: string[] = [];
  const api: TagApi = {
    async createTags(_t, call: TagCall) {
      calls.push(`createTags:${call.action}`);
      const error = refuse.shift();
      if (error) throw error;
      for (const t of call.tags) call.action === 'create' ? tags.set(t.key, t.value) : tags.delete(t.key);
      return { requestId: `r${calls.length}` };
    },
    async listTags() {
      calls.push('listTags');
      return { tags: [...tags].map(([key, value]) => ({ key, value })), requestId: 'l' };
    },
  };
  return { api, calls, tags };
}

const desired = [
  { key: 'owner', value: 'ops' },
  { key: 'env', value: 'prod' },
];
const live = { overwrite: false, semantics: 'overwrites' as const, assumeNoExistingTags: true };
const replay = { ...live, assumeNoExistingTags: false };

describe('ensureTags()', () => {
  it('sends one create on a live first receive, and reports every tag as created', async () => {
    const { api, calls } = fakeApi();
    const result = await ensureTags(api, target, desired, run, live);
    expect(calls).toEqual(['createTags:create']);
    expect(result).toMatchObject({
      ok: true,
      report: { status: 'applied', created: desired, calls: 1, listed: false },
    });
  });

  it('lists first when it may not assume an untagged key, and keeps a value someone else set', async () => {
    const { api, calls, tags } = fakeApi([{ key: 'owner', value: 'dev' }]);
    const result = await ensureTags(api, target, desired, run, replay);
    expect(calls).toEqual(['listTags', 'createTags:create']);
    expect(tags.get('owner')).toBe('dev');
    expect(result.ok && result.report.status).toBe('conflict');
    expect(result.report.conflicts).toEqual([
      { key: 'owner', desired: 'ops', existingKey: 'owner', existing: 'dev', reason: 'other-value' },
    ]);
  });

  it('makes no write when every tag is in place', async () => {
    const { api, calls } = fakeApi(desired);
    const result = await ensureTags(api, target, desired, run, replay);
    expect(calls).toEqual(['listTags']);
    expect(result).toMatchObject({ ok: true, report: { status: 'in_sync', unchanged: desired } });
  });

  it('lists and plans once after a refusal the existing tags explain (KMS.0409), then reports the limit', async () => {
    const nine = Array.from({ length: 9 }, (_, i) => ({ key: `t${i}`, value: 'v' }));
    const { api, calls } = fakeApi(nine, [refusal('KMS.0409')]);
    const result = await ensureTags(api, target, desired, run, live);
    expect(calls).toEqual(['createTags:create', 'listTags']);
    expect(result).toMatchObject({ ok: false, code: 'TAG_LIMIT', ruleMismatch: false });
  });

  it('reads a refusal of a held key as the rejects reading, and deletes before it overwrites', async () => {
    const { api, calls, tags } = fakeApi([{ key: 'owner', value: 'dev' }], [refusal('KMS.0406', 'tag key exists')]);
    const result = await ensureTags(api, target, desired, run, { ...live, overwrite: true });
    expect(calls).toEqual(['createTags:create', 'listTags', 'createTags:delete', 'createTags:create']);
    expect(tags.get('owner')).toBe('ops');
    expect(result).toMatchObject({ ok: true, report: { replaced: [{ key: 'owner', from: 'dev', to: 'ops' }] } });
  });

  it('turns a refusal our rules should have caught into INVALID_TAGS with ruleMismatch', async () => {
    const { api } = fakeApi([], [refusal('KMS.0410')]);
    const result = await ensureTags(api, target, desired, run, live);
    expect(result).toMatchObject({ ok: false, code: 'INVALID_TAGS', ruleMismatch: true });
  });

  it('never loops: a second refusal after listing is permanent', async () => {
    const { api, calls } = fakeApi([], [refusal('KMS.0308'), refusal('KMS.0308')]);
    const result = await ensureTags(api, target, desired, run, live);
    expect(calls).toEqual(['createTags:create', 'listTags', 'createTags:create']);
    expect(result).toMatchObject({ ok: false, code: 'INVALID_TAGS', ruleMismatch: false });
  });

  it('rethrows what is not a tag failure (throttling), with the report of what was done', async () => {
    const throttled = new KmsApiError('slow down', { code: 'KMS_THROTTLED', retry: 'throttling', status: 429 });
    const { api } = fakeApi([], [throttled]);
    const report = emptyTagReport(desired);
    await expect(ensureTags(api, target, desired, run, live, report)).rejects.toBe(throttled);
    expect(report.calls).toBe(1);
  });
});

describe('mayAssumeNoExistingTags()', () => {
  it.each([
    ['cts', 1, true],
    ['eventgrid', 1, true],
    ['canonical', 2, false],
    ['key-details', 1, false],
  ] as const)('%s on receive %d: %s', (source, receiveCount, expected) => {
    expect(mayAssumeNoExistingTags(source, receiveCount)).toBe(expected);
  });
});
