/**
 * Runs generated bodies through the real handler (middy, processBatch, HTTP client, retry
 * policy, DLQ publisher, logger), in-process, against the KMS emulator (signatures verified)
 * and fauxqs, and checks every batch:
 * - the handler resolves, with batchItemFailures naming only ids of the batch, once each;
 * - one JSON audit record per message; a 'retry' disposition exactly for the ids returned;
 * - every message ends as a valid alias (created / already present / dry run), a skip with a
 *   known reason, or a DLQ record holding the original body and a reason that names the problem;
 * - every DLQ record is one SQS would accept (characters, size);
 * - every request went to the emulator, on /v1.0/<configured project>/kms/aliases, signed with
 *   the configured AK, and every alias sent or stored is within Huawei's rules;
 * - no built-in prototype was polluted.
 */
import type { Message } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { createHandler } from '../functions/create-key-alias/app.ts';
import { buildDeps } from '../functions/create-key-alias/build-deps.ts';
import { loadConfig } from '../lib/config/load-config.ts';
import { DLQ_ATTRIBUTE } from '../lib/dlq/build-dlq-record.ts';
import { normaliseEvent } from '../lib/events/normalise-event.ts';
import { INVALID_REASONS, SKIP_REASONS } from '../lib/events/normalise-result.ts';
import { LOCAL_ACCOUNT } from '../test/support/local-account.ts';
import { createLambdaContext } from '../test/support/lambda-context.ts';
import { startStack, type Stack } from '../test/support/stack.ts';
import { CONFIGURED_PROJECTS, SQS_INVALID_CHAR } from './arbitraries.ts';
import {
  aliasRuleViolations,
  emulatorCallViolations,
  pollutionViolations,
  prototypeSnapshot,
  receivedRequestViolations,
  requestViolations,
} from './checks.ts';
import { startHttpRecorder } from './http-recorder.ts';
import { createAnnouncedKey } from '../test/support/create-announced-key.ts';

/** The function's configurations under fuzz: templates that slug, and templates that do not. */
export const VARIANTS: ReadonlyArray<{
  name: string;
  env: Readonly<Record<string, string>>;
  coldStartPerBatch?: boolean;
}> = [
  {
    name: 'slugged (test stack)',
    env: { ALIAS_TEMPLATE: 'alias/{env}/{key_alias|slug}-{key_spec|lower}', ALIAS_VAR_ENV: 'test' },
  },
  { name: 'default template', env: { ALIAS_TEMPLATE: '' } },
  { name: 'raw key_alias', env: { ALIAS_TEMPLATE: 'alias/{key_alias}' } },
  { name: 'raw free text', env: { ALIAS_TEMPLATE: 'alias/{created_by}/{key_alias}-{key_usage}' } },
  {
    name: 'every id field',
    env: {
      ALIAS_TEMPLATE:
        'alias/{region}/{domain_id|default:nodomain}/{enterprise_project_id|default:0}/{origin|default:kms}-{created_date|default:undated}-{key_id}',
    },
  },
  {
    name: 'filters and constants',
    env: {
      ALIAS_TEMPLATE:
        'alias/{team|upper}:{key_spec|upper|truncate:20}/{created_by|slug|truncate:30|default:nobody}/{key_alias|truncate:200}',
      ALIAS_VAR_TEAM: 'sec',
    },
  },
  {
    name: 'dry run',
    env: {
      ALIAS_TEMPLATE: 'alias/{env}/{key_alias|slug|default:key}-{key_id|short}',
      ALIAS_VAR_ENV: 'dry',
      DRY_RUN: 'true',
    },
  },
  {
    name: 'IAM token auth',
    // The emulator forgets its tokens at each batch's reset; a warm instance would then see one
    // 401 and refresh its token (legitimately). A cold start per batch keeps "no 401" strict.
    coldStartPerBatch: true,
    env: {
      HUAWEICLOUD_SDK_AK: '',
      HUAWEICLOUD_SDK_SK: '',
      HUAWEICLOUD_IAM_USER: LOCAL_ACCOUNT.user,
      HUAWEICLOUD_IAM_PASSWORD: LOCAL_ACCOUNT.password,
      HUAWEICLOUD_IAM_DOMAIN: LOCAL_ACCOUNT.domainName,
      ALIAS_TEMPLATE: 'alias/{key_alias|slug|default:key}/{key_spec|lower|default:aes}',
    },
  },
];

