// Maps method + path to an operation. Paths are the KMS v1.0 ones of docs/huawei-kms.md#alias-api, docs/huawei-kms.md#key-events, docs/huawei-kms.md#listing-keys, the
// IAM token path of docs/huawei-kms.md#iam-tokens, SMN v2 and CTS v3 notification paths (docs/huawei-kms.md#smn-api,
// #cts-notifications), and the unauthenticated SMN links this emulator puts in its messages.
// Anything else is APIG's 404 APIGW.0101 (wrong host/path/method, docs/huawei-kms.md#smn-api).
import type { Operation } from './types.ts';

export interface Route {
  readonly operation: Operation;
  /** The `{project_id}` path segment of a KMS, SMN or CTS route. */
  readonly projectId?: string;
  /** The `{topic_urn}` segment, percent-decoded (the URN holds `:`, sent raw or as `%3A`). */
  readonly topicUrn?: string;
  /** The `{key_id}` segment of a key tag route. */
  readonly keyId?: string;
}

const KMS_TAGS = /^\/v1\.0\/([^/]+)\/kms\/([^/]+)\/tags(\/action)?$/;

const SMN_TOPICS = /^\/v2\/([^/]+)\/notifications\/topics$/;
const SMN_TOPIC_ACTION = /^\/v2\/([^/]+)\/notifications\/topics\/([^/]+)\/(subscriptions|publish)$/;
const CTS_NOTIFICATIONS = /^\/v3\/([^/]+)\/notifications(\/smn)?$/;
const SMN_CERT = /^\/smn\/SMN_[a-z0-9-]+_[0-9a-f]{32}\.pem$/;

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function smnOrCtsRoute(method: string, pathname: string): Route | undefined {
  if (method === 'GET') {
    if (pathname === '/smn/subscription/confirm') return { operation: 'smnConfirm' };
    if (pathname === '/smn/subscription/unsubscribe') return { operation: 'smnUnsubscribe' };
    if (SMN_CERT.test(pathname)) return { operation: 'smnCertificate' };
  }
  const topics = SMN_TOPICS.exec(pathname);
  if (topics?.[1] !== undefined) {
    if (method === 'POST') return { operation: 'smnCreateTopic', projectId: topics[1] };
    if (method === 'GET') return { operation: 'smnListTopics', projectId: topics[1] };
    return undefined;
  }
  const action = SMN_TOPIC_ACTION.exec(pathname);
  if (action?.[1] !== undefined && action[2] !== undefined) {
    const topicUrn = decodeSegment(action[2]);
    if (topicUrn === undefined) return undefined;
    const base = { projectId: action[1], topicUrn };
    if (action[3] === 'publish') return method === 'POST' ? { operation: 'smnPublish', ...base } : undefined;
    if (method === 'POST') return { operation: 'smnAddSubscription', ...base };
    if (method === 'GET') return { operation: 'smnListSubscriptions', ...base };
    return undefined;
  }
  const cts = CTS_NOTIFICATIONS.exec(pathname);
  if (cts?.[1] !== undefined) {
    const projectId = cts[1];
    if (cts[2] === '/smn') return method === 'GET' ? { operation: 'ctsListNotifications', projectId } : undefined;
    if (method === 'POST') return { operation: 'ctsCreateNotification', projectId };
    if (method === 'PUT') return { operation: 'ctsUpdateNotification', projectId };
  }
  return undefined;
}

const KMS_PATH =
  /^\/v1\.0\/([^/]+)\/kms\/(create-key|list-keys|describe-key|aliases|alias\/associate|schedule-key-deletion|cancel-key-deletion)$/;

const KMS_ROUTES: Readonly<Record<string, Operation>> = {
  'POST create-key': 'createKey',
  'POST list-keys': 'listKeys',
  'POST describe-key': 'describeKey',
  'POST aliases': 'createAlias',
  'GET aliases': 'listAliases',
  'DELETE aliases': 'deleteAlias',
  'POST alias/associate': 'associateAlias',
  'POST schedule-key-deletion': 'scheduleKeyDeletion',
  'POST cancel-key-deletion': 'cancelKeyDeletion',
};

/** ReplicateKey (docs/huawei-kms.md#replicas-and-imported-keys); the key id is read from the body. */
const KMS_REPLICATE_PATH = /^\/v2\/([^/]+)\/kms\/keys\/[^/]+\/replicate$/;

export function route(method: string, pathname: string): Route {
  if (method === 'POST' && pathname === '/v3/auth/tokens') return { operation: 'iamToken' };
  if (method === 'POST' && pathname === '/v5/agencies/assume') return { operation: 'stsAssumeAgency' };
  const replicate = method === 'POST' ? KMS_REPLICATE_PATH.exec(pathname) : null;
  if (replicate?.[1] !== undefined) return { operation: 'replicateKey', projectId: replicate[1] };
  const tags = KMS_TAGS.exec(pathname);
  if (tags?.[1] !== undefined && tags[2] !== undefined) {
    const operation =
      tags[3] === undefined
        ? method === 'GET'
          ? 'listTags'
          : undefined
        : method === 'POST'
          ? 'createTags'
          : undefined;
    return operation === undefined ? { operation: 'unknown' } : { operation, projectId: tags[1], keyId: tags[2] };
  }
  const m = KMS_PATH.exec(pathname);
  if (!m) return smnOrCtsRoute(method, pathname) ?? { operation: 'unknown' };
  const [, projectId, action] = m;
  const operation = KMS_ROUTES[`${method} ${action ?? ''}`];
  return operation !== undefined && projectId !== undefined ? { operation, projectId } : { operation: 'unknown' };
}
