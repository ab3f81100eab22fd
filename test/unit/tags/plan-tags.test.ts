import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ASSUMED_TAG_CREATE_SEMANTICS,
  planFirstTagCall,
  planTags,
  type Tag,
  type TagCall,
  type TagCreateSemantics,
} from '../../../lib/tags/plan-tags.ts';
import { MAX_TAGS_PER_KEY } from '../../../lib/tags/tag-rules.ts';

const SEMANTICS: TagCreateSemantics[] = ['overwrites', 'rejects'];

/**
 * A model of Huawei's tag API under each reading of `create` for an existing key: used to check
 * that executing a plan gives the promised end state. Throws like the API fails.
 */
function execute(
  existing: readonly Tag[],
  calls: readonly TagCall[],
  semantics: TagCreateSemantics,
): Map<string, string> {
  const tags = new Map(existing.map((t) => [t.key, t.value]));
  for (const call of calls) {
    if (call.action === 'delete') {
      for (const tag of call.tags) tags.delete(tag.key);
      continue;
    }
    for (const tag of call.tags) {
      const current = tags.get(tag.key);
      if (semantics === 'rejects' && current !== undefined && current !== tag.value) throw new Error('KMS.0406');
    }
    const added = call.tags.filter((t) => !tags.has(t.key)).length;
    if (tags.size + added > MAX_TAGS_PER_KEY) throw new Error('KMS.0409');
    for (const tag of call.tags) tags.set(tag.key, tag.value);
  }
  return tags;
}

const key = fc.constantFrom(
  'owner',
  'Owner',
  'team',
  'alias',
  'created_by',
  'env',
  'cost',
  'k1',
  'k2',
  'k3',
  'k4',
  'k5',
);
const value = fc.constantFrom('', 'ops', 'dev', 'alias/x');
const tagList = (maxLength: number) => fc.uniqueArray(fc.record({ key, value }), { maxLength, selector: (t) => t.key });
// A compiled template never has two keys differing only in case.
const desiredList = fc.uniqueArray(fc.record({ key, value }), { maxLength: 6, selector: (t) => t.key.toLowerCase() });

describe('planFirstTagCall()', () => {
  const desired = [{ key: 'owner', value: 'ops' }];

  it('sends nothing when the template rendered no tags', () => {
    expect(planFirstTagCall([], { overwrite: true, semantics: 'overwrites', assumeNoExistingTags: true })).toEqual({
      kind: 'none',
    });
  });

  it.each([
    { overwrite: true, semantics: 'overwrites', assumeNoExistingTags: false },
    { overwrite: false, semantics: 'rejects', assumeNoExistingTags: false },
    { overwrite: false, semantics: 'overwrites', assumeNoExistingTags: true },
  ] as const)(
    'creates directly (one call) when overwrite=$overwrite, semantics=$semantics, fresh=$assumeNoExistingTags',
    (options) => {
      expect(planFirstTagCall(desired, options)).toEqual({ kind: 'create', call: { action: 'create', tags: desired } });
    },
  );

  it('lists first when create could overwrite a tag that must be kept', () => {
    const first = planFirstTagCall(desired, { overwrite: false, semantics: 'overwrites', assumeNoExistingTags: false });
    expect(first.kind).toBe('list-first');
  });

  it('assumes the riskier reading until a live test settles it', () => {
    expect(ASSUMED_TAG_CREATE_SEMANTICS).toBe('overwrites');
  });

  it('copies the tags, so later mutation by the caller cannot change the call', () => {
    const tags = [{ key: 'owner', value: 'ops' }];
    const first = planFirstTagCall(tags, { overwrite: true, semantics: 'overwrites', assumeNoExistingTags: true });
    tags[0] = { key: 'x', value: 'y' };
    expect(first).toEqual({ kind: 'create', call: { action: 'create', tags: [{ key: 'owner', value: 'ops' }] } });
  });
});

