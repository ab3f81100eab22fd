import { describe, expect, it } from 'vitest';
import { parseTraceTime } from '../../../lib/events/parse-trace-time.ts';

describe('parseTraceTime()', () => {
  it.each([
    { value: 1530003247000, iso: '2018-06-26T08:54:07.000Z' },
    { value: 1530003247000.7, iso: '2018-06-26T08:54:07.000Z' },
    { value: '1530003247000', iso: '2018-06-26T08:54:07.000Z' },
    { value: ' 1530003247000 ', iso: '2018-06-26T08:54:07.000Z' },
    { value: '2018-06-26T08:54:07Z', iso: '2018-06-26T08:54:07.000Z' },
    { value: '2018-06-26t08:54:07z', iso: '2018-06-26T08:54:07.000Z' },
    { value: '2018-06-26T16:54:07.5+08:00', iso: '2018-06-26T08:54:07.500Z' },
    { value: '2018-06-26T16:54:07.123456789+0800', iso: '2018-06-26T08:54:07.123Z' },
    { value: '2018-06-26T16:54+08:00', iso: '2018-06-26T08:54:00.000Z' },
    { value: '2018-06-26 08:54:07Z', iso: '2018-06-26T08:54:07.000Z' },
    { value: '2018/06/26 08:54:07 GMT+08:00', iso: '2018-06-26T00:54:07.000Z' },
    { value: '2016/12/08 11:07:28 GMT+08:00', iso: '2016-12-08T03:07:28.000Z' },
    { value: '2018/06/26 08:54:07 GMT+0800', iso: '2018-06-26T00:54:07.000Z' },
    { value: '2018/06/26 08:54:07 GMT+8', iso: '2018-06-26T00:54:07.000Z' },
    { value: '2018/06/26 08:54:07 UTC+05:30', iso: '2018-06-26T03:24:07.000Z' },
    { value: '2018/06/26 08:54:07 GMT-03:00', iso: '2018-06-26T11:54:07.000Z' },
    { value: '2018/06/26 08:54:07 GMT', iso: '2018-06-26T08:54:07.000Z' },
    { value: '2018/6/6 8:54:07 GMT+08:00', iso: '2018-06-06T00:54:07.000Z' },
    { value: '2028/02/29 00:00:00 GMT+00:00', iso: '2028-02-29T00:00:00.000Z' },
  ])('reads $value', ({ value, iso }) => {
    expect(parseTraceTime(value, 'time')).toEqual({ ok: true, iso });
  });

  it.each([undefined, null, ''])('treats %j as no time', (value) => {
    expect(parseTraceTime(value, 'time')).toEqual({ ok: true, iso: undefined });
  });

  it.each([
    1530003247,
    -1,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    4102444800000,
    '1530003247',
    '2018-06-26T08:54:07',
    '2018-06-26',
    '2018/06/26 08:54:07',
    '2018/06/26 08:54:07 CST',
    '2018/02/29 08:54:07 GMT+08:00',
    '2018/13/01 08:54:07 GMT+08:00',
    '2018/06/26 24:00:00 GMT+08:00',
    '2018/06/26 08:60:00 GMT+08:00',
    '2018/06/26 08:54:60 GMT+08:00',
    '2018/06/26 08:54:07 GMT+08:60',
    '2018-06-26T08:54:07+15:00',
    'Tue, 26 Jun 2018 08:54:07 GMT',
    ' ',
    true,
    [],
    {},
    `2018/06/26 08:54:07 GMT+08:00${' '.repeat(100)}`,
  ])('notes %j as unreadable, quoting at most 40 characters', (value) => {
    const result = parseTraceTime(value, 'cts.time');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.note).toMatch(/^cts\.time .+ is not a readable time \(epoch milliseconds/);
      expect(result.note.length).toBeLessThan(160);
    }
  });
});
