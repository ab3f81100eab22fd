/**
 * A JSON document as a tree the fuzzer can mutate and print exactly as it wants: objects keep
 * duplicate and `__proto__` keys (printed as own keys, never assigned), strings that hold JSON
 * stay mutable (`JEmbedded`), and `JRaw` prints text that no JS value stringifies to (`1e999`,
 * 10,000 nested brackets).
 */

/** An object as an ordered list of entries: duplicates and `__proto__` are kept as written. */
export class JObject {
  entries: Array<[string, JNode]>;
  constructor(entries: Array<[string, JNode]>) {
    this.entries = entries;
  }
}

/** Printed verbatim. */
export class JRaw {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/** A JSON string whose content is another document (SNS `Message`, CTS `request`/`response`). */
export class JEmbedded {
  node: JNode;
  constructor(node: JNode) {
    this.node = node;
  }
}

export type JNode = null | boolean | number | string | JNode[] | JObject | JRaw | JEmbedded;

/** Converts a parsed JSON value; strings holding a JSON object become `JEmbedded`. */
export function fromValue(value: unknown): JNode {
  if (value === null || typeof value === 'boolean' || typeof value === 'number') return value;
  if (typeof value === 'string') {
    if (value.startsWith('{')) {
      try {
        const parsed: unknown = JSON.parse(value);
        if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
          return new JEmbedded(fromValue(parsed));
      } catch {
        // not JSON: an ordinary string
      }
    }
    return value;
  }
  if (Array.isArray(value)) return value.map(fromValue);
  if (typeof value === 'object') return new JObject(Object.entries(value as object).map(([k, v]) => [k, fromValue(v)]));
  return null;
}

const escapeUnit = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * A JSON string literal. U+FFFE/U+FFFF are written as escapes (SQS refuses them raw, and
 * JSON.stringify leaves them raw), as JSON encoders that escape non-ASCII do.
 */
function quote(text: string): string {
  return JSON.stringify(text).replace(/[\ufffe\uffff]/g, escapeUnit);
}

/**
 * Escapes every non-ASCII character as `\uXXXX`, as Python's json.dumps does by default. Only
 * string literals hold non-ASCII characters in JSON text, so the document's meaning is unchanged.
 */
export function ensureAscii(text: string): string {
  return text.replace(/[\u007f-\uffff]/g, escapeUnit);
}

/** Prints a tree as JSON text (or not-quite-JSON, when `JRaw` says so). */
export function serialize(node: JNode): string {
  if (node === null) return 'null';
  if (typeof node === 'boolean') return node ? 'true' : 'false';
  if (typeof node === 'number') return JSON.stringify(node);
  if (typeof node === 'string') return quote(node);
  if (Array.isArray(node)) return `[${node.map(serialize).join(',')}]`;
  if (node instanceof JRaw) return node.text;
  if (node instanceof JEmbedded) return quote(serialize(node.node));
  return `{${node.entries.map(([k, v]) => `${quote(k)}:${serialize(v)}`).join(',')}}`;
}

export function clone(node: JNode): JNode {
  if (Array.isArray(node)) return node.map(clone);
  if (node instanceof JObject) return new JObject(node.entries.map(([k, v]) => [k, clone(v)]));
  if (node instanceof JEmbedded) return new JEmbedded(clone(node.node));
  return node;
}

/** A place in a tree that can be read, replaced and (in objects and arrays) removed. */
export interface Location {
  get(): JNode;
  set(value: JNode): void;
  remove(): void;
  /** The key of an object entry (undefined for array items, embedded documents and the root). */
  key: string | undefined;
  /** The object holding the entry, when there is one. */
  parent: JObject | undefined;
}

/** Every location in the tree, the root first (whose set/remove replace the whole document). */
export function locations(root: { node: JNode }): Location[] {
  const out: Location[] = [];
  out.push({
    get: () => root.node,
    set: (v) => {
      root.node = v;
    },
    remove: () => {
      root.node = new JObject([]);
    },
    key: undefined,
    parent: undefined,
  });
  const visit = (node: JNode): void => {
    if (Array.isArray(node)) {
      node.forEach((child, i) => {
        out.push({
          get: () => node[i] ?? null,
          set: (v) => {
            node[i] = v;
          },
          remove: () => {
            node.splice(i, 1);
          },
          key: undefined,
          parent: undefined,
        });
        visit(child);
      });
    } else if (node instanceof JObject) {
      node.entries.forEach((entry) => {
        out.push({
          get: () => entry[1],
          set: (v) => {
            entry[1] = v;
          },
          remove: () => {
            const at = node.entries.indexOf(entry);
            if (at >= 0) node.entries.splice(at, 1);
          },
          key: entry[0],
          parent: node,
        });
        visit(entry[1]);
      });
    } else if (node instanceof JEmbedded) {
      out.push({
        get: () => node.node,
        set: (v) => {
          node.node = v;
        },
        remove: () => {
          node.node = new JObject([]);
        },
        key: undefined,
        parent: undefined,
      });
      visit(node.node);
    }
  };
  visit(root.node);
  return out;
}
