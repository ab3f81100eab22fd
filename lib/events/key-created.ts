/**
 * The one normalised value every supported event shape turns into. Field names are the
 * snake_case names of Huawei's CreateKey request and CTS trace, so that the naming template's
 * placeholders (`{key_alias}`, `{key_spec}`...) are the names operators already know.
 */
export interface KeyCreator {
  /** IAM user or agency name, as CTS reports it (`user.name`). */
  name?: string;
  /** IAM user id (`user.id`). */
  id?: string;
  /** `User`, `AssumedAgency`, `ExternalUser`... when the trace carries it. */
  type?: string;
  /** Account name (`user.domain.name`). */
  domain_name?: string;
}

/** `key-details`: built from a listed key's KeyDetails by `kms-auto-alias backfill` and `reconcile`, not from a message. */
export type EventSource = 'cts' | 'functiongraph-cts' | 'eventgrid' | 'canonical' | 'key-details';
/** `smn`: Huawei SMN's notification envelope (snake_case `type`/`message`), `sns`: AWS SNS's. */
export type EventEnvelope = 'sns' | 'smn' | 'eventbridge';

export interface KeyCreated {
  key_id: string;
  project_id: string;
  /** Region id (`cn-north-4`), when the event says; config maps the project otherwise. */
  region?: string;
  /** Account (domain) id. */
  domain_id?: string;
  created_by?: KeyCreator;
  /** ISO-8601 creation time: the trace's `time`, else its `record_time`. */
  created_at?: string;
  /** CreateKey request fields. `key_alias` is the key's display name, not an alias resource. */
  key_alias?: string;
  key_spec?: string;
  key_usage?: string;
  origin?: string;
  enterprise_project_id?: string;
  key_description?: string;
  /** CTS trace id, when the event came from a trace. */
  trace_id?: string;
  /** Which shape the body was, and which wrappers were peeled off (outermost first). */
  source: EventSource;
  envelopes: EventEnvelope[];
  /**
   * What normalisation tolerated and left out, one sentence each (e.g. a trace `time` it could
   * not read). Absent when there is nothing to say. For the audit record, never for naming.
   */
  notes?: string[];
}
