// "10% of DLQ sends fail", on the wire: the proxy in front of fauxqs fails the SendMessage calls
// the function makes to its DLQ. The decision is per publish (one DLQ record of one receive), not
// per HTTP attempt, and every SDK attempt of a failing publish fails the same way: otherwise the
// SDK's own retries (maxAttempts 3) would hide almost every fault from the function, and its
// "the DLQ did not take it, return the message to its queue" path would never run.
import { createRandom } from '../emulator/prng.ts';
import type { ProxyAction, ProxyRequest } from './http-proxy.ts';

export type DlqFaultKind = 'status500' | 'reset' | 'hang';

export interface DlqFaultStats {
  /** SendMessage requests to the DLQ (SDK attempts included). */
  attempts: number;
  /** Distinct publishes seen (one per DLQ record the function tried to send). */
  publishes: number;
  /** Publishes chosen to fail, by how. */
  failed: Record<DlqFaultKind, number>;
}

export interface DlqFaultOptions {
  seed: string;
  /** Share of publishes that fail. */
  rate: number;
  /** Name of the DLQ (the end of its queue URL). */
  dlqName: string;
  /** Shares of the failure kinds; a hang outlasts the invocation, so Lambda times it out. */
  kinds?: ReadonlyArray<{ kind: DlqFaultKind; weight: number }>;
}

const DEFAULT_KINDS = [
  { kind: 'status500', weight: 0.45 },
  { kind: 'reset', weight: 0.45 },
  { kind: 'hang', weight: 0.1 },
] as const;

const INTERNAL_ERROR = JSON.stringify({
  __type: 'com.amazonaws.sqs#InternalError',
  message: 'We encountered an internal error. Please try again. (chaos)',
});

export function createDlqFaults(options: DlqFaultOptions) {
  const kinds = options.kinds ?? DEFAULT_KINDS;
  const totalWeight = kinds.reduce((sum, k) => sum + k.weight, 0);
  const stats: DlqFaultStats = { attempts: 0, publishes: 0, failed: { status500: 0, reset: 0, hang: 0 } };
  const decided = new Map<string, DlqFaultKind | undefined>();

  const decide = (request: ProxyRequest): ProxyAction => {
    if (request.headers['x-amz-target'] !== 'AmazonSQS.SendMessage') return { kind: 'forward' };
    let payload: {
      QueueUrl?: string;
      MessageBody?: string;
      MessageAttributes?: Record<string, { StringValue?: string }>;
    };
    try {
      payload = JSON.parse(request.body.toString('utf8')) as typeof payload;
    } catch {
      return { kind: 'forward' };
    }
    if (!payload.QueueUrl?.endsWith(`/${options.dlqName}`)) return { kind: 'forward' };
    stats.attempts += 1;
    // One publish = one DLQ record: the body plus the receive it was decided on.
    const detail = payload.MessageAttributes?.['kms_auto_alias.detail']?.StringValue ?? '';
    let receive = '';
    try {
      const d = JSON.parse(detail) as { source_message_id?: string; receive_count?: number };
      receive = `${d.source_message_id ?? ''}#${d.receive_count ?? ''}`;
    } catch {
      receive = detail;
    }
    const identity = `${receive}|${payload.MessageBody ?? ''}`;
    if (!decided.has(identity)) {
      stats.publishes += 1;
      const random = createRandom(`${options.seed}:dlq:${payload.MessageBody ?? ''}:${receive.split('#')[1] ?? ''}`);
      let kind: DlqFaultKind | undefined;
      if (random() < options.rate) {
        let roll = random() * totalWeight;
        kind = kinds[kinds.length - 1]?.kind;
        for (const k of kinds) {
          if (roll < k.weight) {
            kind = k.kind;
            break;
          }
          roll -= k.weight;
        }
        if (kind !== undefined) stats.failed[kind] += 1;
      }
      decided.set(identity, kind);
    }
    const kind = decided.get(identity);
    if (kind === 'status500')
      return { kind: 'status', status: 500, body: INTERNAL_ERROR, contentType: 'application/x-amz-json-1.0' };
    if (kind === 'reset') return { kind: 'reset' };
    if (kind === 'hang') return { kind: 'hang' };
    return { kind: 'forward' };
  };
  return { decide, stats };
}
