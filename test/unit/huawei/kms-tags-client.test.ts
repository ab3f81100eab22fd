import { describe, expect, it } from 'vitest';
import { parseListTagsBody } from '../../../lib/huawei/kms-tags-client.ts';

describe('parseListTagsBody()', () => {
  it.each([
    [{ tags: [{ key: 'a', value: '1' }], existTagsNum: 1 }, [{ key: 'a', value: '1' }], 1, 0],
    [{ tags: [{ key: 'a', value: '1' }], existTagNum: 1 }, [{ key: 'a', value: '1' }], 1, 0],
    [{ tags: [{ key: 'a' }] }, [{ key: 'a', value: '' }], 1, 0],
    [{}, [], 0, 0],
    [{ tags: [{ key: 'a', value: 'x' }, null, { value: 'no key' }, 'text'] }, [{ key: 'a', value: 'x' }], 1, 3],
  ])('reads %j tolerantly', (body, tags, count, dropped) => {
    expect(parseListTagsBody(body)).toEqual({ ok: true, value: { tags, count, dropped } });
  });

  it('refuses a body that is not an object, or tags that are not an array', () => {
    expect(parseListTagsBody([])).toMatchObject({ ok: false });
    expect(parseListTagsBody({ tags: 'a=1' })).toMatchObject({ ok: false });
  });
});
