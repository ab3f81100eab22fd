import type { EventEnvelope, EventSource, KeyCreated, KeyCreator } from './key-created.ts';

/** Every `KeyCreated` field, with `undefined` for "absent" (what the zod schemas produce). */
export interface KeyCreatedFields {
  key_id: string;
  project_id: string;
  region: string | undefined;
  domain_id: string | undefined;
  created_by: KeyCreator | undefined;
  created_at: string | undefined;
  key_alias: string | undefined;
  key_spec: string | undefined;
  key_usage: string | undefined;
  origin: string | undefined;
  enterprise_project_id: string | undefined;
  key_description: string | undefined;
  trace_id: string | undefined;
  notes?: string[] | undefined;
}

/** Creator fields as parsed; all may be absent. */
export interface KeyCreatorFields {
  name: string | undefined;
  id: string | undefined;
  type: string | undefined;
  domain_name: string | undefined;
}

/**
 * Builds a `KeyCreator` holding only the fields present, or `undefined` when none is (the
 * result type uses `exactOptionalPropertyTypes`, so absent means "no key", never `undefined`).
 */
export function buildKeyCreator(fields: KeyCreatorFields): KeyCreator | undefined {
  const creator: KeyCreator = {};
  if (fields.name !== undefined) creator.name = fields.name;
  if (fields.id !== undefined) creator.id = fields.id;
  if (fields.type !== undefined) creator.type = fields.type;
  if (fields.domain_name !== undefined) creator.domain_name = fields.domain_name;
  return Object.keys(creator).length === 0 ? undefined : creator;
}

/** A CTS trace's `user`, as its schema reads it. */
export interface TraceUserFields {
  name?: string | undefined;
  id?: string | undefined;
  type?: string | undefined;
  domain?: { name?: string | undefined } | undefined;
}

/** The creator of a key from its trace's `user` (name, id, type, account name), when there is one. */
export function creatorOfTraceUser(user: TraceUserFields | undefined): KeyCreator | undefined {
  return user === undefined
    ? undefined
    : buildKeyCreator({ name: user.name, id: user.id, type: user.type, domain_name: user.domain?.name });
}

/**
 * Assembles a `KeyCreated` from validated fields, copying each one explicitly: raw input is
 * never spread into the result, so unexpected keys cannot leak into it.
 */
export function buildKeyCreated(fields: KeyCreatedFields, source: EventSource, envelopes: EventEnvelope[]): KeyCreated {
  const event: KeyCreated = { key_id: fields.key_id, project_id: fields.project_id, source, envelopes };
  if (fields.region !== undefined) event.region = fields.region;
  if (fields.domain_id !== undefined) event.domain_id = fields.domain_id;
  if (fields.created_by !== undefined) event.created_by = fields.created_by;
  if (fields.created_at !== undefined) event.created_at = fields.created_at;
  if (fields.key_alias !== undefined) event.key_alias = fields.key_alias;
  if (fields.key_spec !== undefined) event.key_spec = fields.key_spec;
  if (fields.key_usage !== undefined) event.key_usage = fields.key_usage;
  if (fields.origin !== undefined) event.origin = fields.origin;
  if (fields.enterprise_project_id !== undefined) event.enterprise_project_id = fields.enterprise_project_id;
  if (fields.key_description !== undefined) event.key_description = fields.key_description;
  if (fields.trace_id !== undefined) event.trace_id = fields.trace_id;
  if (fields.notes !== undefined && fields.notes.length > 0) event.notes = fields.notes;
  return event;
}
