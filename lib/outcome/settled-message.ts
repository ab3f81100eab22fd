import type { ErrorSummary } from '../errors/app-error.ts';
import type { KeyCreated } from '../events/key-created.ts';
import type { AliasPart } from '../naming/derive-alias.ts';
import type { CallMeter, Disposition, Outcome } from './outcome.ts';

/**
 * Everything known about one SQS message once it is settled: what it said, how it ended, what
 * happens to it and what it cost. The audit record and the metrics are both made from it.
 */
export interface SettledMessage {
  messageId: string;
  receiveCount: number;
  outcome: Outcome;
  /** The normalised event, when the body was one. */
  event: KeyCreated | undefined;
  /** Where the alias was (or would be) created: the region comes from configuration. */
  target: { region: string; projectId: string; keyId: string; alias: string } | undefined;
  /** The configured account the event's project belongs to (HUAWEICLOUD_ACCOUNTS), once placed. */
  account?: string | undefined;
  /** How the template filled each placeholder, when an alias was derived. */
  parts: readonly AliasPart[] | undefined;
  disposition: Disposition;
  /** The DLQ's message id, or why the DLQ did not take the record (the message is then retried). */
  dlq: { messageId: string } | { error: ErrorSummary } | undefined;
  meter: CallMeter;
  /** CreateAlias attempts of this message that got no definite answer (ensure-alias.ts). */
  unansweredCreates: number;
  /** A CreateAlias 201 of this message did not carry the alias object asked for (ensure-alias.ts). */
  unexpectedCreateAnswer?: boolean;
  /** Another record of the same batch asked for the same alias and this one shared its create. */
  coalesced: boolean;
  /** Epoch ms when processing of the message started, and when it was settled. */
  startedMs: number;
  settledMs: number;
}

/** Key creation to `settledMs`, for a created alias whose event says when the key was created. */
export function aliasLagMs(message: Pick<SettledMessage, 'event' | 'settledMs'>): number | undefined {
  const createdAtMs = message.event?.created_at === undefined ? Number.NaN : parseCreatedAt(message.event.created_at);
  return Number.isFinite(createdAtMs) ? Math.max(0, message.settledMs - createdAtMs) : undefined;
}

/**
 * `Date.parse`, with the last text and its value kept: the audit record and the metrics both ask
 * for a message's lag, one right after the other.
 */
let lastCreatedAt: string | undefined;
let lastCreatedAtMs = Number.NaN;
function parseCreatedAt(text: string): number {
  if (text !== lastCreatedAt) {
    lastCreatedAtMs = Date.parse(text);
    lastCreatedAt = text;
  }
  return lastCreatedAtMs;
}
