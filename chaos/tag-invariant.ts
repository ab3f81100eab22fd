// Issue 12 docs/huawei-kms.md#alias-api: "no tag overwritten unless asked". Read from the emulator's log of tag writes
// (emulator/kms-tags.ts): with TAG_OVERWRITE off, no write may change a value a key already had.
// The run uses Huawei's "rejects" reading of `create` (emulator switch): under the "overwrites"
// reading, the direct create of a first receive is allowed to overwrite a value set before it
// (the documented price of two calls per key, docs/operations.md#10-tags-from-the-naming-convention-optional), which is not what this
// check is about.
import type { TagWrite } from '../emulator/kms-tags.ts';

/** Checks the tag write log of a run; `overwrite` is the function's TAG_OVERWRITE. */
export function checkNoTagOverwritten(
  writes: readonly TagWrite[] | undefined,
  overwrite: boolean,
): { name: string; pass: boolean; detail: string; failures: string[] } {
  const name = 'no tag overwritten unless asked (TAG_OVERWRITE off)';
  if (writes === undefined) return { name, pass: true, detail: 'tags off in this run', failures: [] };
  const changed = writes.filter((w) => w.from !== undefined && w.from !== w.to);
  const failures = overwrite
    ? []
    : changed.map(
        (w) => `key ${w.keyId}: tag ${w.key} changed from ${JSON.stringify(w.from)} to ${JSON.stringify(w.to)}`,
      );
  const created = writes.filter((w) => w.from === undefined).length;
  return {
    name,
    pass: failures.length === 0,
    detail: `${writes.length} tag writes: ${created} new tags, ${changed.length} changed values${overwrite ? ' (TAG_OVERWRITE on)' : ''}`,
    failures: failures.slice(0, 5),
  };
}
