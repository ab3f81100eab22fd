/**
 * Follows each KMS call of the `npm start` run along the path: its CTS trace, the SMN message
 * that carried it, SMN's deliveries to the ingest, the ingest's answer and the queue handler's
 * final audit record. Everything is matched by the trace id, which every hop keeps.
 */
import type { KmsEmulator } from '../emulator/kms-emulator.ts';
import type { Config } from '../lib/config/load-config.ts';
import { normaliseEvent } from '../lib/events/normalise-event.ts';
import { deriveAlias } from '../lib/naming/derive-alias.ts';
import type { Tag } from '../lib/tags/tag-rules.ts';
import { renderTags } from '../lib/tags/render-tags.ts';
import type { IngestRequestSeen } from './ingest-server.ts';
import type { PathAccountName } from './path-accounts.ts';
import type { PathAction } from './path-scenario.ts';
import { parseJson } from './run-local.ts';

/** What KMS answered a call: the key id, or the error. */
export type CallResult = { ok: true; keyId: string } | { ok: false; status: number; code: string };

/** A trace POSTed to the ingest with the token (not through SMN): its id and the ingest's status. */
export interface RelayedTrace {
  traceId: string;
  status: number;
}

/** One KMS call's way through the path. */
export interface KeyHops {
  /** 1-based phase of the run. */
  phase: number;
  action: PathAction;
  /** The account the key lives in. */
  account: PathAccountName;
  keyAlias: string;
  call: CallResult;
  /** Set when the trace reached the ingest by the token route instead of SMN. */
  relayed: RelayedTrace | undefined;
  /** CTS recorded a trace for the call (with its `code`). */
  traceCode: string | undefined;
  traceId: string | undefined;
  /** The SMN message that carried the trace (CTS notification → topic), if any. */
  smnMessageId: string | undefined;
  /** SMN's delivery attempts to the ingest URL and the last status. */
  deliveryAttempts: number;
  deliveryStatus: number | undefined;
  /** The ingest's answer (`enqueued`, `duplicate`, ...). */
  ingestReason: string | undefined;
  /** The queue handler's final audit record for the trace. */
  audit: Record<string, unknown> | undefined;
  outcome: string | undefined;
  alias: string | undefined;
  /** createKey: what the alias template gives the key's trace; undefined when no alias is expected. */
  expectedAlias: string | undefined;
  /** createKey with tags on: the tags the template gives it. */
  expectedTags: Tag[] | undefined;
  /** The key's aliases and tags once its phase had drained. */
  aliasesAfter: string[];
  tagsAfter: Tag[];
}

/** A call as the run made it, before the path is followed. */
export interface MadeCall {
  phase: number;
  action: PathAction;
  account: PathAccountName;
  call: CallResult;
  relayed?: RelayedTrace;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The trace a Notification carries, read from its `message`. */
function traceIdOfDelivery(body: string): string | undefined {
  const envelope = parseJson(body);
  const message = typeof envelope?.message === 'string' ? parseJson(envelope.message) : undefined;
  return text(message?.trace_id);
}

/** The trace a relayed request carries (the trace itself is the body). */
function traceIdOfRelay(body: string): string | undefined {
  return text(parseJson(body)?.trace_id);
}

/** The trace CTS recorded for a call: by key and operation, or for a refused createKey by its name. */
function traceOf(emulator: KmsEmulator, made: MadeCall): Record<string, unknown> | undefined {
  const { action, call } = made;
  const traces = emulator.cts.traces as ReadonlyArray<Record<string, unknown>>;
  if (action.kind === 'forgeTrace') return undefined;
  if (!call.ok) {
    return traces.find(
      (t) =>
        t.trace_name === action.kind &&
        t.resource_id === undefined &&
        String(t.request).includes(JSON.stringify(action.keyAlias)),
    );
  }
  return traces.find((t) => t.trace_name === action.kind && t.resource_id === call.keyId);
}

/** What the templates give a created key, read from its trace exactly as the handler reads it. */
function expectedOf(
  trace: Record<string, unknown> | undefined,
  config: Config,
): { alias: string | undefined; tags: Tag[] | undefined } {
  if (trace === undefined) return { alias: undefined, tags: undefined };
  const event = normaliseEvent(JSON.stringify(trace));
  if (event.kind !== 'key_created') return { alias: undefined, tags: undefined };
  // A project outside HUAWEICLOUD_ACCOUNTS gets nothing.
  if (!config.projects.has(event.event.project_id)) return { alias: undefined, tags: undefined };
  const derived = deriveAlias(config.aliasTemplate, event.event);
  if (!derived.ok) return { alias: undefined, tags: undefined };
  if (config.tagTemplate === undefined) return { alias: derived.alias, tags: undefined };
  const rendered = renderTags(config.tagTemplate, event.event, derived.alias);
  return { alias: derived.alias, tags: rendered.ok ? rendered.tags : undefined };
}

/**
 * Reads one call's hops once its phase has drained. `aliasesAfter`/`tagsAfter` are read now, so
 * call this at the end of the call's phase.
 */
export function hopsOf(
  made: MadeCall,
  emulator: KmsEmulator,
  requests: readonly IngestRequestSeen[],
  audits: ReadonlyArray<Record<string, unknown>>,
  config: Config,
): KeyHops {
  const { call, relayed } = made;
  const trace = traceOf(emulator, made);
  const traceId = relayed?.traceId ?? text(trace?.trace_id);
  const notifications = requests.filter((r) =>
    relayed === undefined
      ? r.smnType === 'Notification' && traceId !== undefined && traceIdOfDelivery(r.body) === traceId
      : r.smnType === undefined && traceIdOfRelay(r.body) === traceId,
  );
  const last = notifications.at(-1);
  const attempts =
    relayed === undefined
      ? emulator.smn.deliveryLog.filter((d) => d.messageId === last?.smnMessageId)
      : notifications.map((r) => ({ status: r.status }));
  const audit = [...audits]
    .reverse()
    .find((a) => traceId !== undefined && a.trace_id === traceId && a.disposition !== 'retry');
  const expected =
    made.action.kind === 'createKey' && call.ok ? expectedOf(trace, config) : { alias: undefined, tags: undefined };
  const keyId = call.ok ? call.keyId : undefined;
  return {
    phase: made.phase,
    action: made.action,
    account: made.account,
    keyAlias: made.action.keyAlias,
    call,
    relayed,
    traceCode: trace === undefined ? undefined : String(trace.code),
    traceId,
    smnMessageId: last?.smnMessageId,
    deliveryAttempts: attempts.length,
    deliveryStatus: attempts.at(-1)?.status,
    ingestReason: last?.reason,
    audit,
    outcome: text(audit?.outcome),
    alias: text(audit?.alias),
    expectedAlias: expected.alias,
    expectedTags: expected.tags,
    aliasesAfter: keyId === undefined ? [] : emulator.state.aliasesOf(keyId),
    tagsAfter: keyId === undefined ? [] : emulator.tags.tagsOf(keyId),
  };
}
