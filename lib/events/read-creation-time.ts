import type { JsonObject } from './json-object.ts';
import { parseTraceTime } from './parse-trace-time.ts';

/**
 * The key's creation time: the trace's `time` (when the call was made), else its `record_time`
 * (when CTS recorded it, moments later). Either may be in any of Huawei's forms, or unreadable:
 * an unreadable one is left out and noted, never a reason to refuse the event
 * (docs/huawei-kms.md#trace-times).
 */
export function readCreationTime(trace: JsonObject, path: string): { iso: string | undefined; notes: string[] } {
  const notes: string[] = [];
  const time = parseTraceTime(trace['time'], `${path}time`);
  if (time.ok && time.iso !== undefined) return { iso: time.iso, notes };
  if (!time.ok) notes.push(time.note);
  const recorded = parseTraceTime(trace['record_time'], `${path}record_time`);
  if (!recorded.ok) notes.push(recorded.note);
  const iso = recorded.ok ? recorded.iso : undefined;
  if (notes.length > 0) {
    notes.push(iso === undefined ? 'created_at left out' : `created_at taken from ${path}record_time`);
  }
  return { iso, notes };
}
