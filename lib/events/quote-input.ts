import { MAX_QUOTED_INPUT } from './event-limits.ts';

/**
 * Names the JSON type of a value for messages: `null`, `array`, `object`, `string`, `number`...
 * Only the type is reported, never the value.
 */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * Quotes untrusted input for a human-readable `detail`: at most {@link MAX_QUOTED_INPUT}
 * characters, JSON-escaped so control characters and quotes cannot forge log lines.
 * Numbers, booleans and `null` are shown as such; objects and arrays by type only.
 *
 * @example quoteInput('deleteKey') // '"deleteKey"'
 * @example quoteInput(42)          // '42'
 * @example quoteInput({})          // 'an object'
 */
export function quoteInput(value: unknown, max: number = MAX_QUOTED_INPUT): string {
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) {
    return String(value).slice(0, max);
  }
  if (typeof value !== 'string') {
    const type = describeType(value);
    return type === 'array' || type === 'object' ? `an ${type}` : `a ${type}`;
  }
  const clipped = value.length > max ? `${value.slice(0, max)}…` : value;
  return JSON.stringify(clipped);
}
