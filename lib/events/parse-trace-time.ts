/**
 * Reads a CTS trace time (`time`, `record_time`). Huawei writes them in several forms
 * (docs/huawei-kms.md#trace-times): the trace API and a real FunctionGraph capture give epoch
 * milliseconds as numbers, one runtime documents a numeric string, the FunctionGraph template has
 * `""`, the console shows `2016/12/08 11:07:28 GMT+08:00`
 * (https://support.huaweicloud.com/intl/en-us/usermanual-functiongraph/functiongraph_01_0209.html),
 * and CloudEvent producers use RFC 3339. What CTS puts in an SMN notification is unverified, so
 * every one of these is read, and a time that cannot be read is reported, never fatal: the key
 * exists whatever its trace says about the clock.
 */
import { isoOfEpochMs } from './iso-of-epoch-ms.ts';
import { quoteInput } from './quote-input.ts';

/** A readable time (`iso`), no time at all (`iso` undefined), or why the value was not read. */
export type TraceTimeResult = { ok: true; iso: string | undefined } | { ok: false; note: string };

const MIN_EPOCH_MS = Date.UTC(2000, 0, 1);
const MAX_EPOCH_MS = Date.UTC(2100, 0, 1);
const MAX_TIME_TEXT = 64;
const EPOCH_MS_TEXT = /^\d{1,16}$/;
/** ISO 8601 extended / RFC 3339 (`T` or a space between date and time), with a UTC offset. */
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?([Zz]|([+-])(\d{2}):?(\d{2}))$/;
/** The console form `yyyy/MM/dd HH:mm:ss GMT+hh:mm`; `UTC`, `+8` and `+0800` tolerated. */
const CONSOLE_TIME =
  /^(\d{4})\/(\d{1,2})\/(\d{1,2}) (\d{1,2}):(\d{2}):(\d{2})(\.\d{1,9})? ?(?:GMT|UTC)(?:([+-])(\d{1,2})(?::?(\d{2}))?)?$/;

/** What a note says the readable forms are. */
export const TRACE_TIME_FORMS = 'epoch milliseconds, ISO 8601 with an offset, or yyyy/MM/dd HH:mm:ss GMT+hh:mm';

/**
 * Reads one trace time into an ISO 8601 UTC string.
 *
 * @param label the field's path, for the note (`cts.time`).
 * @returns `{ok: true, iso: undefined}` for `undefined`, `null` and `""` (no time);
 *   `{ok: false, note}` for a value in none of the forms, or outside 2000–2100.
 * @example parseTraceTime('2018/06/26 08:54:07 GMT+08:00', 'time') // { ok: true, iso: '2018-06-26T00:54:07.000Z' }
 */
export function parseTraceTime(value: unknown, label: string): TraceTimeResult {
  if (value === undefined || value === null || value === '') return { ok: true, iso: undefined };
  const ms = readMs(value);
  if (ms === undefined || !(ms >= MIN_EPOCH_MS && ms < MAX_EPOCH_MS)) {
    return { ok: false, note: `${label} ${quoteInput(value)} is not a readable time (${TRACE_TIME_FORMS})` };
  }
  return { ok: true, iso: isoOfEpochMs(ms) };
}

function readMs(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.floor(value) : undefined;
  if (typeof value !== 'string' || value.length > MAX_TIME_TEXT) return undefined;
  const text = value.trim();
  if (EPOCH_MS_TEXT.test(text)) return Number(text);
  const iso = ISO_DATE_TIME.exec(text);
  if (iso !== null) {
    const [, y, mo, d, h, mi, s, frac, zone, sign, oh, om] = iso;
    const offset = zone === 'Z' || zone === 'z' ? 0 : offsetMinutes(sign, oh, om);
    return msOf(y, mo, d, h, mi, s, frac, offset);
  }
  const consoleForm = CONSOLE_TIME.exec(text);
  if (consoleForm !== null) {
    const [, y, mo, d, h, mi, s, frac, sign, oh, om] = consoleForm;
    return msOf(y, mo, d, h, mi, s, frac, sign === undefined ? 0 : offsetMinutes(sign, oh, om));
  }
  return undefined;
}

function offsetMinutes(sign: string | undefined, hours: string | undefined, minutes: string | undefined) {
  const h = Number(hours ?? 0);
  const m = Number(minutes ?? 0);
  if (h > 14 || m > 59) return undefined;
  return (sign === '-' ? -1 : 1) * (h * 60 + m);
}

/** Epoch ms of a wall-clock time at a UTC offset; `undefined` for a day or time that does not exist. */
function msOf(
  year: string | undefined,
  month: string | undefined,
  day: string | undefined,
  hour: string | undefined,
  minute: string | undefined,
  second: string | undefined,
  fraction: string | undefined,
  offset: number | undefined,
): number | undefined {
  if (offset === undefined) return undefined;
  const [y, mo, d, h, mi, s] = [year, month, day, hour, minute, second].map((part) => Number(part ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  const midnight = new Date(Date.UTC(y, mo - 1, d));
  // Date.UTC rolls 2026-02-30 over to March; a real timestamp never names a missing day.
  if (midnight.getUTCMonth() !== mo - 1 || midnight.getUTCDate() !== d) return undefined;
  const ms = fraction === undefined ? 0 : Math.floor(Number(`0${fraction}`) * 1000);
  return Date.UTC(y, mo - 1, d, h, mi, s, ms) - offset * 60_000;
}
