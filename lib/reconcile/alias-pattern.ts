import { ALIAS_MAX_LENGTH } from '../naming/alias-rules.ts';
import { SHORT_LENGTH } from '../naming/alias-filters.ts';
import type { CompiledTemplate, TemplateSegment } from '../naming/compiled-template.ts';

type CharClass = 'lower' | 'upper' | 'digit' | ':' | '/' | '_' | '-';

const ALL: readonly CharClass[] = ['lower', 'upper', 'digit', ':', '/', '_', '-'];
const SLUG: readonly CharClass[] = ['lower', 'digit', '_', '-'];
const REGEX_PART: Readonly<Record<CharClass, string>> = {
  lower: 'a-z',
  upper: 'A-Z',
  digit: '0-9',
  ':': ':',
  '/': '/',
  _: '_',
  '-': '\\-',
};

function classOf(char: string): CharClass {
  if (char >= 'a' && char <= 'z') return 'lower';
  if (char >= 'A' && char <= 'Z') return 'upper';
  if (char >= '0' && char <= '9') return 'digit';
  return char as CharClass;
}

function escapeLiteral(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** What one placeholder can produce: `[chars]{1,max}`, from its filters applied in order. */
function placeholderPattern(filters: readonly string[]): string {
  let chars = new Set<CharClass>(ALL);
  let max = ALIAS_MAX_LENGTH;
  for (const source of filters) {
    const [name = '', arg = ''] = source.split(/:(.*)/s);
    if (name === 'lower' && chars.delete('upper')) chars.add('lower');
    else if (name === 'upper' && chars.delete('lower')) chars.add('upper');
    else if (name === 'slug') chars = new Set(SLUG);
    else if (name === 'short') max = Math.min(max, SHORT_LENGTH);
    else if (name === 'truncate') max = Math.min(max, Number(arg) || max);
    else if (name === 'default') for (const c of arg) chars.add(classOf(c));
  }
  const set = ALL.filter((c) => chars.has(c))
    .map((c) => REGEX_PART[c])
    .join('');
  return `[${set}]{1,${max}}`;
}

function segmentPattern(segment: TemplateSegment): string {
  if (segment.kind === 'literal') return escapeLiteral(segment.text);
  if (segment.kind === 'constant') return escapeLiteral(segment.part.value);
  return placeholderPattern(segment.filterSources);
}

/**
 * "Looks like this template's output": a regex of the template's shape, its fixed text
 * (literals and constants) verbatim and each event placeholder as a run of the characters its
 * filters can produce, at most as long as they allow (`slug` → `[a-z0-9_-]`, `lower`, `upper`,
 * `short` → 8, `truncate:N` → N, `default:V` adds V's characters).
 *
 * @example aliasPatternOf(compile('alias/{env}/{key_alias|slug}-{key_id|short}', { env: 'prod' }))
 * // /^alias\/prod\/[a-z0-9_\-]{1,255}\-[a-zA-Z0-9:/_\-]{1,8}$/
 */
export function aliasPatternOf(template: CompiledTemplate): RegExp {
  return new RegExp(`^${template.segments.map(segmentPattern).join('')}$`);
}

/** True when `alias` could have come from the template. Aliases over the length limit never could. */
export function conformsTo(pattern: RegExp, alias: string): boolean {
  return alias.length <= ALIAS_MAX_LENGTH && pattern.test(alias);
}
