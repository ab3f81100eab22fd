/**
 * Finds credentials in text that must never hold them: log lines, DLQ records, console output.
 * Used by the suite-wide scan (test/setup/secret-scan.ts) and by the chaos run.
 *
 * A secret leaks when any run of at least `minLength` (default 8) of its characters appears,
 * as-is or in a form it takes when embedded in a JSON string, a URL or base64 (whole or in part:
 * a logged prefix of an SK is as bad as the SK). Reports never contain the secret itself.
 */

/** One place where (part of) a secret appears. */
export interface Leak {
  /** Index into `lines`. */
  line: number;
  /** Index into `secrets`. */
  secret: number;
  /** Form in which the secret appeared. */
  form: SecretForm;
  /** Where the match starts in the line. */
  offset: number;
  /** Length of the longest run of the secret (in that form) found at `offset`. */
  length: number;
}

/** `raw`: verbatim; `json`: JSON-string-escaped; `url`: percent-encoded; `base64`: base64 or base64url. */
export type SecretForm = 'raw' | 'json' | 'url' | 'base64';

export interface FindSecretLeaksOptions {
  /** Shortest run of a secret that counts as a leak. Default 8. Shorter secrets are ignored. */
  minLength?: number;
  /**
   * Runs made of fewer distinct characters are ignored (default 4), so that `00000000` in an
   * AWS account id does not count as part of an SK that happens to end in zeros.
   */
  minDistinctChars?: number;
  /**
   * Benign text that happens to occur inside fixture secrets (`emulator`, `security`): a run
   * that lies wholly inside one of these is not reported. Runs that straddle them still are.
   */
  ignore?: readonly string[];
}

interface Window {
  secret: number;
  form: SecretForm;
  /** The form's full text, to measure how long the match runs on. */
  text: string;
}

function formsOf(secret: string): Array<[SecretForm, string]> {
  const forms: Array<[SecretForm, string]> = [['raw', secret]];
  const json = JSON.stringify(secret).slice(1, -1);
  if (json !== secret) forms.push(['json', json]);
  let url: string | undefined;
  try {
    url = encodeURIComponent(secret);
  } catch {
    url = undefined; // a lone surrogate has no URL form
  }
  if (url !== undefined && url !== secret) forms.push(['url', url]);
  const bytes = Buffer.from(secret, 'utf8');
  forms.push(['base64', bytes.toString('base64')]);
  const b64url = bytes.toString('base64url');
  if (b64url !== bytes.toString('base64').replace(/=+$/, '')) forms.push(['base64', b64url]);
  return forms;
}

function distinctChars(text: string): number {
  return new Set(text).size;
}

/**
 * Returns every leak of `secrets` in `lines`: at most one per line and secret (its longest run,
 * in whichever form), in line order.
 *
 * @example findSecretLeaks(['{"sk":"abcd…"}'], [sk]) // [{ line: 0, secret: 0, form: 'raw', offset: 7, length: 40 }]
 */
export function findSecretLeaks(
  lines: readonly string[],
  secrets: readonly string[],
  options: FindSecretLeaksOptions = {},
): Leak[] {
  const minLength = options.minLength ?? 8;
  const minDistinct = options.minDistinctChars ?? 4;
  const ignore = options.ignore ?? [];
  const windows = new Map<string, Window[]>();
  const firstChars = new Set<number>();
  secrets.forEach((secret, index) => {
    if (typeof secret !== 'string' || secret.length < minLength) return;
    for (const [form, text] of formsOf(secret)) {
      for (let i = 0; i + minLength <= text.length; i++) {
        const window = text.slice(i, i + minLength);
        if (distinctChars(window) < minDistinct) continue;
        if (ignore.some((benign) => benign.includes(window))) continue;
        const list = windows.get(window) ?? [];
        if (!list.some((w) => w.secret === index && w.form === form)) list.push({ secret: index, form, text });
        windows.set(window, list);
        firstChars.add(window.charCodeAt(0));
      }
    }
  });
  if (windows.size === 0) return [];

  const leaks: Leak[] = [];
  lines.forEach((line, lineIndex) => {
    if (typeof line !== 'string') return;
    // One leak per secret and line: the longest run, in whichever form (the first on ties).
    const best = new Map<number, Leak>();
    for (let i = 0; i + minLength <= line.length; i++) {
      if (!firstChars.has(line.charCodeAt(i))) continue;
      const hits = windows.get(line.slice(i, i + minLength));
      if (hits === undefined) continue;
      for (const hit of hits) {
        const known = best.get(hit.secret);
        if (known !== undefined && known.length >= hit.text.length) continue;
        let length = minLength;
        while (i + length < line.length && hit.text.includes(line.slice(i, i + length + 1))) length++;
        if (known === undefined || length > known.length) {
          best.set(hit.secret, { line: lineIndex, secret: hit.secret, form: hit.form, offset: i, length });
        }
      }
    }
    leaks.push(...[...best.values()].sort((a, b) => a.offset - b.offset || a.secret - b.secret));
  });
  return leaks;
}

/** A credential-shaped pattern in a line, whatever its value (a signature, a token header). */
export interface PatternLeak {
  line: number;
  pattern: string;
  offset: number;
}

/**
 * What a credential looks like when it is logged by accident, independent of its value:
 * an AK/SK `Authorization` header (replayable for 15 minutes, docs/huawei-kms.md#aksk-signing), an
 * `X-Auth-Token`/`X-Security-Token` header with a value, an emulator-issued IAM token.
 */
export const CREDENTIAL_PATTERNS: ReadonlyArray<{ name: string; pattern: RegExp }> = [
  { name: 'AK/SK Authorization header', pattern: /SDK-HMAC-SHA256\s+Access=/ },
  { name: 'request signature', pattern: /Signature=[0-9a-f]{64}/ },
  { name: 'X-Auth-Token header', pattern: /x-auth-token["']?\s*[:=]\s*["']?[A-Za-z0-9+/_-]{16}/i },
  { name: 'X-Security-Token header', pattern: /x-security-token["']?\s*[:=]\s*["']?[A-Za-z0-9+/_-]{8}/i },
  { name: 'emulator IAM token', pattern: /MIIemu[A-Za-z0-9_-]{8}/ },
];

/** Every credential-shaped pattern in `lines` (see {@link CREDENTIAL_PATTERNS}). */
export function findCredentialPatterns(lines: readonly string[]): PatternLeak[] {
  const found: PatternLeak[] = [];
  lines.forEach((line, index) => {
    if (typeof line !== 'string') return;
    for (const { name, pattern } of CREDENTIAL_PATTERNS) {
      const match = pattern.exec(line);
      if (match !== null) found.push({ line: index, pattern: name, offset: match.index });
    }
  });
  return found;
}

/**
 * Describes a leak for a failure message without repeating the secret: the matched run is
 * replaced by `[…N chars of <name>…]` and only a little of the surrounding line is shown.
 */
export function describeLeak(leak: Leak, lines: readonly string[], names: readonly string[] = []): string {
  const line = lines[leak.line] ?? '';
  const name = names[leak.secret] ?? `secret #${leak.secret}`;
  const before = line.slice(Math.max(0, leak.offset - 40), leak.offset);
  const after = line.slice(leak.offset + leak.length, leak.offset + leak.length + 40);
  return `line ${leak.line}: ${leak.length} characters of ${name} (${leak.form}) in …${JSON.stringify(before).slice(1, -1)}[${name}]${JSON.stringify(after).slice(1, -1)}…`;
}
