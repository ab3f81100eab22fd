/**
 * `kms-auto-alias wire`: per project, the SMN topic, the HTTP(S) subscription of the ingest URL
 * (with the ingest token as the custom header `x-ingest-token`) and the CTS key event
 * notification for KMS createKey (successful calls only) publishing to the topic
 * (docs/huawei-kms.md#smn-api, #cts-notifications). Three modes: `apply` creates or fixes what is
 * missing (idempotent: a second run changes nothing), `dry-run` reports what apply would do,
 * `check` reports what is missing or wrong and whether the ingest URL answers. The token is
 * never part of the report.
 */
import { KmsApiError } from '../errors/huawei-errors.ts';
import type { CtsClient, CtsNotificationInfo } from './cts-client.ts';
import {
  INGEST_TOKEN_HEADER,
  KMS_CREATE_KEY_OPERATION,
  notificationProblems,
  notificationSpec,
  SUCCESS_RULE,
  updatedNotificationSpec,
} from './desired-wiring.ts';
import type { ProbeIngestUrl, ProbeResult } from './probe-ingest-url.ts';
import type { ServiceTarget } from './signed-json-call.ts';
import type { SmnClient, SmnSubscriptionInfo } from './smn-client.ts';

export type WireMode = 'apply' | 'dry-run' | 'check';

export type ComponentState =
  | 'ok'
  | 'created'
  | 'updated'
  | 'would_create'
  | 'would_update'
  | 'missing'
  | 'wrong'
  | 'pending_confirmation';

export interface ComponentReport {
  state: ComponentState;
  /** Topic URN, subscription URN or notification id, when known. */
  id?: string;
  detail?: string;
}

export interface ProjectWireReport {
  project_id: string;
  region: string;
  topic: ComponentReport;
  subscription: ComponentReport;
  notification: ComponentReport;
  changes: string[];
  findings: string[];
}

export interface WireReport {
  mode: WireMode;
  ingest_url: string;
  topic_name: string;
  notification_name: string;
  /** Whether the subscription carries the `x-ingest-token` header (its value is never shown). */
  token_header: boolean;
  projects: ProjectWireReport[];
  /** `check` only. */
  ingest?: ProbeResult;
  changes: number;
  findings: string[];
  /** What the APIs cannot show; to check by hand. */
  manual_checks: string[];
}

export interface WireOptions {
  mode: WireMode;
  projects: readonly ServiceTarget[];
  ingestUrl: string;
  ingestToken: string | undefined;
  topicName: string;
  notificationName: string;
  /** After creating a subscription, wait this long for its confirmation (apply only). Default 0. */
  confirmWaitMs?: number;
}

export interface WireDeps {
  smn: SmnClient;
  cts: CtsClient;
  probe: ProbeIngestUrl;
  sleep?: (ms: number) => Promise<void>;
  signal?: AbortSignal;
}

export const MANUAL_CHECKS: readonly string[] = [
  'Topic policy: no public source says whether CTS needs a topic policy to publish to the topic. ' +
    'In the SMN console, check that the topic\'s policy lets CTS (the "cts_admin_trust" agency) publish, ' +
    'and if created keys get no alias, look there first.',
  'Message body: what CTS puts in the SMN message is not documented (the emulator sends the trace JSON). ' +
    'After creating a test key, check that the ingest function logged one delivery and that the alias appeared.',
  `Token header: SMN does not return a subscription's custom headers, so wire cannot compare ${INGEST_TOKEN_HEADER} ` +
    'with INGEST_TOKEN. After rotating the token, delete the subscription in the SMN console and run wire again.',
];

function protocolOf(url: string): 'http' | 'https' {
  return url.startsWith('https:') ? 'https' : 'http';
}