const BASE_ENV: Readonly<Record<string, string>> = {
  HUAWEICLOUD_PROJECT_ID: '',
  HUAWEICLOUD_PROJECTS: [...CONFIGURED_PROJECTS].map(([p, r]) => `${p}=${r}`).join(','),
  KMS_RATE_LIMIT: '1000',
  KEY_NOT_VISIBLE_WINDOW_MS: '0',
  MAX_RETRIES: '1',
  MAX_RECEIVE_COUNT: '3',
  CONCURRENCY: '10',
  REQUEST_TIMEOUT_MS: '2000',
  LOG_LEVEL: 'debug',
};

export const MAX_RECEIVE_COUNT = 3;

export interface FuzzRecord {
  body: string;
  origin: string;
  receiveCount: number;
  /** Create the key the body announces in the emulator first (otherwise KMS answers "not found"). */
  seedKey: boolean;
}

export interface BatchInput {
  variant: number;
  records: readonly FuzzRecord[];
}

/** What happened to one message. */
export interface MessageReport {
  origin: string;
  outcome: string;
  reason: string | undefined;
  disposition: string;
  alias: string | undefined;
}

export interface BatchReport {
  messages: MessageReport[];
  dlqRecords: number;
  requests: number;
  /** Each violation with the index of the record it concerns (-1: the batch). */
  violations: Array<{ record: number; message: string }>;
}

export interface FuzzHarness {
  runBatch(batch: BatchInput): Promise<BatchReport>;
  stop(): Promise<void>;
}

const OUTCOMES = new Set(['created', 'already_present', 'skipped', 'invalid', 'conflict', 'failed']);
const SKIPS = new Set<string>([...SKIP_REASONS, 'project_not_configured', 'dry_run']);
const INVALIDS = new Set<string>([...INVALID_REASONS.filter((r) => r !== 'internal'), 'region_mismatch']);
/** SQS's message size limit (1 MiB since 2025; 256 KiB before, and for queues still set to it). */
const SQS_MAX_BYTES = 1024 * 1024;

let batchCounter = 0;

