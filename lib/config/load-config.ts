import { ConfigError } from '../errors/app-error.ts';
import { assertSafeEndpoint, isLoopbackHost } from '../huawei/endpoints.ts';
import { compileAliasTemplate } from '../naming/compile-alias-template.ts';
import type { CompiledTemplate } from '../naming/compile-alias-template.ts';
import {
  choiceOr,
  flagOr,
  integerOr,
  matchingOr,
  optionalHttpUrl,
  optionalMatching,
  optionalText,
  readEnvFields,
  required,
  textOr,
  type EnvValues,
} from './env-fields.ts';
import { PROJECT_ID_PATTERN, REGION_ID_PATTERN } from '../huawei/id-patterns.ts';
import { loadTagConfig, TAG_ENV_SPEC, type TaggingConfig } from './load-tag-config.ts';
import { type AccountConfig, parseAccounts } from './parse-accounts.ts';
import { parseProjectMap } from './parse-project-map.ts';

export type { AccountAccess, AccountConfig } from './parse-accounts.ts';

/**
 * Configuration, read once at cold start (Powertools style) so that a bad value fails the
 * first invocation with a message naming the variable, never a message in the middle of a batch.
 */

export type Credentials =
  | { kind: 'aksk'; ak: string; sk: string; securityToken?: string }
  | {
      kind: 'password';
      user: string;
      password: string;
      domain: string;
      /** When set, the user's token assumes this agency (IAM `assume_role`, docs/huawei-kms.md#iam-tokens). */
      agency?: { name: string; domain: string };
    }
  | {
      /** Deployed stages: AK/SK JSON fetched at cold start from Secrets Manager or SSM. */
      kind: 'aws-secret';
      source: 'secretsmanager' | 'ssm';
      id: string;
    }
  | {
      /** HUAWEICLOUD_ACCOUNTS where every account has its own secret: no central identity. */
      kind: 'none';
    };

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Config extends TaggingConfig {
  /** Project id → region id, every account's. An event for a project outside this map is skipped. */
  projects: ReadonlyMap<string, string>;
  /**
   * The accounts served and how each is reached (HUAWEICLOUD_ACCOUNTS); without it, one account
   * with no domain id, the projects above and the central credentials.
   */
  accounts: readonly AccountConfig[];
  /** The central identity: the credentials of the `central` account, and the IAM user agencies are assumed with. */
  credentials: Credentials;
  /** Override for tests and private endpoints; `{region}` is replaced when present. */
  kmsEndpoint: string | undefined;
  iamEndpoint: string | undefined;
  /** STS (AssumeAgency) override, for an account's agency assumed with the central AK/SK. */
  stsEndpoint: string | undefined;
  aliasTemplateSource: string;
  aliasTemplate: CompiledTemplate;
  aliasConstants: Readonly<Record<string, string>>;
  dlqUrl: string;
  /** SQS endpoint override, for local SQS-compatible servers (fauxqs). */
  sqsEndpoint: string | undefined;
  awsRegion: string;
  /** Must equal the source queue's redrive maxReceiveCount: on that receive, transient failures go to the DLQ. */
  maxReceiveCount: number;
  dryRun: boolean;
  /**
   * ON_KEY_DELETION: `keep` (default) only audits a key's scheduled deletion; `release` deletes
   * the aliases the convention gave it and re-creates them if the deletion is cancelled.
   */
  onKeyDeletion: KeyDeletionMode;
  concurrency: number;
  /** Client-side cap on KMS calls per second for this instance (KMS allows ~20/s per user, docs/huawei-kms.md#rate-limits). */
  kmsRateLimit: number;
  requestTimeoutMs: number;
  maxRetries: number;
  retryMinDelayMs: number;
  retryMaxDelayMs: number;
  /** Shortest wait after a 429: Huawei's advice is to come back after 2–5 s (docs/huawei-kms.md#error-codes). */
  retryThrottleMinDelayMs: number;
  keyNotVisibleWindowMs: number;
  deadlineMarginMs: number;
  /** Credentials read from Secrets Manager / SSM are read again after this long (at most 5 min). */
  credentialsTtlMs: number;
  /** An IAM 401 to the password is answered from memory this long, clear of IAM's lockout. */
  iamRefusalMemoryMs: number;
  logLevel: LogLevel;
  /** `Service` dimension of the metrics and `service` key of the logs; set per stage. */
  serviceName: string;
  metricsNamespace: string;
}

