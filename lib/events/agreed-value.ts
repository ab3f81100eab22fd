import { quoteInput } from './quote-input.ts';

/** One place a trace names a value: its path (`cts.resource_id`) and what it says there. */
export type ValueSource = readonly [path: string, value: string | undefined];

export type AgreedValue = { ok: true; value: string | undefined } | { ok: false; detail: string };

/**
 * The value that every source naming one agrees on (the first in `sources` order), or a detail
 * naming the two paths that disagree. Where CTS puts the key id, project, region and account of
 * a new key is unverified (docs/huawei-kms.md#key-events), so a trace is read from several places;
 * when two of them name different keys, projects, regions or accounts the trace is garbled or
 * forged, and picking one would be a guess that could alias the wrong key.
 *
 * @example agreedValue('key id', [['response.key_info.key_id', 'a'], ['resource_id', 'b']])
 *   // { ok: false, detail: 'response.key_info.key_id is "a" but resource_id is "b": the trace names two key ids' }
 */
export function agreedValue(what: string, sources: readonly ValueSource[]): AgreedValue {
  let first: ValueSource | undefined;
  for (const source of sources) {
    if (source[1] === undefined) continue;
    if (first === undefined) {
      first = source;
    } else if (source[1] !== first[1]) {
      return {
        ok: false,
        detail: `${first[0]} is ${quoteInput(first[1])} but ${source[0]} is ${quoteInput(source[1])}: the trace names two ${what}s`,
      };
    }
  }
  return { ok: true, value: first?.[1] };
}
