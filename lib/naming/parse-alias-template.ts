/**
 * The template parser: source text → literal and placeholder nodes, with 1-based positions for
 * error messages. Meaning (which names and filters exist) is checked by the compiler.
 */

export interface LiteralNode {
  kind: 'literal';
  text: string;
  /** 1-based position of the first character. */
  position: number;
}

export interface FilterNode {
  name: string;
  /** Text after the first `:`; `undefined` when there is no `:`. */
  arg: string | undefined;
  position: number;
}

export interface PlaceholderNode {
  kind: 'placeholder';
  /** As written, braces included: `{key_alias|slug}`. */
  source: string;
  name: string;
  filters: FilterNode[];
  position: number;
}

export type TemplateNode = LiteralNode | PlaceholderNode;

/** Parsed nodes, or the first syntax error with its 1-based position. */
export type ParseTemplateResult = { ok: true; nodes: TemplateNode[] } | { ok: false; reason: string };

/** Longer templates are refused outright; an alias is at most 255 characters. */
export const MAX_TEMPLATE_LENGTH = 1024;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const FILTER_NAME = /^[a-z]+$/;

/**
 * Splits a template into nodes. Any `{` opens a placeholder that must close with `}` before
 * another `{`; a `}` outside a placeholder is an error. No escaping exists: braces and `|` are
 * never legal in an alias, so literal text never needs them.
 */
export function parseAliasTemplate(source: string): ParseTemplateResult {
  if (source.length === 0) return { ok: false, reason: 'the template is empty' };
  if (source.length > MAX_TEMPLATE_LENGTH) {
    return {
      ok: false,
      reason: `the template is ${source.length} characters; at most ${MAX_TEMPLATE_LENGTH} are accepted`,
    };
  }
  const nodes: TemplateNode[] = [];
  let index = 0;
  while (index < source.length) {
    const open = source.indexOf('{', index);
    const literalEnd = open === -1 ? source.length : open;
    if (literalEnd > index) {
      const text = source.slice(index, literalEnd);
      const stray = text.indexOf('}');
      if (stray !== -1) {
        return {
          ok: false,
          reason: `unexpected "}" at position ${index + stray + 1}: no placeholder is open (braces are never legal in an alias)`,
        };
      }
      nodes.push({ kind: 'literal', text, position: index + 1 });
    }
    if (open === -1) break;
    const close = source.indexOf('}', open + 1);
    const nested = source.indexOf('{', open + 1);
    if (close === -1) {
      return { ok: false, reason: `the placeholder opened at position ${open + 1} is not closed with "}"` };
    }
    if (nested !== -1 && nested < close) {
      return {
        ok: false,
        reason: `unexpected "{" at position ${nested + 1} inside the placeholder opened at position ${open + 1}: placeholders do not nest`,
      };
    }
    const placeholder = parsePlaceholder(source.slice(open, close + 1), open + 1);
    if (!placeholder.ok) return placeholder;
    nodes.push(placeholder.node);
    index = close + 1;
  }
  return { ok: true, nodes };
}

function parsePlaceholder(
  source: string,
  position: number,
): { ok: true; node: PlaceholderNode } | { ok: false; reason: string } {
  const pieces = source.slice(1, -1).split('|');
  const [name = ''] = pieces;
  if (!NAME.test(name)) {
    return {
      ok: false,
      reason:
        name === ''
          ? `the placeholder at position ${position} has no name`
          : `placeholder name ${JSON.stringify(name)} at position ${position + 1} must be letters, digits and _ (not starting with a digit)`,
    };
  }
  const filters: FilterNode[] = [];
  let offset = position + 1 + name.length; // position of the '|' before the next filter
  for (const piece of pieces.slice(1)) {
    const filterPosition = offset + 1;
    const colon = piece.indexOf(':');
    const filterName = colon === -1 ? piece : piece.slice(0, colon);
    if (!FILTER_NAME.test(filterName)) {
      return {
        ok: false,
        reason:
          filterName === ''
            ? `empty filter at position ${filterPosition} in ${source}`
            : `filter name ${JSON.stringify(filterName)} at position ${filterPosition} must be lower-case letters`,
      };
    }
    filters.push({
      name: filterName,
      arg: colon === -1 ? undefined : piece.slice(colon + 1),
      position: filterPosition,
    });
    offset += piece.length + 1;
  }
  return { ok: true, node: { kind: 'placeholder', source, name, filters, position } };
}
