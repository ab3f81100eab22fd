import { aliasLagMs, type SettledMessage } from '../outcome/settled-message.ts';
import type { MessageMetrics } from './create-metrics.ts';
import { tagCountsOf } from './tag-findings.ts';

/** What one settled message adds to the batch's metrics (create-metrics.ts). */
export function messageMetricsOf(message: SettledMessage): MessageMetrics {
  const tagCounts = tagCountsOf(message);
  // A CreateAlias 201 without the alias object asked for: counted, so a change of Huawei's answer shows.
  const extraCounts = message.unexpectedCreateAnswer === true ? { ...tagCounts, UnexpectedKmsAnswers: 1 } : tagCounts;
  return {
    extraCounts,
    outcome: message.outcome.kind,
    projectId: message.event?.project_id,
    region: message.target?.region,
    retries: message.meter.retries,
    apiCalls: message.meter.apiCalls,
    dlqSent: message.dlq !== undefined && 'messageId' in message.dlq,
    dlqFailed: message.dlq !== undefined && 'error' in message.dlq,
    // The lag metric is the time to an alias: only a created one has it.
    lagMs: message.outcome.kind === 'created' ? aliasLagMs(message) : undefined,
  };
}