describe('planTags()', () => {
  const desired = [
    { key: 'owner', value: 'ops' },
    { key: 'team', value: 'sec' },
    { key: 'alias', value: 'alias/x' },
  ];

  it('is in sync when every tag already holds its value', () => {
    const plan = planTags(desired, [...desired, { key: 'other', value: '1' }], {
      overwrite: false,
      semantics: 'rejects',
    });
    expect(plan).toEqual({ kind: 'in-sync', create: [], replace: [], unchanged: desired, conflicts: [] });
  });

  it('creates only the missing tags and leaves unmanaged tags alone', () => {
    const plan = planTags(
      desired,
      [
        { key: 'owner', value: 'ops' },
        { key: 'other', value: '1' },
      ],
      {
        overwrite: false,
        semantics: 'overwrites',
      },
    );
    expect(plan).toMatchObject({
      kind: 'apply',
      calls: [{ action: 'create', tags: [desired[1], desired[2]] }],
      resultingCount: 4,
      unchanged: [desired[0]],
    });
  });

  it('keeps and reports a managed tag holding another value when overwrite is off', () => {
    const plan = planTags(desired, [{ key: 'owner', value: 'alice' }], { overwrite: false, semantics: 'overwrites' });
    expect(plan.kind).toBe('apply');
    expect(plan.conflicts).toEqual([
      { key: 'owner', desired: 'ops', existingKey: 'owner', existing: 'alice', reason: 'other-value' },
    ]);
    if (plan.kind === 'apply') expect(plan.calls.flatMap((c) => c.tags.map((t) => t.key))).not.toContain('owner');
  });

  it('reports conflicts even when nothing else is to be sent', () => {
    const plan = planTags([{ key: 'owner', value: 'ops' }], [{ key: 'owner', value: 'alice' }], {
      overwrite: false,
      semantics: 'rejects',
    });
    expect(plan.kind).toBe('in-sync');
    expect(plan.conflicts).toHaveLength(1);
  });

  it('overwrites with one create when create overwrites', () => {
    const plan = planTags([{ key: 'owner', value: 'ops' }], [{ key: 'owner', value: 'alice' }], {
      overwrite: true,
      semantics: 'overwrites',
    });
    expect(plan).toMatchObject({
      kind: 'apply',
      calls: [{ action: 'create', tags: [{ key: 'owner', value: 'ops' }] }],
      replace: [{ key: 'owner', from: 'alice', to: 'ops' }],
    });
  });

  it('deletes the old value first when create rejects an existing key', () => {
    const plan = planTags([{ key: 'owner', value: 'ops' }], [{ key: 'owner', value: 'alice' }], {
      overwrite: true,
      semantics: 'rejects',
    });
    expect(plan).toMatchObject({
      kind: 'apply',
      calls: [
        { action: 'delete', tags: [{ key: 'owner', value: 'alice' }] },
        { action: 'create', tags: [{ key: 'owner', value: 'ops' }] },
      ],
    });
  });

  it('never creates or overwrites a key that exists in another case', () => {
    const plan = planTags([{ key: 'owner', value: 'ops' }], [{ key: 'Owner', value: 'alice' }], {
      overwrite: true,
      semantics: 'overwrites',
    });
    expect(plan).toEqual({
      kind: 'in-sync',
      create: [],
      replace: [],
      unchanged: [],
      conflicts: [{ key: 'owner', desired: 'ops', existingKey: 'Owner', existing: 'alice', reason: 'case-variant' }],
    });
  });

  it('sends nothing when the missing tags would exceed the per-key limit', () => {
    const existing = Array.from({ length: 9 }, (_, i) => ({ key: `user${i}`, value: 'x' }));
    const plan = planTags(desired, existing, { overwrite: false, semantics: 'overwrites' });
    expect(plan).toMatchObject({ kind: 'over-limit', limit: 10, existingCount: 9, resultingCount: 12 });
    expect(plan.create).toHaveLength(3);
  });

  it('still replaces values on a full key: a replacement adds no tag', () => {
    const existing = [
      { key: 'owner', value: 'alice' },
      ...Array.from({ length: 9 }, (_, i) => ({ key: `user${i}`, value: 'x' })),
    ];
    const plan = planTags([{ key: 'owner', value: 'ops' }], existing, { overwrite: true, semantics: 'overwrites' });
    expect(plan.kind).toBe('apply');
  });

  it('honours a custom limit (if Huawei allows 20 in some region)', () => {
    const existing = Array.from({ length: 12 }, (_, i) => ({ key: `user${i}`, value: 'x' }));
    expect(planTags(desired, existing, { overwrite: false, semantics: 'rejects', maxTags: 20 }).kind).toBe('apply');
  });

  it('puts every desired tag in exactly one list', () => {
    fc.assert(
      fc.property(
        desiredList,
        tagList(10),
        fc.boolean(),
        fc.constantFrom(...SEMANTICS),
        (want, have, overwrite, semantics) => {
          const plan = planTags(want, have, { overwrite, semantics });
          const listed = [
            ...plan.create.map((t) => t.key),
            ...plan.replace.map((r) => r.key),
            ...plan.unchanged.map((t) => t.key),
            ...plan.conflicts.map((c) => c.key),
          ];
          expect(listed.sort()).toEqual(want.map((t) => t.key).sort());
          if (!overwrite) expect(plan.replace).toEqual([]);
        },
      ),
    );
  });

  it('executed against either reading of the API, reaches the desired state and overwrites nothing unless asked', () => {
    fc.assert(
      fc.property(
        desiredList,
        tagList(10),
        fc.boolean(),
        fc.constantFrom(...SEMANTICS),
        (want, have, overwrite, semantics) => {
          const plan = planTags(want, have, { overwrite, semantics });
          const before = new Map(have.map((t) => [t.key, t.value]));
          if (plan.kind !== 'apply') {
            if (plan.kind === 'over-limit') expect(plan.resultingCount).toBeGreaterThan(MAX_TAGS_PER_KEY);
            return;
          }
          const after = execute(have, plan.calls, semantics); // never throws: the plan respects both readings
          expect(after.size).toBeLessThanOrEqual(MAX_TAGS_PER_KEY);
          for (const [k, v] of before) {
            const managed = want.find((t) => t.key === k);
            if (managed === undefined || !overwrite) expect(after.get(k)).toBe(v); // unmanaged or protected
          }
          const conflicting = new Set(plan.conflicts.map((c) => c.key));
          for (const tag of want) {
            if (!conflicting.has(tag.key)) expect(after.get(tag.key)).toBe(tag.value);
          }
        },
      ),
    );
  });
});