const CONSTANT_PREFIX = 'ALIAS_VAR_';

/**
 * AWS requests are signed with the function's credentials: plain http only to this machine
 * (loopback, or fauxqs' `sqs.<region>.localhost` queue hosts), as for the Huawei endpoints.
 */
export function isSafeAwsUrl(value: string): boolean {
  // Not a URL at all: the url check before this one already says so.
  if (!URL.canParse(value)) return true;
  const url = new URL(value);
  if (url.protocol === 'https:') return true;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}
export const PLAIN_HTTP_MESSAGE = 'plain http is allowed only for loopback hosts; use https';

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export const KEY_DELETION_MODES = ['keep', 'release'] as const;
export type KeyDeletionMode = (typeof KEY_DELETION_MODES)[number];
/**
 * The readers every function uses the same way: the ingest function's configuration reads these
 * variables too, and `queueUrl` reads both functions' queue (DLQ_URL, KEY_EVENTS_QUEUE_URL).
 */
export const SHARED_ENV_FIELDS = {
  queueUrl: optionalHttpUrl('must be the URL of an SQS queue', isSafeAwsUrl, PLAIN_HTTP_MESSAGE),
  SQS_ENDPOINT: optionalHttpUrl('must be an http(s) URL', isSafeAwsUrl, PLAIN_HTTP_MESSAGE),
  AWS_REGION: textOr('us-east-1'),
  SERVICE_NAME: matchingOr(/^[\w.-]{1,128}$/, 'letters, digits, ".", "_" and "-" only', 'kms-auto-alias'),
  METRICS_NAMESPACE: matchingOr(/^[\w./#:-]{1,255}$/, 'must be a CloudWatch namespace', 'KmsAutoAlias'),
  LOG_LEVEL: choiceOr(LOG_LEVELS, 'info'),
} as const;

/** Every variable the functions read, with its check and default. */
const ENV_SPEC = {
  HUAWEICLOUD_REGION: optionalMatching(REGION_ID_PATTERN, 'must be a region id such as cn-north-4'),
  HUAWEICLOUD_PROJECT_ID: optionalMatching(PROJECT_ID_PATTERN, 'must be a 32-character project id'),
  HUAWEICLOUD_PROJECTS: optionalText,
  HUAWEICLOUD_ACCOUNTS: optionalText,
  HUAWEICLOUD_SDK_AK: optionalText,
  HUAWEICLOUD_SDK_SK: optionalText,
  HUAWEICLOUD_SDK_SECURITY_TOKEN: optionalText,
  CLOUD_SDK_AK: optionalText,
  CLOUD_SDK_SK: optionalText,
  HUAWEICLOUD_IAM_USER: optionalText,
  HUAWEICLOUD_IAM_PASSWORD: optionalText,
  HUAWEICLOUD_IAM_DOMAIN: optionalText,
  HUAWEICLOUD_IAM_AGENCY: optionalText,
  HUAWEICLOUD_IAM_AGENCY_DOMAIN: optionalText,
  HUAWEICLOUD_CREDENTIALS_SECRET_ID: optionalText,
  HUAWEICLOUD_CREDENTIALS_SSM_PARAMETER: optionalText,
  KMS_ENDPOINT: optionalText,
  IAM_ENDPOINT: optionalText,
  STS_ENDPOINT: optionalText,
  ALIAS_TEMPLATE: textOr('alias/{key_alias|slug|default:key}-{key_id|short}'),
  DLQ_URL: required(SHARED_ENV_FIELDS.queueUrl),
  SQS_ENDPOINT: SHARED_ENV_FIELDS.SQS_ENDPOINT,
  AWS_REGION: SHARED_ENV_FIELDS.AWS_REGION,
  MAX_RECEIVE_COUNT: integerOr(1, 1000, 5),
  DRY_RUN: flagOr(false),
  ON_KEY_DELETION: choiceOr(KEY_DELETION_MODES, 'keep'),
  CONCURRENCY: integerOr(1, 100, 10),
  KMS_RATE_LIMIT: integerOr(1, 1000, 18),
  REQUEST_TIMEOUT_MS: integerOr(100, 60_000, 5_000),
  MAX_RETRIES: integerOr(0, 10, 4),
  RETRY_MIN_DELAY_MS: integerOr(0, 60_000, 250),
  RETRY_MAX_DELAY_MS: integerOr(0, 120_000, 5_000),
  RETRY_THROTTLE_MIN_DELAY_MS: integerOr(0, 60_000, 1_000),
  KEY_NOT_VISIBLE_WINDOW_MS: integerOr(0, 600_000, 20_000),
  DEADLINE_MARGIN_MS: integerOr(0, 60_000, 2_000),
  CREDENTIALS_TTL_MS: integerOr(1_000, 300_000, 300_000),
  IAM_REFUSAL_MEMORY_MS: integerOr(0, 3_600_000, 300_000),
  SERVICE_NAME: SHARED_ENV_FIELDS.SERVICE_NAME,
  METRICS_NAMESPACE: SHARED_ENV_FIELDS.METRICS_NAMESPACE,
  LOG_LEVEL: SHARED_ENV_FIELDS.LOG_LEVEL,
  ...TAG_ENV_SPEC,
};

/** Every environment variable the configuration reads (besides `ALIAS_VAR_*`). */
export const CONFIG_ENV_NAMES: readonly string[] = Object.freeze(Object.keys(ENV_SPEC));

/** The variables that say which projects and accounts are served. */
const PLACEMENT_ENV_SPEC = {
  HUAWEICLOUD_REGION: ENV_SPEC.HUAWEICLOUD_REGION,
  HUAWEICLOUD_PROJECT_ID: ENV_SPEC.HUAWEICLOUD_PROJECT_ID,
  HUAWEICLOUD_PROJECTS: ENV_SPEC.HUAWEICLOUD_PROJECTS,
  HUAWEICLOUD_ACCOUNTS: ENV_SPEC.HUAWEICLOUD_ACCOUNTS,
  HUAWEICLOUD_IAM_AGENCY: ENV_SPEC.HUAWEICLOUD_IAM_AGENCY,
};

/** The operator tools (CLI, scheduled reconcile) never publish to the DLQ: DLQ_URL is optional for them. */
const OPERATOR_ENV_SPEC = { ...ENV_SPEC, DLQ_URL: SHARED_ENV_FIELDS.queueUrl };

type Env = EnvValues<typeof OPERATOR_ENV_SPEC>;
type PlacementEnv = EnvValues<typeof PLACEMENT_ENV_SPEC>;

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /**
   * Default true. Tools that never publish to the DLQ (the operator CLI, the scheduled reconcile
   * function) pass false: DLQ_URL may then be unset, and `dlqUrl` is `''`.
   */
  requireDlqUrl?: boolean;
}

/** The naming part of the configuration: all that `kms-auto-alias explain` needs. */
export type NamingConfig = Pick<Config, 'aliasTemplateSource' | 'aliasTemplate' | 'aliasConstants'> & TaggingConfig;

/** Where SQS is: all that `kms-auto-alias replay-dlq` needs (no Huawei credentials). */
export interface SqsConfig {
  dlqUrl: string | undefined;
  sqsEndpoint: string | undefined;
  awsRegion: string;
}

/**
 * Parses the environment into a frozen `Config`.
 * @throws ConfigError whose message names every offending variable (never its value, which
 *   may be a secret).
 */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  options: LoadConfigOptions = {},
): Config {
  const cleaned = dropEmpty(env);
  const parsed = readEnvFields(cleaned, options.requireDlqUrl === false ? OPERATOR_ENV_SPEC : ENV_SPEC);
  if (!parsed.ok) throw configErrorOf(parsed.issues);
  const e: Env = parsed.values;
  const { projects, accounts, credentials } = loadAccounts(e);
  const kmsEndpoint = checkEndpoint('KMS_ENDPOINT', e.KMS_ENDPOINT);
  checkRegionalEndpoint('KMS_ENDPOINT', kmsEndpoint, projects);
  const iamEndpoint = checkEndpoint('IAM_ENDPOINT', e.IAM_ENDPOINT);
  const stsEndpoint = checkEndpoint('STS_ENDPOINT', e.STS_ENDPOINT);
  const aliasConstants = loadConstants(cleaned);
  const compiled = compileAliasTemplate(e.ALIAS_TEMPLATE, aliasConstants);
  if (!compiled.ok) throw new ConfigError(`ALIAS_TEMPLATE: ${compiled.reason}`);
  if (e.RETRY_MAX_DELAY_MS < e.RETRY_MIN_DELAY_MS) {
    throw new ConfigError('RETRY_MAX_DELAY_MS: must not be below RETRY_MIN_DELAY_MS');
  }
  return Object.freeze({
    projects,
    accounts,
    credentials,
    kmsEndpoint,
    iamEndpoint,
    stsEndpoint,
    aliasTemplateSource: e.ALIAS_TEMPLATE,
    aliasTemplate: compiled.template,
    aliasConstants,
    dlqUrl: e.DLQ_URL ?? '',
    sqsEndpoint: e.SQS_ENDPOINT,
    awsRegion: e.AWS_REGION,
    maxReceiveCount: e.MAX_RECEIVE_COUNT,
    dryRun: e.DRY_RUN,
    onKeyDeletion: e.ON_KEY_DELETION,
    concurrency: e.CONCURRENCY,
    kmsRateLimit: e.KMS_RATE_LIMIT,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    maxRetries: e.MAX_RETRIES,
    retryMinDelayMs: e.RETRY_MIN_DELAY_MS,
    retryMaxDelayMs: e.RETRY_MAX_DELAY_MS,
    retryThrottleMinDelayMs: e.RETRY_THROTTLE_MIN_DELAY_MS,
    keyNotVisibleWindowMs: e.KEY_NOT_VISIBLE_WINDOW_MS,
    deadlineMarginMs: e.DEADLINE_MARGIN_MS,
    credentialsTtlMs: e.CREDENTIALS_TTL_MS,
    iamRefusalMemoryMs: e.IAM_REFUSAL_MEMORY_MS,
    logLevel: e.LOG_LEVEL,
    serviceName: e.SERVICE_NAME,
    metricsNamespace: e.METRICS_NAMESPACE,
    ...loadTagConfig(cleaned, aliasConstants),
  });
}