export async function startFuzzHarness(): Promise<FuzzHarness> {
  const stack: Stack = await startStack();
  const lines: string[] = [];
  // Every HTTP request made or received in this process, whichever client or server.
  const http = startHttpRecorder();
  const sqsOrigin = new URL(stack.sqs.endpoint).origin;
  const build = (variant: (typeof VARIANTS)[number]) => {
    const config = loadConfig({ ...stack.env(), ...BASE_ENV, ...variant.env });
    return createHandler(buildDeps(config, { write: (line) => lines.push(line), sqsClient: stack.sqs.client }));
  };
  let handlers: Array<ReturnType<typeof createHandler>>;
  try {
    handlers = VARIANTS.map(build);
  } catch (err) {
    http.stop();
    await stack.stop();
    throw err;
  }
  const projectIds = new Set(CONFIGURED_PROJECTS.keys());
  const expected = { origin: stack.emulator.url, projectIds, ak: LOCAL_ACCOUNT.ak };
  const prototypes = prototypeSnapshot();

  const seed = (body: string): void => {
    const result = normaliseEvent(body);
    if (result.kind !== 'key_created') return;
    const e = result.event;
    if (!CONFIGURED_PROJECTS.has(e.project_id) || stack.emulator.state.getKey(e.key_id) !== undefined) return;
    try {
      createAnnouncedKey(stack.emulator, e);
    } catch {
      // a key the emulator cannot hold: the function will be told it does not exist
    }
  };

  async function runBatch(batch: BatchInput): Promise<BatchReport> {
    batchCounter += 1;
    stack.emulator.reset();
    stack.sqs.server.reset();
    http.clear();
    lines.length = 0;
    const violations: BatchReport['violations'] = [];
    const fail = (record: number, message: string) => violations.push({ record, message });

    for (const r of batch.records) if (r.seedKey) seed(r.body);
    const records: SQSRecord[] = batch.records.map((r, i) => sqsRecord(`fuzz-${batchCounter}-${i}`, r));
    const ids = records.map((r) => r.messageId);
    const variant = VARIANTS[batch.variant % VARIANTS.length]!;
    const handler = variant.coldStartPerBatch === true ? build(variant) : handlers[batch.variant % handlers.length]!;

    let response: SQSBatchResponse | undefined;
    try {
      response = (await handler({ Records: records }, createLambdaContext(30_000))) as SQSBatchResponse;
    } catch (err) {
      fail(-1, `the handler threw ${(err as Error)?.name}: ${(err as Error)?.message}`);
    }

    // batchItemFailures: only ids of the batch, each once.
    const failures = response?.batchItemFailures;
    const returned = new Set<string>();
    if (response !== undefined && !Array.isArray(failures)) fail(-1, 'batchItemFailures is not an array');
    for (const f of failures ?? []) {
      const id = f?.itemIdentifier;
      if (typeof id !== 'string' || !ids.includes(id))
        fail(-1, `batchItemFailures names ${JSON.stringify(id)}, not in the batch`);
      else if (returned.has(id)) fail(ids.indexOf(id), `batchItemFailures names ${id} twice`);
      else returned.add(id);
    }

    // Log lines: JSON, one per line; one audit record per message.
    const audits = new Map<string, Record<string, unknown>>();
    for (const line of lines) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        fail(-1, `log line is not JSON: ${JSON.stringify(line.slice(0, 80))}`);
        continue;
      }
      if (line.includes('\n')) fail(-1, 'log line holds a raw newline');
      const record = parsed as Record<string, unknown>;
      if (record?.log_type !== 'audit') continue;
      const id = String(record.message_id);
      if (!ids.includes(id)) fail(-1, `audit record for unknown message ${id}`);
      else if (audits.has(id)) fail(ids.indexOf(id), 'two audit records for one message');
      else audits.set(id, record);
    }

    // The DLQ: one record per 'dlq' disposition, holding the body as received and a reason.
    let dlq: Message[] = [];
    try {
      dlq = await stack.sqs.drainDlq();
    } catch (err) {
      fail(-1, `cannot read the DLQ: ${(err as Error).message}`);
    }
    const dlqById = new Map<string, Message>();
    for (const m of dlq) {
      const detailText = m.MessageAttributes?.[DLQ_ATTRIBUTE.detail]?.StringValue ?? '';
      let detail: Record<string, unknown> = {};
      try {
        detail = JSON.parse(detailText) as Record<string, unknown>;
      } catch {
        fail(-1, 'DLQ detail attribute is not JSON');
      }
      const id = String(detail.source_message_id);
      const index = ids.indexOf(id);
      if (index < 0) fail(-1, `DLQ record for unknown message ${id}`);
      else if (dlqById.has(id)) fail(index, 'two DLQ records for one message');
      else dlqById.set(id, m);
      if (typeof detail.detail !== 'string' || detail.detail === '') fail(index, 'DLQ record without a detail');
      let bytes = Buffer.byteLength(m.Body ?? '');
      for (const [name, value] of Object.entries(m.MessageAttributes ?? {})) {
        bytes +=
          Buffer.byteLength(name) +
          Buffer.byteLength(value.DataType ?? '') +
          Buffer.byteLength(value.StringValue ?? '');
        if (SQS_INVALID_CHAR.test(value.StringValue ?? '')) {
          fail(index, `DLQ attribute ${name} holds characters SQS refuses (real SQS would reject this DLQ record)`);
        }
      }
      if (SQS_INVALID_CHAR.test(m.Body ?? '')) fail(index, 'DLQ body holds characters SQS refuses');
      if (bytes > SQS_MAX_BYTES) fail(index, `DLQ record is ${bytes} bytes, over SQS's limit`);
    }

    const messages: MessageReport[] = [];
    records.forEach((record, index) => {
      const input = batch.records[index]!;
      const audit = audits.get(record.messageId);
      if (audit === undefined) {
        fail(index, 'no audit record');
        return;
      }
      const outcome = String(audit.outcome);
      const reason = typeof audit.reason === 'string' ? audit.reason : undefined;
      const disposition = String(audit.disposition);
      const alias = typeof audit.alias === 'string' ? audit.alias : undefined;
      messages.push({ origin: input.origin, outcome, reason, disposition, alias });
      const check = (ok: boolean, message: string) => {
        if (!ok) fail(index, `${outcome}${reason ? `:${reason}` : ''}: ${message}`);
      };

      check(OUTCOMES.has(outcome), 'unknown outcome');
      check(
        (disposition === 'retry') === returned.has(record.messageId),
        `disposition ${disposition} but ${returned.has(record.messageId) ? '' : 'not '}in batchItemFailures`,
      );
      check(audit.dlq_error === undefined, `the DLQ refused the record: ${JSON.stringify(audit.dlq_error)}`);
      if (outcome === 'created' || outcome === 'already_present' || (outcome === 'skipped' && reason === 'dry_run')) {
        for (const v of aliasRuleViolations(alias)) check(false, `alias ${JSON.stringify(alias?.slice(0, 80))} ${v}`);
      }
      switch (outcome) {
        case 'created':
        case 'already_present':
          check(disposition === 'ack', `disposition ${disposition}`);
          check(
            alias !== undefined && stack.emulator.state.aliasesOf(String(audit.key_id)).includes(alias),
            'alias not on the key in KMS',
          );
          check(projectIds.has(String(audit.project_id)), 'alias created for a project outside the map');
          break;
        case 'skipped':
          check(reason !== undefined && SKIPS.has(reason), 'unknown skip reason');
          check(disposition === 'ack', `disposition ${disposition}`);
          break;
        case 'invalid':
          check(reason !== undefined && INVALIDS.has(reason), 'unknown or internal invalid reason');
          break;
        case 'conflict':
          check(typeof audit.existing_key_id === 'string', 'conflict without the holder');
          break;
        case 'failed':
          check(typeof audit.error_code === 'string' && audit.error_code !== '', 'failure without an error code');
          break;
      }
      if (outcome === 'invalid' || outcome === 'conflict' || outcome === 'failed') {
        check(typeof audit.detail === 'string' && audit.detail !== '', 'no detail');
      }
      const inDlq = dlqById.get(record.messageId);
      if (disposition === 'dlq') {
        if (inDlq === undefined) {
          check(false, 'disposition dlq but no DLQ record');
        } else {
          check(inDlq.Body === record.body, 'DLQ body differs from the message body');
          const expectedReason = outcome === 'conflict' ? 'conflict' : `${outcome}:${reason}`;
          const got = inDlq.MessageAttributes?.[DLQ_ATTRIBUTE.reason]?.StringValue;
          check(got === expectedReason, `DLQ reason ${JSON.stringify(got)}, expected ${expectedReason}`);
        }
      } else {
        check(inDlq === undefined, `DLQ record for a message with disposition ${disposition}`);
        if (disposition === 'retry') {
          check(
            outcome === 'failed' && input.receiveCount < MAX_RECEIVE_COUNT,
            'returned to the queue although it cannot succeed or was on its last receive',
          );
        }
      }
    });

    // Requests: as sent (destination, path, headers, body), and as the emulator received them.
    // The only other destination allowed is the DLQ's SQS endpoint.
    const kmsRequests = http.sent.filter((r) => !r.url.startsWith(`${sqsOrigin}/`));
    for (const request of kmsRequests) {
      for (const v of requestViolations(request, expected))
        fail(-1, `request ${request.method} ${request.url.slice(0, 120)}: ${v}`);
    }
    for (const request of http.received) {
      if (request.serverPort === stack.sqs.server.port) continue;
      if (request.serverPort !== stack.emulator.port) {
        fail(-1, `a server on port ${request.serverPort} received ${request.method} ${request.url.slice(0, 80)}`);
        continue;
      }
      for (const v of receivedRequestViolations(request, { host: new URL(stack.emulator.url).host, projectIds }))
        fail(-1, `emulator received ${request.method} ${request.url.slice(0, 120)}: ${v}`);
    }
    const requests = kmsRequests;
    for (const call of stack.emulator.calls) {
      for (const v of emulatorCallViolations(call, projectIds)) fail(-1, v);
    }
    for (const alias of stack.emulator.state.allAliases()) {
      for (const v of aliasRuleViolations(alias.alias))
        fail(-1, `KMS holds alias ${JSON.stringify(alias.alias.slice(0, 80))} that ${v}`);
    }
    for (const v of pollutionViolations(prototypes)) fail(-1, v);

    return { messages, dlqRecords: dlq.length, requests: requests.length, violations };
  }

  return {
    runBatch,
    stop: async () => {
      http.stop();
      await stack.stop();
    },
  };
}

function sqsRecord(messageId: string, r: FuzzRecord): SQSRecord {
  const sentAt = String(Date.now());
  return {
    messageId,
    receiptHandle: `receipt-${messageId}`,
    body: r.body,
    attributes: {
      ApproximateReceiveCount: String(r.receiveCount),
      SentTimestamp: sentAt,
      SenderId: 'AIDAFUZZ',
      ApproximateFirstReceiveTimestamp: sentAt,
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:kms-key-events',
    awsRegion: 'us-east-1',
  };
}
