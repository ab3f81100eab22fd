import { X509Certificate } from 'node:crypto';
import { ConfigError } from '../errors/app-error.ts';
import { ingestTokenProblem } from '../ingest/check-ingest-token.ts';
import { CONSOLE_HOSTS, defaultSigningCertHosts } from '../ingest/signing-cert-policy.ts';
import { parseTopicUrns, type TopicAllowList } from '../ingest/topic-allow-list.ts';
import {
  type EnvValues,
  type FieldReader,
  flagOr,
  optionalMatching,
  optionalText,
  readEnvFields,
  required,
} from './env-fields.ts';
import { configErrorOf, dropEmpty, type LogLevel, SHARED_ENV_FIELDS } from './load-config.ts';

/** Where the shared token (`x-ingest-token`) comes from. */
export type IngestTokenSource =
  | { kind: 'none' }
  /** INGEST_TOKEN: tests and local runs. */
  | { kind: 'value'; value: string }
  /** INGEST_TOKEN_SECRET_ID: deployed stages, read through the Parameters and Secrets extension. */
  | { kind: 'secret'; id: string };

/** The ingest function's configuration, read once at cold start. */
export interface IngestConfig {
  queueUrl: string;
  sqsEndpoint: string | undefined;
  awsRegion: string;
  /** Allowed SMN topics and their regions; no topic turns the SMN route off. */
  topics: TopicAllowList;
  /** Allowed `signing_cert_url` hosts (`host` or `host:port`). */
  signingCertHosts: readonly string[];
  /** Allowed `subscribe_url` hosts: Huawei's console and the certificate hosts. */
  subscribeHosts: readonly string[];
  /** A pinned SMN signing certificate: used instead of fetching `signing_cert_url`. */
  signingCertPem: string | undefined;
  token: IngestTokenSource;
  requireTokenOnSmn: boolean;
  logLevel: LogLevel;
  serviceName: string;
  metricsNamespace: string;
}

/** The same rule as a token read from the secret (lib/ingest/check-ingest-token.ts). */
const optionalIngestToken: FieldReader<string | undefined> = (value) => {
  const problem = value === undefined ? undefined : ingestTokenProblem(value);
  return problem === undefined ? { ok: true, value } : { ok: false, message: problem };
};

const HOST = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/;

/**
 * Every variable the ingest reads, with its check and default: the same plain readers as the
 * queue handler's configuration (lib/config/env-fields.ts), not a zod object built at cold start.
 */
const INGEST_ENV_SPEC = {
  KEY_EVENTS_QUEUE_URL: required(SHARED_ENV_FIELDS.queueUrl),
  SQS_ENDPOINT: SHARED_ENV_FIELDS.SQS_ENDPOINT,
  AWS_REGION: SHARED_ENV_FIELDS.AWS_REGION,
  SMN_TOPIC_URNS: optionalText,
  SMN_SIGNING_CERT_HOSTS: optionalText,
  SMN_SIGNING_CERT_PEM: optionalText,
  INGEST_TOKEN: optionalIngestToken,
  INGEST_TOKEN_SECRET_ID: optionalMatching(/^[\s\S]{1,2048}$/, 'must be at most 2048 characters'),
  SMN_REQUIRE_TOKEN: flagOr(false),
  SERVICE_NAME: SHARED_ENV_FIELDS.SERVICE_NAME,
  METRICS_NAMESPACE: SHARED_ENV_FIELDS.METRICS_NAMESPACE,
  LOG_LEVEL: SHARED_ENV_FIELDS.LOG_LEVEL,
};

/**
 * Parses the ingest function's environment. The regions of SMN's certificate hosts are taken
 * from the topic URNs (`urn:smn:{region}:…`): one list to configure, and no host is trusted for
 * a region no topic lives in.
 * @throws ConfigError naming the variable at fault (never its value).
 */
