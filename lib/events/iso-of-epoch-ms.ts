/**
 * `new Date(ms).toISOString()` by arithmetic, for an integer time in years 1970-9999 (every trace
 * time is checked to lie in 2000-2100 first): V8 formats a date through a printf-style routine,
 * about 0.4 µs a call, and each event has its creation time, and each log line its timestamp
 * (lib/audit/create-logger.ts), written this way. Any other value
 * goes to `toISOString`, which also throws on an invalid one as before. The civil date comes from
 * the day count as in H. Hinnant's `civil_from_days` (https://howardhinnant.github.io/date_algorithms.html).
 */
export function isoOfEpochMs(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0 || ms >= MAX_FOUR_DIGIT_YEAR_MS) return new Date(ms).toISOString();
  const days = Math.floor(ms / DAY_MS);
  let rest = ms - days * DAY_MS;
  const hour = Math.floor(rest / 3_600_000);
  rest -= hour * 3_600_000;
  const minute = Math.floor(rest / 60_000);
  rest -= minute * 60_000;
  const second = Math.floor(rest / 1000);
  const milli = rest - second * 1000;
  // civil_from_days, for days since 1970-01-01 (non-negative here).
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return `${year}-${two(month)}-${two(day)}T${two(hour)}:${two(minute)}:${two(second)}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}

const DAY_MS = 86_400_000;
/** 10000-01-01T00:00:00Z: from there toISOString writes a six-digit, signed year. */
const MAX_FOUR_DIGIT_YEAR_MS = 253_402_300_800_000;

function two(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}
