/**
 * `Date#toISOString`, faster for a run of times within the same second (every line of a batch):
 * the text up to the second is kept from the last call, and only the milliseconds are written.
 * V8 formats a date through a printf-style routine, about 0.4 µs a call on the benchmark machine,
 * once per log line. Gives exactly what `toISOString` gives, and throws as it does on an invalid
 * date.
 */
export function createIsoTimestamp(): (date: Date) => string {
  let second = Number.NaN;
  let prefix = '';
  return (date) => {
    const ms = date.getTime();
    const s = Math.floor(ms / 1000);
    if (s !== second) {
      const iso = date.toISOString();
      // Years outside 0000-9999 are written with six digits and a sign: not kept, written whole.
      if (iso.length !== 24) return iso;
      prefix = iso.slice(0, 20);
      second = s;
    }
    const milli = ms - s * 1000;
    return `${prefix}${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
  };
}
