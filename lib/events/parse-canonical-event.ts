import type { EventEnvelope } from './key-created.ts';
import { buildKeyCreated, buildKeyCreator } from './build-key-created.ts';
import { canonicalEventSchema } from './canonical-event-schema.ts';
import { invalidFromZodError } from './format-zod-issues.ts';
import type { JsonObject } from './json-object.ts';
import type { NormaliseResult } from './normalise-result.ts';

/**
 * Parses the canonical `{"type": "kms.key.created", ...}` event of custom producers.
 *
 * @param path where the event sits in the body (`""`, `Message.`...), for details.
 */
export function parseCanonicalEvent(body: JsonObject, envelopes: EventEnvelope[], path: string): NormaliseResult {
  const parsed = canonicalEventSchema().safeParse(body);
  if (!parsed.success) return invalidFromZodError(parsed.error, path);
  const e = parsed.data;
  return {
    kind: 'key_created',
    event: buildKeyCreated(
      {
        key_id: e.key_id,
        project_id: e.project_id,
        region: e.region,
        domain_id: e.domain_id,
        created_by:
          e.created_by === undefined
            ? undefined
            : buildKeyCreator({
                name: e.created_by.name,
                id: e.created_by.id,
                type: e.created_by.type,
                domain_name: e.created_by.domain_name,
              }),
        created_at: e.created_at,
        key_alias: e.key_alias,
        key_spec: e.key_spec,
        key_usage: e.key_usage,
        origin: e.origin,
        enterprise_project_id: e.enterprise_project_id,
        key_description: e.key_description,
        trace_id: e.trace_id,
      },
      'canonical',
      envelopes,
    ),
  };
}