export function loadIngestConfig(env: Record<string, string | undefined> = process.env): IngestConfig {
  const parsed = readEnvFields(dropEmpty(env), INGEST_ENV_SPEC);
  if (!parsed.ok) throw configErrorOf(parsed.issues);
  const e = parsed.values;
  const topics = parseTopicUrns(e.SMN_TOPIC_URNS);
  if (!topics.ok) throw new ConfigError(`SMN_TOPIC_URNS: ${topics.reason}`);
  // Unset (or empty) turns the route off; set to only commas is a slip that would do so silently.
  if (e.SMN_TOPIC_URNS !== undefined && topics.topics.urns.size === 0) {
    throw new ConfigError('SMN_TOPIC_URNS: names no topic; leave it empty to turn the SMN route off');
  }
  const signingCertHosts = loadHosts(e.SMN_SIGNING_CERT_HOSTS) ?? defaultSigningCertHosts(topics.topics.regions);
  const token = loadToken(e);
  if (topics.topics.urns.size === 0 && token.kind === 'none') {
    throw new ConfigError(
      'SMN_TOPIC_URNS: no route is configured; set SMN_TOPIC_URNS, or INGEST_TOKEN / INGEST_TOKEN_SECRET_ID, or both',
    );
  }
  if (e.SMN_REQUIRE_TOKEN && token.kind === 'none') {
    throw new ConfigError('SMN_REQUIRE_TOKEN: needs INGEST_TOKEN or INGEST_TOKEN_SECRET_ID');
  }
  return Object.freeze({
    queueUrl: e.KEY_EVENTS_QUEUE_URL,
    sqsEndpoint: e.SQS_ENDPOINT,
    awsRegion: e.AWS_REGION,
    topics: topics.topics,
    signingCertHosts,
    subscribeHosts: [...CONSOLE_HOSTS, ...signingCertHosts],
    signingCertPem: loadPem(e.SMN_SIGNING_CERT_PEM),
    token,
    requireTokenOnSmn: e.SMN_REQUIRE_TOKEN,
    logLevel: e.LOG_LEVEL,
    serviceName: e.SERVICE_NAME,
    metricsNamespace: e.METRICS_NAMESPACE,
  });
}

function loadHosts(csv: string | undefined): string[] | undefined {
  if (csv === undefined) return undefined;
  const hosts = csv
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== '');
  // An empty list would refuse every SMN delivery (cert_host_not_allowed) rather than fall back.
  if (hosts.length === 0) {
    throw new ConfigError("SMN_SIGNING_CERT_HOSTS: names no host; leave it empty for SMN's own hosts");
  }
  for (const [index, host] of hosts.entries()) {
    if (!HOST.test(host)) {
      throw new ConfigError(`SMN_SIGNING_CERT_HOSTS: entry ${index + 1} must be a host name, optionally with :port`);
    }
  }
  return hosts;
}

function loadToken(e: EnvValues<typeof INGEST_ENV_SPEC>): IngestTokenSource {
  if (e.INGEST_TOKEN !== undefined && e.INGEST_TOKEN_SECRET_ID !== undefined) {
    throw new ConfigError('INGEST_TOKEN: set INGEST_TOKEN or INGEST_TOKEN_SECRET_ID, not both');
  }
  if (e.INGEST_TOKEN !== undefined) return { kind: 'value', value: e.INGEST_TOKEN };
  if (e.INGEST_TOKEN_SECRET_ID !== undefined) return { kind: 'secret', id: e.INGEST_TOKEN_SECRET_ID };
  return { kind: 'none' };
}

/** Environment variables often carry a PEM with its line breaks written as `\n`. */
function loadPem(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const pem = value.replaceAll('\\n', '\n');
  try {
    const cert = new X509Certificate(pem);
    if (cert.publicKey.asymmetricKeyType !== 'rsa') throw new Error('not an RSA key');
  } catch {
    throw new ConfigError('SMN_SIGNING_CERT_PEM: must be a PEM X.509 certificate with an RSA key');
  }
  return pem;
}