/**
 * Only ALIAS_TEMPLATE and ALIAS_VAR_*, validated exactly as {@link loadConfig} does.
 * @throws ConfigError naming the variable at fault.
 */
export function loadNamingConfig(env: Record<string, string | undefined> = process.env): NamingConfig {
  const cleaned = dropEmpty(env);
  const parsed = readEnvFields(cleaned, { ALIAS_TEMPLATE: ENV_SPEC.ALIAS_TEMPLATE });
  if (!parsed.ok) throw configErrorOf(parsed.issues);
  const aliasConstants = loadConstants(cleaned);
  const compiled = compileAliasTemplate(parsed.values.ALIAS_TEMPLATE, aliasConstants);
  if (!compiled.ok) throw new ConfigError(`ALIAS_TEMPLATE: ${compiled.reason}`);
  return Object.freeze({
    aliasTemplateSource: parsed.values.ALIAS_TEMPLATE,
    aliasTemplate: compiled.template,
    aliasConstants,
    ...loadTagConfig(cleaned, aliasConstants),
  });
}

/**
 * Only DLQ_URL (optional here), SQS_ENDPOINT and AWS_REGION, validated as {@link loadConfig} does.
 * @throws ConfigError naming the variable at fault.
 */
export function loadSqsConfig(env: Record<string, string | undefined> = process.env): SqsConfig {
  const parsed = readEnvFields(dropEmpty(env), {
    DLQ_URL: OPERATOR_ENV_SPEC.DLQ_URL,
    SQS_ENDPOINT: OPERATOR_ENV_SPEC.SQS_ENDPOINT,
    AWS_REGION: OPERATOR_ENV_SPEC.AWS_REGION,
  });
  if (!parsed.ok) throw configErrorOf(parsed.issues);
  return Object.freeze({
    dlqUrl: parsed.values.DLQ_URL,
    sqsEndpoint: parsed.values.SQS_ENDPOINT,
    awsRegion: parsed.values.AWS_REGION,
  });
}

