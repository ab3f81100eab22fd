import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The project's users have only this repository: no comment, doc or message may send them to a
// document outside it. Huawei facts are cited by the anchors of docs/huawei-kms.md or by
// Huawei's public URLs. The patterns below are built from pieces so that this file does not
// match itself.
const root = resolve(import.meta.dirname, '../..');
const HUAWEI_DOC = 'docs/huawei-kms.md';
const BINARY = /\.(png|jpe?g|gif|ico|pdf|zip|gz|tgz|woff2?|wasm)$/i;

const SECTION_SIGN = '\u00a7';
const FORBIDDEN: { what: string; pattern: RegExp }[] = [
  { what: 'a section-sign citation', pattern: new RegExp(SECTION_SIGN) },
  { what: 'a "reference N" citation', pattern: new RegExp(`\\breference\\s*${SECTION_SIGN}`, 'i') },
  { what: 'a path outside the repository', pattern: new RegExp(['\\.\\.', 'shared'].join('/')) },
  { what: 'the external KMS notes', pattern: new RegExp(['huawei-kms-api', 'md'].join('\\.')) },
  { what: 'the external bridge notes', pattern: new RegExp(['huawei-bridge', 'md'].join('\\.')) },
  { what: 'the external toolchain notes', pattern: new RegExp(['toolchain', 'md'].join('\\.')) },
];

function trackedTextFiles(): string[] {
  return execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' })
    .split('\0')
    .filter((f) => f !== '' && !f.endsWith('package-lock.json') && !BINARY.test(f));
}

function read(file: string): string | undefined {
  try {
    return readFileSync(join(root, file), 'utf8');
  } catch {
    return undefined; // deleted in the work tree but still tracked
  }
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes, repeats numbered. */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const counts = new Map<string, number>();
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*```/.test(line)) inFence = !inFence;
    const m = inFence ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m?.[1]) continue;
    const base = m[1]
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = counts.get(base) ?? 0;
    counts.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

const files = trackedTextFiles();
const texts = new Map(files.map((f) => [f, read(f)] as const));

describe('citations stay inside the repository', () => {
  it.each(FORBIDDEN)('no tracked file contains $what', ({ pattern }) => {
    const hits: string[] = [];
    for (const [file, text] of texts) {
      if (text === undefined) continue;
      text.split('\n').forEach((line, i) => {
        if (pattern.test(line)) hits.push(`${file}:${i + 1}: ${line.trim().slice(0, 160)}`);
      });
    }
    expect(hits).toEqual([]);
  });

  it(`every ${HUAWEI_DOC}#anchor that is cited exists as a heading`, () => {
    const doc = texts.get(HUAWEI_DOC);
    expect(doc, `${HUAWEI_DOC} is tracked`).toBeTypeOf('string');
    const anchors = headingAnchors(doc ?? '');
    const missing: string[] = [];
    let cited = 0;
    for (const [file, text] of texts) {
      if (text === undefined) continue;
      text.split('\n').forEach((line, i) => {
        for (const m of line.matchAll(/huawei-kms\.md#([\w-]+)/g)) {
          cited++;
          if (!anchors.has(m[1] ?? '')) missing.push(`${file}:${i + 1}: #${m[1]}`);
        }
      });
    }
    expect(missing).toEqual([]);
    expect(cited).toBeGreaterThan(0);
  });

  it('docs/huawei-kms.md has the section anchors the code cites', () => {
    const anchors = headingAnchors(texts.get(HUAWEI_DOC) ?? '');
    for (const a of ['alias-rules', 'error-codes', 'aksk-signing', 'unverified']) expect(anchors).toContain(a);
  });
});
