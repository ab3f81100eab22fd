/**
 * The event fields a template can name, and how each is read from a `KeyCreated`. Field names
 * are `KeyCreated`'s own (Huawei's CreateKey/CTS snake_case), plus two derived ones.
 */
import type { KeyCreated } from '../events/key-created.ts';

/** Event fields a template may name, in documentation order. */
export const EVENT_FIELD_NAMES = [
  'key_id',
  'key_alias',
  'key_spec',
  'key_usage',
  'origin',
  'project_id',
  'region',
  'domain_id',
  'enterprise_project_id',
  /** The creator's name (`created_by.name`). */
  'created_by',
  /** `YYYYMMDD` of `created_at`, in UTC. */
  'created_date',
] as const;
export type EventFieldName = (typeof EVENT_FIELD_NAMES)[number];

/** Reads one field; `undefined` when the event lacks it. Never throws on odd runtime values. */
export type EventFieldReader = (event: KeyCreated) => string | undefined;

const ISO_DATE_PREFIX = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/gu;

/**
 * A string field as the filters see it. Names typed by people (an IAM user, a relayed key name)
 * can reach us in NFC or NFD, or with invisible characters (zero-width space, RTL mark, soft
 * hyphen) in them; without this, `slug` and `truncate` would give two aliases for one visible
 * name. NFC (not NFKD folding) keeps every alias an NFC name produced before unchanged
 * (https://unicode.org/reports/tr15/; default-ignorables: https://unicode.org/reports/tr44/).
 */
function text(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  return PRINTABLE_ASCII.test(value) ? value : value.normalize('NFC').replace(INVISIBLE, '');
}

/** UTC calendar date of an ISO-8601 timestamp as `YYYYMMDD`; deterministic (no clock). */
export function toCreatedDate(createdAt: string | undefined): string | undefined {
  if (typeof createdAt !== 'string' || !ISO_DATE_PREFIX.test(createdAt)) return undefined;
  const ms = Date.parse(createdAt);
  if (!Number.isFinite(ms)) return undefined;
  const date = new Date(ms);
  const year = date.getUTCFullYear();
  if (year < 1000 || year > 9999) return undefined;
  const month = String(date.getUTCMonth() + 1).padStart(2, '0');
  const day = String(date.getUTCDate()).padStart(2, '0');
  return `${year}${month}${day}`;
}

/** One reader per field; a placeholder's reader is looked up once, at compile time. */
export const EVENT_FIELD_READERS: Readonly<Record<EventFieldName, EventFieldReader>> = Object.freeze({
  key_id: (e) => text(e.key_id),
  key_alias: (e) => text(e.key_alias),
  key_spec: (e) => text(e.key_spec),
  key_usage: (e) => text(e.key_usage),
  origin: (e) => text(e.origin),
  project_id: (e) => text(e.project_id),
  region: (e) => text(e.region),
  domain_id: (e) => text(e.domain_id),
  enterprise_project_id: (e) => text(e.enterprise_project_id),
  created_by: (e) => text(e.created_by?.name),
  created_date: (e) => toCreatedDate(e.created_at),
});

/** True for a template-visible event field (own keys only: `constructor` is not a field). */
export function isEventFieldName(name: string): name is EventFieldName {
  return Object.hasOwn(EVENT_FIELD_READERS, name);
}

/**
 * Fields whose values are free text rather than ids or enumerations: without `|slug` they can
 * hold characters (`.`, `@`, spaces, `/`) that break the alias rules, so the compiler warns.
 */
export const FREE_TEXT_FIELDS: ReadonlySet<EventFieldName> = new Set<EventFieldName>(['key_alias', 'created_by']);

/**
 * A representative, fully populated event for the compile-time trial derivation: every field
 * has a typical, rule-abiding value, so a template that fails on it fails on every real event.
 */
export const SAMPLE_KEY_CREATED: Readonly<KeyCreated> = Object.freeze({
  key_id: '0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e',
  project_id: '0f3a8c1e5b7d4e2a9c6b8d0e1f2a3b4c',
  region: 'cn-north-4',
  domain_id: '3bab8e245e854f68af5967c00dd43127',
  created_by: Object.freeze({
    name: 'ops-admin',
    id: '7c5e2f1a9b3d4c6e8f0a2b4c6d8e0f1a',
    type: 'User',
    domain_name: 'acme-prod',
  }),
  created_at: '2026-11-03T08:15:30.000Z',
  key_alias: 'payments-db',
  key_spec: 'AES_256',
  key_usage: 'ENCRYPT_DECRYPT',
  origin: 'kms',
  enterprise_project_id: '0',
  key_description: 'Sample key',
  trace_id: 'a3c1f7e2-b84d-11f1-9c2e-fa163e4b7d21',
  source: 'canonical',
  envelopes: [],
});