/** The subscription of the ingest URL: a confirmed one first, then a pending one; canceled ones do not count. */
function findSubscription(subs: readonly SmnSubscriptionInfo[], url: string): SmnSubscriptionInfo | undefined {
  const mine = subs.filter((s) => s.endpoint === url && s.protocol === protocolOf(url) && s.status !== 3);
  return mine.find((s) => s.status === 1) ?? mine[0];
}

const describeNotification = `KMS ${KMS_CREATE_KEY_OPERATION.resource_type} ${KMS_CREATE_KEY_OPERATION.trace_names.join(',')}, filter "${SUCCESS_RULE}"`;

async function wireProject(target: ServiceTarget, options: WireOptions, deps: WireDeps): Promise<ProjectWireReport> {
  const { mode } = options;
  const { smn, cts, signal } = deps;
  const changes: string[] = [];
  const findings: string[] = [];
  const expectedUrn = `urn:smn:${target.region}:${target.projectId}:${options.topicName}`;

  // 1. Topic.
  const topics = await smn.listTopics(target, signal);
  let topicUrn = topics.find((t) => t.name === options.topicName)?.topicUrn;
  let topic: ComponentReport;
  if (topicUrn !== undefined) {
    topic = { state: 'ok', id: topicUrn };
  } else if (mode === 'apply') {
    topicUrn = (await smn.createTopic(target, options.topicName, 'kms-auto-alias key events', signal)).topicUrn;
    topic = { state: 'created', id: topicUrn };
    changes.push(`created topic ${topicUrn}`);
  } else {
    topic = { state: mode === 'dry-run' ? 'would_create' : 'missing', id: expectedUrn };
    if (mode === 'check') findings.push(`topic ${options.topicName} does not exist`);
  }

  // 2. Subscription of the ingest URL.
  let subscription: ComponentReport;
  const existing =
    topicUrn === undefined
      ? undefined
      : findSubscription(await smn.listSubscriptions(target, topicUrn, signal), options.ingestUrl);
  if (existing?.status === 1) {
    subscription = { state: 'ok', id: existing.subscriptionUrn, detail: 'confirmed' };
  } else if (existing !== undefined) {
    subscription = {
      state: 'pending_confirmation',
      id: existing.subscriptionUrn,
      detail: 'not confirmed: the ingest function confirms it when the SubscriptionConfirmation reaches it',
    };
    if (mode === 'check') {
      findings.push(
        'subscription is pending confirmation: check that the ingest URL is reachable from the internet and that SMN_TOPIC_URNS lists the topic',
      );
    }
  } else if (mode === 'apply' && topicUrn !== undefined) {
    const added = await smn.addSubscription(
      target,
      topicUrn,
      {
        protocol: protocolOf(options.ingestUrl),
        endpoint: options.ingestUrl,
        remark: 'kms-auto-alias ingest',
        ...(options.ingestToken === undefined ? {} : { headers: { [INGEST_TOKEN_HEADER]: options.ingestToken } }),
      },
      signal,
    );
    changes.push(`subscribed ${options.ingestUrl}`);
    subscription = await awaitConfirmation(target, topicUrn, options, deps, added.subscriptionUrn);
  } else {
    subscription = { state: mode === 'dry-run' ? 'would_create' : 'missing' };
    if (mode === 'check') findings.push(`no subscription of ${options.ingestUrl} on the topic`);
  }

  // 3. CTS key event notification.
  const wanted = notificationSpec(options.notificationName, topicUrn ?? expectedUrn);
  const found: CtsNotificationInfo | undefined = await cts.findNotification(target, options.notificationName, signal);
  let notification: ComponentReport;
  if (found === undefined) {
    if (mode === 'apply') {
      const created = await createNotificationOnce(cts, target, wanted, signal);
      notification = { state: 'created', id: created.notificationId, detail: describeNotification };
      changes.push(`created notification ${options.notificationName}`);
    } else {
      notification = { state: mode === 'dry-run' ? 'would_create' : 'missing', detail: describeNotification };
      if (mode === 'check') findings.push(`CTS notification ${options.notificationName} does not exist`);
    }
  } else {
    const problems = notificationProblems(found, topicUrn ?? expectedUrn);
    if (problems.length === 0) {
      notification = { state: 'ok', id: found.notificationId, detail: `enabled, ${describeNotification}` };
    } else if (mode === 'apply') {
      await cts.updateNotification(
        target,
        { ...updatedNotificationSpec(wanted, found), notification_id: found.notificationId, status: 'enabled' },
        signal,
      );
      notification = { state: 'updated', id: found.notificationId, detail: `was: ${problems.join('; ')}` };
      changes.push(`updated notification ${options.notificationName} (${problems.join('; ')})`);
    } else {
      notification = {
        state: mode === 'dry-run' ? 'would_update' : 'wrong',
        id: found.notificationId,
        detail: problems.join('; '),
      };
      if (mode === 'check')
        for (const p of problems) findings.push(`CTS notification ${options.notificationName}: ${p}`);
    }
  }

  return { project_id: target.projectId, region: target.region, topic, subscription, notification, changes, findings };
}