/** Empty strings mean "unset" (t3-env's emptyStringAsUndefined): serverless.yml renders unset params as "". */
export function dropEmpty(env: Record<string, string | undefined>): Record<string, string> {
  const cleaned: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    // Secret values exactly as given (a password may end in a space); the rest trimmed.
    if (value !== undefined && value.trim() !== '')
      cleaned[name] = /_(SK|PASSWORD|TOKEN)$/.test(name) ? value : value.trim();
  }
  return cleaned;
}

export function configErrorOf(issues: readonly string[]): ConfigError {
  return new ConfigError(`invalid configuration: ${issues.join('; ')}`);
}

/** The accounts, every project of them, and the central credentials. */
/** The accounts and every project of them, without credentials (loadConfig and `explain` share it). */
function loadServedAccounts(e: PlacementEnv): Pick<Config, 'projects' | 'accounts'> {
  if (e.HUAWEICLOUD_ACCOUNTS === undefined) {
    const projects = loadProjects(e);
    return { projects, accounts: [{ domainId: undefined, name: 'default', projects, access: { kind: 'central' } }] };
  }
  for (const name of ['HUAWEICLOUD_PROJECT_ID', 'HUAWEICLOUD_PROJECTS', 'HUAWEICLOUD_IAM_AGENCY'] as const) {
    if (e[name] !== undefined) {
      throw new ConfigError(
        `${name}: not used with HUAWEICLOUD_ACCOUNTS, which lists every account's projects${name === 'HUAWEICLOUD_IAM_AGENCY' ? ' and agency' : ''}; set one or the other`,
      );
    }
  }
  const parsed = parseAccounts(e.HUAWEICLOUD_ACCOUNTS, e.HUAWEICLOUD_REGION);
  if (!parsed.ok) throw new ConfigError(`HUAWEICLOUD_ACCOUNTS: ${parsed.reason}`);
  const projects = new Map<string, string>();
  for (const account of parsed.accounts) for (const [id, region] of account.projects) projects.set(id, region);
  return { projects, accounts: parsed.accounts };
}

