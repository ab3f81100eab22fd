import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const EVENTS_DIR = join(import.meta.dirname, '..', '..', 'events');

/** The names of every sample body in `events/` (without `.json`). */
export const SAMPLE_EVENT_NAMES = readdirSync(EVENTS_DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.slice(0, -'.json'.length))
  .sort();

/** A sample body as the string SQS would deliver. */
export function loadEventBody(name: string): string {
  return readFileSync(join(EVENTS_DIR, `${name}.json`), 'utf8');
}