/**
 * Creates the notification; when CTS answers 400 CTS.0400 (the name exists: created meanwhile, or
 * by an earlier attempt whose answer was lost) the existing one is returned instead.
 */
async function createNotificationOnce(
  cts: CtsClient,
  target: ServiceTarget,
  spec: ReturnType<typeof notificationSpec>,
  signal: AbortSignal | undefined,
): Promise<CtsNotificationInfo> {
  try {
    return await cts.createNotification(target, spec, signal);
  } catch (err) {
    if (!(err instanceof KmsApiError) || err.huaweiCode !== 'CTS.0400') throw err;
    const existing = await cts.findNotification(target, spec.notification_name, signal);
    if (existing === undefined) throw err;
    return existing;
  }
}

/** Re-reads the new subscription (up to `confirmWaitMs`) to report whether it got confirmed. */
async function awaitConfirmation(
  target: ServiceTarget,
  topicUrn: string,
  options: WireOptions,
  deps: WireDeps,
  subscriptionUrn: string | undefined,
): Promise<ComponentReport> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = Date.now() + (options.confirmWaitMs ?? 0);
  for (;;) {
    const sub = findSubscription(await deps.smn.listSubscriptions(target, topicUrn, deps.signal), options.ingestUrl);
    const id = sub?.subscriptionUrn ?? subscriptionUrn;
    if (sub?.status === 1) return { state: 'created', ...(id === undefined ? {} : { id }), detail: 'confirmed' };
    if (Date.now() >= deadline) {
      return {
        state: 'created',
        ...(id === undefined ? {} : { id }),
        detail: 'pending confirmation: run "wire --check" once the ingest function has confirmed it',
      };
    }
    await sleep(500);
  }
}

export async function runWire(options: WireOptions, deps: WireDeps): Promise<WireReport> {
  const projects: ProjectWireReport[] = [];
  for (const target of options.projects) projects.push(await wireProject(target, options, deps));
  const findings = projects.flatMap((p) => p.findings.map((f) => `${p.project_id} (${p.region}): ${f}`));
  let ingest: ProbeResult | undefined;
  if (options.mode === 'check') {
    ingest = await deps.probe(options.ingestUrl, deps.signal);
    if (!ingest.ok) {
      findings.push(
        `ingest URL ${options.ingestUrl} ${ingest.status === undefined ? `did not answer (${ingest.error ?? 'no answer'})` : `answered HTTP ${ingest.status}`}`,
      );
    }
  }
  return {
    mode: options.mode,
    ingest_url: options.ingestUrl,
    topic_name: options.topicName,
    notification_name: options.notificationName,
    token_header: options.ingestToken !== undefined,
    projects,
    ...(ingest === undefined ? {} : { ingest }),
    changes: projects.reduce((n, p) => n + p.changes.length, 0),
    findings,
    manual_checks: [...MANUAL_CHECKS],
  };
}