/** The accounts, every project of them, and the central credentials. */
function loadAccounts(e: Env): Pick<Config, 'projects' | 'accounts' | 'credentials'> {
  const served = loadServedAccounts(e);
  const credentials = loadCredentials(e);
  if (e.HUAWEICLOUD_ACCOUNTS === undefined) return { ...served, credentials: credentials ?? missingCredentials() };
  const central = served.accounts.find((a) => a.access.kind === 'central');
  const agency = served.accounts.find((a) => a.access.kind === 'agency');
  if (agency !== undefined && credentials === undefined) {
    throw new ConfigError(
      `HUAWEICLOUD_ACCOUNTS: account ${agency.name} is reached through an agency, which the central identity assumes; set the central credentials (HUAWEICLOUD_CREDENTIALS_SECRET_ID, HUAWEICLOUD_SDK_AK/SK, or HUAWEICLOUD_IAM_USER/PASSWORD/DOMAIN)`,
    );
  }
  if (central !== undefined && credentials === undefined) {
    throw new ConfigError(
      `HUAWEICLOUD_ACCOUNTS: account ${central.name} has no "secret", "ssm" or "agency", so it uses the central credentials, and none are set`,
    );
  }
  if (central === undefined && agency === undefined && credentials !== undefined) {
    // Credentials nobody uses are a secret in the environment for nothing, or a mistake.
    throw new ConfigError(
      'HUAWEICLOUD_ACCOUNTS: every account has its own "secret" or "ssm", so the central credentials set here are unused; remove them',
    );
  }
  return { ...served, credentials: credentials ?? { kind: 'none' } };
}

/**
 * Only the projects and accounts served (HUAWEICLOUD_ACCOUNTS, else HUAWEICLOUD_PROJECTS or
 * HUAWEICLOUD_PROJECT_ID + HUAWEICLOUD_REGION), validated exactly as {@link loadConfig} does, no
 * credentials needed: all `kms-auto-alias explain` needs to say whether an event is served.
 * Undefined when none of them is set.
 * @throws ConfigError naming the variable at fault.
 */
export function loadServedProjects(
  env: Record<string, string | undefined> = process.env,
): Pick<Config, 'projects' | 'accounts'> | undefined {
  const parsed = readEnvFields(dropEmpty(env), PLACEMENT_ENV_SPEC);
  if (!parsed.ok) throw configErrorOf(parsed.issues);
  const e = parsed.values;
  if (
    e.HUAWEICLOUD_ACCOUNTS === undefined &&
    e.HUAWEICLOUD_PROJECTS === undefined &&
    e.HUAWEICLOUD_PROJECT_ID === undefined
  )
    return undefined;
  return loadServedAccounts(e);
}

