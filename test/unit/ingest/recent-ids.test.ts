import { describe, expect, it } from 'vitest';
import { createRecentIds } from '../../../lib/ingest/recent-ids.ts';

describe('createRecentIds()', () => {
  it('remembers ids up to its capacity, forgetting the least recently added first', () => {
    const ids = createRecentIds(2);
    ids.add('a');
    ids.add('b');
    ids.add('a');
    ids.add('c');
    expect(['a', 'b', 'c'].map((id) => ids.has(id))).toEqual([true, false, true]);
  });
});
