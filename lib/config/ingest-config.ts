import { X509Certificate } from 'node:crypto';
import * as z from 'zod';
import { ConfigError } from '../errors/app-error.ts';
import { ingestTokenProblem } from '../ingest/check-ingest-token.ts';
import { CONSOLE_HOSTS, defaultSigningCertHosts } from '../ingest/signing-cert-policy.ts';
import { parseTopicUrns, type TopicAllowList } from '../ingest/topic-allow-list.ts';
import { configErrorOf, dropEmpty, isSafeAwsUrl, PLAIN_HTTP_MESSAGE, type LogLevel } from './load-config.ts';

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
const TOKEN = z.string().superRefine((value, ctx) => {
  const problem = ingestTokenProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

const HOST = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/;

const IngestEnvSchema = z.object({
  KEY_EVENTS_QUEUE_URL: z
    .url({ protocol: /^https?$/, error: 'must be the URL of an SQS queue' })
    .refine(isSafeAwsUrl, PLAIN_HTTP_MESSAGE),
  SQS_ENDPOINT: z
    .url({ protocol: /^https?$/ })
    .refine(isSafeAwsUrl, PLAIN_HTTP_MESSAGE)
    .optional(),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  SMN_TOPIC_URNS: z.string().optional(),
  SMN_SIGNING_CERT_HOSTS: z.string().optional(),
  SMN_SIGNING_CERT_PEM: z.string().optional(),
  INGEST_TOKEN: TOKEN.optional(),
  INGEST_TOKEN_SECRET_ID: z.string().min(1).max(2048).optional(),
  SMN_REQUIRE_TOKEN: z.stringbool().default(false),
  SERVICE_NAME: z
    .string()
    .regex(/^[\w.-]{1,128}$/, 'letters, digits, ".", "_" and "-" only')
    .default('kms-auto-alias'),
  METRICS_NAMESPACE: z
    .string()
    .regex(/^[\w./#:-]{1,255}$/, 'must be a CloudWatch namespace')
    .default('KmsAutoAlias'),
  LOG_LEVEL: z
    .string()
    .transform((s) => s.toLowerCase())
    .pipe(z.enum(['debug', 'info', 'warn', 'error']))
    .default('info'),
});

/**
 * Parses the ingest function's environment. The regions of SMN's certificate hosts are taken
 * from the topic URNs (`urn:smn:{region}:…`): one list to configure, and no host is trusted for
 * a region no topic lives in.
 * @throws ConfigError naming the variable at fault (never its value).
 */
export function loadIngestConfig(env: Record<string, string | undefined> = process.env): IngestConfig {
  const parsed = IngestEnvSchema.safeParse(dropEmpty(env), { jitless: true });
  if (!parsed.success) {
    throw configErrorOf(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`),
    );
  }
  const e = parsed.data;
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

function loadToken(e: z.infer<typeof IngestEnvSchema>): IngestTokenSource {
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