function missingCredentials(): never {
  throw new ConfigError(
    'HUAWEICLOUD_SDK_AK: no credentials; set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK, or HUAWEICLOUD_IAM_USER, HUAWEICLOUD_IAM_PASSWORD and HUAWEICLOUD_IAM_DOMAIN, or HUAWEICLOUD_CREDENTIALS_SECRET_ID / HUAWEICLOUD_CREDENTIALS_SSM_PARAMETER',
  );
}

function loadProjects(e: PlacementEnv): ReadonlyMap<string, string> {
  if (e.HUAWEICLOUD_PROJECTS !== undefined) {
    const map = parseProjectMap(e.HUAWEICLOUD_PROJECTS, e.HUAWEICLOUD_REGION);
    if (!map.ok) throw new ConfigError(`HUAWEICLOUD_PROJECTS: ${map.reason}`);
    if (e.HUAWEICLOUD_PROJECT_ID !== undefined && !map.projects.has(e.HUAWEICLOUD_PROJECT_ID)) {
      throw new ConfigError('HUAWEICLOUD_PROJECT_ID: is not in HUAWEICLOUD_PROJECTS; set one or the other');
    }
    return map.projects;
  }
  if (e.HUAWEICLOUD_PROJECT_ID === undefined) {
    throw new ConfigError('HUAWEICLOUD_PROJECT_ID: required (or HUAWEICLOUD_PROJECTS for several projects)');
  }
  if (e.HUAWEICLOUD_REGION === undefined) {
    throw new ConfigError('HUAWEICLOUD_REGION: required with HUAWEICLOUD_PROJECT_ID');
  }
  return new Map([[e.HUAWEICLOUD_PROJECT_ID, e.HUAWEICLOUD_REGION]]);
}

/** The central credentials, or undefined when none are set. */
function loadCredentials(e: Env): Credentials | undefined {
  const ak = e.HUAWEICLOUD_SDK_AK ?? e.CLOUD_SDK_AK;
  const sk = e.HUAWEICLOUD_SDK_SK ?? e.CLOUD_SDK_SK;
  const modes = [
    ak !== undefined || sk !== undefined ? 'AK/SK' : undefined,
    e.HUAWEICLOUD_IAM_USER !== undefined || e.HUAWEICLOUD_IAM_PASSWORD !== undefined ? 'IAM password' : undefined,
    e.HUAWEICLOUD_CREDENTIALS_SECRET_ID !== undefined ? 'HUAWEICLOUD_CREDENTIALS_SECRET_ID' : undefined,
    e.HUAWEICLOUD_CREDENTIALS_SSM_PARAMETER !== undefined ? 'HUAWEICLOUD_CREDENTIALS_SSM_PARAMETER' : undefined,
  ].filter((m) => m !== undefined);
  if (modes.length > 1) {
    throw new ConfigError(`credentials: set exactly one kind, found ${modes.join(' and ')}`);
  }
  // Variables no other kind reads were silently not used: the calls then went out as the central
  // identity itself (no agency assumed), or a token sat in the environment for nothing.
  if (modes[0] !== 'AK/SK' && e.HUAWEICLOUD_SDK_SECURITY_TOKEN !== undefined) {
    throw new ConfigError(
      'HUAWEICLOUD_SDK_SECURITY_TOKEN: used only with HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (temporary AK/SK); remove it',
    );
  }
  if (modes[0] !== 'IAM password' && (e.HUAWEICLOUD_IAM_AGENCY ?? e.HUAWEICLOUD_IAM_AGENCY_DOMAIN) !== undefined) {
    throw new ConfigError(
      'HUAWEICLOUD_IAM_AGENCY: assumed with the IAM user\'s token only (HUAWEICLOUD_IAM_USER, HUAWEICLOUD_IAM_PASSWORD, HUAWEICLOUD_IAM_DOMAIN); with AK/SK, list the agency\'s account with its "agency" in HUAWEICLOUD_ACCOUNTS',
    );
  }
  if (modes.length === 0) return undefined;
  if (e.HUAWEICLOUD_CREDENTIALS_SECRET_ID !== undefined) {
    return { kind: 'aws-secret', source: 'secretsmanager', id: e.HUAWEICLOUD_CREDENTIALS_SECRET_ID };
  }
  if (e.HUAWEICLOUD_CREDENTIALS_SSM_PARAMETER !== undefined) {
    return { kind: 'aws-secret', source: 'ssm', id: e.HUAWEICLOUD_CREDENTIALS_SSM_PARAMETER };
  }
  if (modes[0] === 'AK/SK') {
    if (ak === undefined) throw new ConfigError('HUAWEICLOUD_SDK_AK: required with HUAWEICLOUD_SDK_SK');
    if (sk === undefined) throw new ConfigError('HUAWEICLOUD_SDK_SK: required with HUAWEICLOUD_SDK_AK');
    return e.HUAWEICLOUD_SDK_SECURITY_TOKEN === undefined
      ? { kind: 'aksk', ak, sk }
      : { kind: 'aksk', ak, sk, securityToken: e.HUAWEICLOUD_SDK_SECURITY_TOKEN };
  }
  const user = e.HUAWEICLOUD_IAM_USER;
  const password = e.HUAWEICLOUD_IAM_PASSWORD;
  const domain = e.HUAWEICLOUD_IAM_DOMAIN;
  if (user === undefined) throw new ConfigError('HUAWEICLOUD_IAM_USER: required with HUAWEICLOUD_IAM_PASSWORD');
  if (password === undefined) throw new ConfigError('HUAWEICLOUD_IAM_PASSWORD: required with HUAWEICLOUD_IAM_USER');
  if (domain === undefined)
    throw new ConfigError('HUAWEICLOUD_IAM_DOMAIN: required in IAM password mode (the account name)');
  if ((e.HUAWEICLOUD_IAM_AGENCY === undefined) !== (e.HUAWEICLOUD_IAM_AGENCY_DOMAIN === undefined)) {
    throw new ConfigError('HUAWEICLOUD_IAM_AGENCY: set together with HUAWEICLOUD_IAM_AGENCY_DOMAIN');
  }
  return e.HUAWEICLOUD_IAM_AGENCY !== undefined && e.HUAWEICLOUD_IAM_AGENCY_DOMAIN !== undefined
    ? {
        kind: 'password',
        user,
        password,
        domain,
        agency: { name: e.HUAWEICLOUD_IAM_AGENCY, domain: e.HUAWEICLOUD_IAM_AGENCY_DOMAIN },
      }
    : { kind: 'password', user, password, domain };
}