describe('the call flow the handler follows (first call, then list and plan on failure)', () => {
  /** Runs the two-step flow against the model and counts the calls (tag calls plus one listing). */
  function run(want: Tag[], have: Tag[], overwrite: boolean, semantics: TagCreateSemantics, fresh: boolean) {
    let calls = 0;
    const first = planFirstTagCall(want, { overwrite, semantics, assumeNoExistingTags: fresh });
    if (first.kind === 'none') return { calls, after: new Map(have.map((t) => [t.key, t.value])) };
    if (first.kind === 'create') {
      calls++;
      try {
        return { calls, after: execute(have, [first.call], semantics) };
      } catch {
        // fall through: list, then plan
      }
    }
    calls++; // listing
    const plan = planTags(want, have, { overwrite, semantics });
    const planned = plan.kind === 'apply' ? plan.calls : [];
    calls += planned.length;
    return { calls, after: execute(have, planned, semantics) };
  }

  it('costs one tag call for a fresh key in the happy path, under both readings', () => {
    const want = [{ key: 'owner', value: 'ops' }];
    for (const semantics of SEMANTICS) expect(run(want, [], false, semantics, true).calls).toBe(1);
  });

  it('never overwrites a protected tag when the key is not asserted fresh, under both readings', () => {
    fc.assert(
      fc.property(desiredList, tagList(8), fc.constantFrom(...SEMANTICS), (want, have, semantics) => {
        const { after } = run(want, have, false, semantics, false);
        for (const tag of have) {
          if (want.some((w) => w.key === tag.key)) expect(after.get(tag.key)).toBe(tag.value);
        }
      }),
    );
  });

  it('shows the documented risk: a fresh-key shortcut under "overwrites" replaces a tag set concurrently', () => {
    const { after } = run(
      [{ key: 'owner', value: 'ops' }],
      [{ key: 'owner', value: 'alice' }],
      false,
      'overwrites',
      true,
    );
    expect(after.get('owner')).toBe('ops');
    const safe = run([{ key: 'owner', value: 'ops' }], [{ key: 'owner', value: 'alice' }], false, 'rejects', true);
    expect(safe.after.get('owner')).toBe('alice');
  });
});