function checkEndpoint(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    // `{region}` is a placeholder, substituted per request; check the URL with a sample region.
    url = assertSafeEndpoint(value.replaceAll('{region}', 'cn-north-4'));
  } catch (err) {
    throw new ConfigError(`${name}: ${err instanceof Error ? err.message : String(err)}`, err);
  }
  // Huawei's endpoints are a host only (docs/huawei-kms.md#endpoints), and the clients append the
  // API path to it: a path here (one copied from an API page) made every call a 404 to the DLQ.
  if (url.pathname !== '/') {
    throw new ConfigError(
      `${name}: must be the scheme and host only, without a path (such as https://kms.{region}.myhuaweicloud.com)`,
    );
  }
  return value.replace(/\/+$/, '');
}

/**
 * KMS endpoints are per region (docs/huawei-kms.md#endpoints): one host without `{region}` for
 * projects in several regions sent the other regions' calls (and their signatures) to the wrong
 * KMS, each failing to the DLQ. A loopback host (the emulator) may serve every region.
 */
function checkRegionalEndpoint(
  name: string,
  endpoint: string | undefined,
  projects: ReadonlyMap<string, string>,
): void {
  if (endpoint === undefined || endpoint.includes('{region}')) return;
  const regions = [...new Set(projects.values())].sort();
  if (regions.length < 2 || isLoopbackHost(new URL(endpoint).hostname)) return;
  throw new ConfigError(
    `${name}: one host for projects in ${regions.length} regions (${regions.join(', ')}); write {region} in it (such as https://kms.{region}.myhuaweicloud.com), or leave it unset`,
  );
}

/** `ALIAS_VAR_ENV=prod` becomes the template constant `{env}`. */
function loadConstants(env: Record<string, string>): Record<string, string> {
  const constants: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(CONSTANT_PREFIX)) continue;
    const key = name.slice(CONSTANT_PREFIX.length).toLowerCase();
    if (!/^[a-z][a-z0-9_]*$/.test(key)) {
      throw new ConfigError(`${name}: the part after ${CONSTANT_PREFIX} must be letters, digits and _`);
    }
    constants[key] = value;
  }
  return Object.freeze(constants);
}
