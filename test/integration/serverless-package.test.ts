import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadIngestConfig } from '../../lib/config/ingest-config.ts';
import { CONFIG_ENV_NAMES, loadConfig } from '../../lib/config/load-config.ts';
import {
  DLQ_MAX_MESSAGE_BYTES,
  MAX_DLQ_ATTRIBUTE_BYTES,
  SOURCE_MAX_MESSAGE_BYTES,
} from '../../lib/dlq/fit-dlq-record.ts';
import { LOCAL_ACCOUNT } from '../support/local-account.ts';

// Packages serverless.yml with osls, offline and without credentials, and checks the
// CloudFormation it would deploy. Each scenario packages in its own temp copy (its own
// `.serverless/`), so this test never touches the working tree's and never races another one.

const ROOT = join(import.meta.dirname, '..', '..');
const OSLS = join(ROOT, 'node_modules', 'osls', 'bin', 'serverless.js');
const STAGE = 'test';
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:kms-auto-alias/test/huawei-AbCdEf';
const CMK_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9';
const LAYER_ARN = 'arn:aws:lambda:eu-west-1:015030872274:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:12';
const SNS_TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:huawei-cts-relay';
const SSM_PARAMETER = '/kms-auto-alias/test/huawei-credentials';
const INGEST_TOPIC = `urn:smn:cn-north-4:${LOCAL_ACCOUNT.projectId}:kms-key-events`;
const INGEST_TOKEN_SECRET_ARN =
  'arn:aws:secretsmanager:eu-west-1:123456789012:secret:kms-auto-alias/test/ingest-token-XyZ123';
/** Lambda's env names that would carry a credential in plain text. */
const PLAIN_CREDENTIAL_ENV = [
  'HUAWEICLOUD_SDK_AK',
  'HUAWEICLOUD_SDK_SK',
  'HUAWEICLOUD_SDK_SECURITY_TOKEN',
  'CLOUD_SDK_AK',
  'CLOUD_SDK_SK',
  'HUAWEICLOUD_IAM_USER',
  'HUAWEICLOUD_IAM_PASSWORD',
];

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation is untyped JSON
type Json = any;

interface Packaged {
  dir: string;
  template: Json;
  resources: Record<string, Json>;
  /** Condition name → its value, evaluated from the literal params osls rendered into it. */
  conditions: Record<string, boolean>;
  /** `value` with every Fn::If decided and AWS::NoValue removed, as CloudFormation would. */
  decide: (value: Json) => Json;
}

const execFileAsync = promisify(execFile);
let work: string;
let secret: Packaged;
let ssm: Packaged;
const ACCOUNT_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:huawei-data-Ab12Cd';
const ACCOUNT_PARAMETER_ARN = 'arn:aws:ssm:eu-west-1:123456789012:parameter/huawei/payments';
/** A string planted in the sources of the `secret` copy: its zip must hold it (built from source). */
const MARKER = `fresh-build-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
/** A bundle planted in the `ssm` copy's dist/ before packaging: its zip must not hold it. */
const STALE = 'STALE-BUNDLE-MUST-NOT-SHIP';

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'kms-auto-alias-sls-'));
  // Two scenarios, packaged in parallel, each from its own copy of the sources and no prebuilt
  // bundle: packaging must build it (scripts/serverless-build-plugin.mjs). AK/SK in Secrets
  // Manager (with a CMK, an alarm e-mail, an SNS producer and maxReceiveCount given on the command
  // line), from a copy with no dist/ at all and a marker in the handler's source; and in SSM
  // Parameter Store (a multi-project map, every other setting at its default), from a copy whose
  // dist/ holds a stale bundle.
  [secret, ssm] = await Promise.all([
    packageStack(
      'secret',
      [
        `huaweiProjectId=${LOCAL_ACCOUNT.projectId}`,
        `credentialsSecretArn=${SECRET_ARN}`,
        `credentialsKmsKeyArn=${CMK_ARN}`,
        `secretsExtensionLayerArn=${LAYER_ARN}`,
        'alarmEmail=oncall@example.com',
        `producerSnsTopicArn=${SNS_TOPIC_ARN}`,
        'maxReceiveCount=4',
        `ingestTopicUrns=${INGEST_TOPIC}`,
        `ingestTokenSecretArn=${INGEST_TOKEN_SECRET_ARN}`,
      ],
      (dir) => {
        const handler = join(dir, 'functions', 'create-key-alias', 'handler.ts');
        writeFileSync(handler, `${readFileSync(handler, 'utf8')}\nexport const BUILD_MARKER = '${MARKER}';\n`);
      },
    ),
    packageStack(
      'ssm',
      [
        `huaweiProjects=${LOCAL_ACCOUNT.projectId}=cn-north-4,${LOCAL_ACCOUNT.secondProjectId}=ap-southeast-1`,
        `credentialsSsmParameter=${SSM_PARAMETER}`,
        `accountCredentialArns=${ACCOUNT_SECRET_ARN},${ACCOUNT_PARAMETER_ARN}`,
        `secretsExtensionLayerArn=${LAYER_ARN}`,
        `ingestTopicUrns=${INGEST_TOPIC}`,
      ],
      (dir) => {
        for (const fn of ['create-key-alias', 'reconcile', 'ingest']) {
          mkdirSync(join(dir, 'dist', fn), { recursive: true });
          writeFileSync(join(dir, 'dist', fn, 'handler.mjs'), `export const handler = () => '${STALE}';\n`);
        }
      },
    ),
  ]);
}, 150_000);

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

/** What a clean clone has: the tracked tree, without build output, caches or installed modules. */
const NOT_IN_A_CLONE = new Set(['node_modules', 'dist', '.git', '.serverless', '.test-results', '.cache']);

async function packageStack(name: string, params: string[], prepare: (dir: string) => void): Promise<Packaged> {
  const dir = join(work, name);
  cpSync(ROOT, dir, {
    recursive: true,
    filter: (src) => {
      const top = relative(ROOT, src).split(sep)[0] ?? '';
      return !NOT_IN_A_CLONE.has(top) && !top.startsWith('.stryker');
    },
  });
  // `npm ci` would install these; a link keeps the test fast.
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  prepare(dir);
  const args = [OSLS, 'package', '--stage', STAGE, ...params.map((p) => `--param=${p}`)];
  try {
    await execFileAsync(process.execPath, args, { cwd: dir, env: offlineEnv(dir), timeout: 140_000 });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`osls package (${name}) failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
  const template = JSON.parse(
    readFileSync(join(dir, '.serverless', 'cloudformation-template-update-stack.json'), 'utf8'),
  );
  const conditions = evaluateConditions(template.Conditions ?? {});
  return { dir, template, resources: template.Resources, conditions, decide: (v) => decideIfs(v, conditions) };
}

/**
 * A clean environment: no AWS credentials or profile (HOME is the temp dir), no instance
 * metadata probe, and any HTTP(S) the packaging might attempt goes to a closed port. The schema
 * validator cache lives in node_modules/.cache so later runs skip recompiling it (~2 s).
 */
function offlineEnv(home: string): NodeJS.ProcessEnv {
  return {
    PATH: [dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(':'),
    HOME: home,
    TMPDIR: tmpdir(),
    SLS_SCHEMA_CACHE_BASE_DIR: join(ROOT, 'node_modules', '.cache', 'osls'),
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    SLS_DEPRECATION_DISABLE: '*',
    SLS_INTERACTIVE_SETUP_ENABLE: '0',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: join(home, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-aws-credentials'),
    HTTP_PROXY: 'http://127.0.0.1:9',
    HTTPS_PROXY: 'http://127.0.0.1:9',
    CI: '1',
    NO_COLOR: '1',
  };
}

function evaluateConditions(definitions: Record<string, Json>): Record<string, boolean> {
  const values: Record<string, boolean> = {};
  const evaluate = (node: Json): boolean => {
    if (typeof node === 'object' && node !== null) {
      if ('Condition' in node) return byName(node.Condition);
      if ('Fn::Not' in node) return !evaluate(node['Fn::Not'][0]);
      if ('Fn::Or' in node) return node['Fn::Or'].some(evaluate);
      if ('Fn::And' in node) return node['Fn::And'].every(evaluate);
      if ('Fn::Equals' in node) {
        const [a, b] = node['Fn::Equals'];
        if (typeof a !== 'string' || typeof b !== 'string')
          throw new Error(`non-literal Fn::Equals: ${JSON.stringify(node)}`);
        return a === b;
      }
    }
    throw new Error(`cannot evaluate condition ${JSON.stringify(node)}`);
  };
  const byName = (name: string): boolean => {
    if (!(name in values)) values[name] = evaluate(definitions[name]);
    return values[name] as boolean;
  };
  for (const name of Object.keys(definitions)) byName(name);
  return values;
}

const NO_VALUE = Symbol('AWS::NoValue');

function decideIfs(value: Json, conditions: Record<string, boolean>): Json {
  const walk = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(walk).filter((v) => v !== NO_VALUE);
    if (typeof node !== 'object' || node === null) return node;
    if (node.Ref === 'AWS::NoValue') return NO_VALUE;
    if ('Fn::If' in node) {
      const [name, whenTrue, whenFalse] = node['Fn::If'];
      if (!(name in conditions)) throw new Error(`unknown condition ${name}`);
      return walk(conditions[name] ? whenTrue : whenFalse);
    }
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(node)) {
      const decided = walk(v);
      if (decided !== NO_VALUE) out[k] = decided;
    }
    return out;
  };
  return walk(value);
}

/** Resources CloudFormation would create: those without a condition, or whose condition holds. */
function created(p: Packaged): Record<string, Json> {
  return Object.fromEntries(
    Object.entries(p.resources).filter(([, r]) => r.Condition === undefined || p.conditions[r.Condition] === true),
  );
}

/** Every policy statement of every role and policy that would be created, decided. */
function statementsOf(p: Packaged, holder: string): Json[] {
  const resource = created(p)[holder];
  if (resource === undefined) return [];
  const documents =
    resource.Type === 'AWS::IAM::Role'
      ? (resource.Properties.Policies ?? []).map((policy: Json) => policy.PolicyDocument)
      : [resource.Properties.PolicyDocument];
  return documents.flatMap((doc: Json) => p.decide(doc).Statement as Json[]);
}

/** Statements that apply to a role: its inline policies plus AWS::IAM::Policy resources naming it. */
function roleStatements(p: Packaged, role: string): Json[] {
  const attached = Object.entries(created(p))
    .filter(([, r]) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((ref: Json) => ref.Ref === role))
    .map(([id]) => id);
  return [role, ...attached].flatMap((id) => statementsOf(p, id));
}

const asList = (v: Json): Json[] => (Array.isArray(v) ? v : [v]);
const getAtt = (id: string, attr = 'Arn') => ({ 'Fn::GetAtt': [id, attr] });
const fn = (p: Packaged, id: string) => p.resources[id].Properties;
const env = (p: Packaged, id: string): Record<string, Json> => fn(p, id).Environment.Variables;

/** The files of a zip archive, from its central directory: name → contents (stored or deflated). */
function readZip(file: string): Map<string, Buffer> {
  const buf = readFileSync(file);
  const end = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = buf.readUInt16LE(end + 10);
  let at = buf.readUInt32LE(end + 16);
  const files = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(at) !== 0x02014b50) throw new Error(`bad central directory entry in ${file}`);
    const method = buf.readUInt16LE(at + 10);
    const compressedSize = buf.readUInt32LE(at + 20);
    const nameLength = buf.readUInt16LE(at + 28);
    const extraLength = buf.readUInt16LE(at + 30);
    const commentLength = buf.readUInt16LE(at + 32);
    const localHeader = buf.readUInt32LE(at + 42);
    const name = buf.toString('utf8', at + 46, at + 46 + nameLength);
    const dataStart = localHeader + 30 + buf.readUInt16LE(localHeader + 26) + buf.readUInt16LE(localHeader + 28);
    const data = buf.subarray(dataStart, dataStart + compressedSize);
    files.set(name, method === 8 ? inflateRawSync(data) : Buffer.from(data));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return files;
}

const zipEntries = (file: string): string[] => [...readZip(file).keys()];

/** The names loadConfig reads (lib/config/load-config.ts). */
function configEnvNames(): Set<string> {
  return new Set(CONFIG_ENV_NAMES);
}

describe('serverless.yml packaged by osls', () => {
  it('builds the bundles while packaging: a copy with no dist/ ships its own sources, a stale dist/ never ships', () => {
    const fresh = readZip(join(secret.dir, '.serverless', 'createKeyAlias.zip'));
    const handler = fresh.get('dist/create-key-alias/handler.mjs')?.toString('utf8') ?? '';
    expect(handler.length).toBeGreaterThan(1_000);
    expect(handler).toContain(MARKER);
    // The zip holds exactly what the build wrote into the copy's dist/.
    expect(handler).toBe(readFileSync(join(secret.dir, 'dist', 'create-key-alias', 'handler.mjs'), 'utf8'));
    for (const [p, zip] of [
      [ssm, 'createKeyAlias.zip'],
      [ssm, 'reconcile.zip'],
      [secret, 'reconcile.zip'],
    ] as const) {
      const files = readZip(join(p.dir, '.serverless', zip));
      expect(files.size).toBeGreaterThanOrEqual(1);
      for (const [name, content] of files) expect(content.toString('utf8'), `${zip}: ${name}`).not.toContain(STALE);
    }
    expect(
      readZip(join(ssm.dir, '.serverless', 'createKeyAlias.zip'))
        .get('dist/create-key-alias/handler.mjs')
        ?.toString('utf8'),
    ).not.toContain(MARKER);
  });

  it('deploys createKeyAlias as the built arm64 nodejs24.x bundle with JSON logs', () => {
    for (const p of [secret, ssm]) {
      const props = fn(p, 'CreateKeyAliasLambdaFunction');
      expect(props).toMatchObject({
        Handler: 'dist/create-key-alias/handler.handler',
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        MemorySize: 256,
        Timeout: 60,
        FunctionName: `kms-auto-alias-${STAGE}-createKeyAlias`,
      });
      // The function filters by LOG_LEVEL itself; Lambda passes everything (and, raised, still keeps
      // audit records and metrics: lib/audit/create-logger.ts writes them at Lambda's level).
      expect(props.LoggingConfig).toMatchObject({ LogFormat: 'JSON', ApplicationLogLevel: 'DEBUG' });
      expect(['DEBUG', 'INFO', 'WARN']).toContain(props.LoggingConfig.SystemLogLevel);
    }
    const reconcile = fn(secret, 'ReconcileLambdaFunction');
    expect(reconcile).toMatchObject({
      Handler: 'dist/reconcile/handler.handler',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
    });
  });

  it("zips only each function's own dist/ folder", () => {
    const main = zipEntries(join(secret.dir, '.serverless', 'createKeyAlias.zip'));
    expect(main).toContain('dist/create-key-alias/handler.mjs');
    expect(main.some((f) => f.startsWith('dist/create-key-alias/chunks/'))).toBe(true);
    expect(main.filter((f) => !f.startsWith('dist/create-key-alias/'))).toEqual([]);
    const reconcile = zipEntries(join(secret.dir, '.serverless', 'reconcile.zip'));
    expect(reconcile).toContain('dist/reconcile/handler.mjs');
    expect(reconcile.filter((f) => !f.startsWith('dist/reconcile/'))).toEqual([]);
  });

  it('maps the key-events queue with partial batch responses, a small batch and capped concurrency', () => {
    for (const p of [secret, ssm]) {
      const mappings = Object.values(p.resources).filter((r: Json) => r.Type === 'AWS::Lambda::EventSourceMapping');
      expect(mappings).toHaveLength(1);
      expect(mappings[0].Properties).toMatchObject({
        EventSourceArn: getAtt('KeyEventsQueue'),
        FunctionName: getAtt('CreateKeyAliasLambdaFunction'),
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BatchSize: 10,
        MaximumBatchingWindowInSeconds: 5,
        ScalingConfig: { MaximumConcurrency: 2 },
        Enabled: true,
      });
    }
  });

  it('keeps the fleet under the KMS rate limit of ~20 calls/s per user', () => {
    for (const p of [secret, ssm]) {
      const mapping = Object.values(p.resources).find((r: Json) => r.Type === 'AWS::Lambda::EventSourceMapping');
      const instances = mapping.Properties.ScalingConfig.MaximumConcurrency as number;
      const perInstance = Number(env(p, 'CreateKeyAliasLambdaFunction').KMS_RATE_LIMIT);
      const reconcile = Number(env(p, 'ReconcileLambdaFunction').KMS_RATE_LIMIT);
      expect(instances).toBeGreaterThanOrEqual(2);
      expect(instances * perInstance + reconcile).toBeLessThanOrEqual(18);
    }
  });

  it("redrives to the DLQ after the same receive count the function is told, and the DLQ is the function's own", () => {
    for (const [p, expected] of [
      [secret, 4],
      [ssm, 5],
    ] as const) {
      const queue = fn(p, 'KeyEventsQueue');
      expect(queue.RedrivePolicy.deadLetterTargetArn).toEqual(getAtt('DeadLetterQueue'));
      expect(Number(queue.RedrivePolicy.maxReceiveCount)).toBe(expected);
      expect(Number(env(p, 'CreateKeyAliasLambdaFunction').MAX_RECEIVE_COUNT)).toBe(expected);
      expect(env(p, 'CreateKeyAliasLambdaFunction').DLQ_URL).toEqual({ Ref: 'DeadLetterQueue' });
      const dlq = fn(p, 'DeadLetterQueue');
      expect(Number(dlq.MessageRetentionPeriod)).toBe(14 * 24 * 3600);
      expect(Number(dlq.MessageRetentionPeriod)).toBeGreaterThan(Number(queue.MessageRetentionPeriod));
    }
  });

  it('sizes the DLQ so that a record (a full-size key-events body and its reason) always fits', () => {
    for (const p of [secret, ssm]) {
      const source = Number(fn(p, 'KeyEventsQueue').MaximumMessageSize);
      const dlq = Number(fn(p, 'DeadLetterQueue').MaximumMessageSize);
      expect(source).toBe(SOURCE_MAX_MESSAGE_BYTES);
      expect(dlq).toBe(DLQ_MAX_MESSAGE_BYTES);
      expect(source + MAX_DLQ_ATTRIBUTE_BYTES).toBeLessThanOrEqual(dlq);
    }
  });

  it('sets the visibility timeout to at least 6 × the function timeout, and the retry budget fits the timeout', () => {
    const timeout = fn(secret, 'CreateKeyAliasLambdaFunction').Timeout as number;
    expect(Number(fn(secret, 'KeyEventsQueue').VisibilityTimeout)).toBeGreaterThanOrEqual(6 * timeout);
    const e = env(secret, 'CreateKeyAliasLambdaFunction');
    const retries = Number(e.MAX_RETRIES);
    const worstOperationMs =
      (retries + 1) * Number(e.REQUEST_TIMEOUT_MS) +
      retries * Number(e.RETRY_MAX_DELAY_MS) +
      Number(e.DEADLINE_MARGIN_MS);
    expect(worstOperationMs).toBeLessThanOrEqual(timeout * 1000);
  });

  it('grants SQS rights on the two queues only, and nothing on "*" for SQS', () => {
    for (const p of [secret, ssm]) {
      const statements = roleStatements(p, 'IamRoleLambdaExecution');
      const sqs = statements.filter((s) => asList(s.Action).some((a: string) => a.startsWith('sqs:')));
      for (const s of sqs) {
        expect(s.Effect).toBe('Allow');
        for (const resource of asList(s.Resource)) {
          expect(resource).not.toBe('*');
          const action = asList(s.Action);
          if (action.includes('sqs:SendMessage')) expect(resource).toEqual(getAtt('DeadLetterQueue'));
          else expect(resource).toEqual(getAtt('KeyEventsQueue'));
        }
      }
      const granted = (resource: Json) =>
        new Set(
          sqs
            .filter((s) => asList(s.Resource).some((r) => JSON.stringify(r) === JSON.stringify(resource)))
            .flatMap((s) => asList(s.Action)),
        );
      expect([...granted(getAtt('KeyEventsQueue'))].sort()).toEqual(
        ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'].sort(),
      );
      expect([...granted(getAtt('DeadLetterQueue'))]).toEqual(['sqs:SendMessage']);
    }
  });

  it('has no IAM statement on "*" anywhere', () => {
    for (const p of [secret, ssm]) {
      const holders = Object.entries(created(p)).filter(
        ([, r]) => r.Type === 'AWS::IAM::Role' || r.Type === 'AWS::IAM::Policy',
      );
      expect(holders.length).toBeGreaterThanOrEqual(2);
      for (const [id] of holders) {
        for (const s of statementsOf(p, id)) {
          for (const resource of asList(s.Resource)) expect(resource, `${id}: ${JSON.stringify(s)}`).not.toBe('*');
        }
      }
    }
  });

  it('reads the credentials secret only when configured, on that one secret, with the extension layer', () => {
    expect(secret.conditions).toMatchObject({
      UsesSecretStore: true,
      HasCredentialsSecret: true,
      HasCredentialsParameter: false,
    });
    for (const role of ['IamRoleLambdaExecution', 'ReconcileRole']) {
      const read = roleStatements(secret, role).filter((s) =>
        asList(s.Action).some((a: string) => /^(secretsmanager|ssm|kms):/.test(a)),
      );
      expect(read).toEqual([
        { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: SECRET_ARN },
        expect.objectContaining({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: CMK_ARN }),
      ]);
      expect(read[1].Condition.StringEquals['kms:ViaService']).toHaveLength(2);
    }
    for (const id of ['CreateKeyAliasLambdaFunction', 'ReconcileLambdaFunction']) {
      expect(secret.decide(fn(secret, id)).Layers).toEqual([LAYER_ARN]);
      // Created after the policy is attached (a Ref in Metadata is an implicit dependency).
      expect(secret.decide(secret.resources[id].Metadata)).toEqual({
        CredentialsReadPolicy: { Ref: 'CredentialsReadPolicy' },
      });
    }
  });

  it('reads an SSM SecureString parameter instead when that is configured', () => {
    expect(ssm.conditions).toMatchObject({
      UsesSecretStore: true,
      HasCredentialsSecret: false,
      HasCredentialsParameter: true,
      HasCredentialsKmsKey: false,
      HasAccountCredentials: true,
    });
    const read = roleStatements(ssm, 'IamRoleLambdaExecution').filter((s) =>
      asList(s.Action).some((a: string) => /^(secretsmanager|ssm|kms):/.test(a)),
    );
    expect(read).toEqual([
      {
        Effect: 'Allow',
        Action: 'ssm:GetParameter',
        Resource: {
          'Fn::Sub': `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${SSM_PARAMETER}`,
        },
      },
      // The accounts' own secrets (HUAWEICLOUD_ACCOUNTS), these and no other.
      {
        Effect: 'Allow',
        Action: ['secretsmanager:GetSecretValue', 'ssm:GetParameter'],
        Resource: { 'Fn::Split': [',', `${ACCOUNT_SECRET_ARN},${ACCOUNT_PARAMETER_ARN}`] },
      },
    ]);
    expect(ssm.decide(fn(ssm, 'CreateKeyAliasLambdaFunction')).Layers).toEqual([LAYER_ARN]);
  });

  it('adds neither the read policy nor the layer when no secret store is configured', () => {
    const layers = fn(secret, 'CreateKeyAliasLambdaFunction').Layers;
    expect(layers['Fn::If'][0]).toBe('UsesSecretStore');
    expect(layers['Fn::If'][2]).toEqual({ Ref: 'AWS::NoValue' });
    expect(secret.resources.CredentialsReadPolicy.Condition).toBe('UsesSecretStore');
  });

  it('carries no credential in the environment, and only names the config schema knows', () => {
    const known = configEnvNames();
    expect(known.size).toBeGreaterThan(20);
    for (const p of [secret, ssm]) {
      for (const id of ['CreateKeyAliasLambdaFunction', 'ReconcileLambdaFunction']) {
        const names = Object.keys(env(p, id));
        for (const name of PLAIN_CREDENTIAL_ENV) expect(names).not.toContain(name);
        for (const name of names) {
          if (!name.startsWith('ALIAS_VAR_')) expect(known, `${id}: ${name}`).toContain(name);
        }
      }
      expect(JSON.stringify(p.template)).not.toMatch(/HUAWEICLOUD_SDK_|CLOUD_SDK_|IAM_PASSWORD/);
    }
  });

  it('gives the function an environment that loadConfig accepts (deployed credentials mode)', () => {
    const dlqUrl = `https://sqs.eu-west-1.amazonaws.com/123456789012/kms-auto-alias-${STAGE}-dlq`;
    const asEnv = (p: Packaged) =>
      Object.fromEntries(
        Object.entries(env(p, 'CreateKeyAliasLambdaFunction')).map(([k, v]) => [
          k,
          k === 'DLQ_URL' ? dlqUrl : String(v),
        ]),
      );
    const fromSecret = loadConfig(asEnv(secret));
    expect(fromSecret.credentials).toEqual({ kind: 'aws-secret', source: 'secretsmanager', id: SECRET_ARN });
    expect(fromSecret).toMatchObject({
      maxReceiveCount: 4,
      kmsRateLimit: 8,
      serviceName: `kms-auto-alias-${STAGE}`,
      dlqUrl,
    });
    expect(fromSecret.aliasConstants).toEqual({ env: STAGE });
    // Reconcile publishes nothing: no DLQ_URL, and loadConfig is told so.
    const reconcile = Object.fromEntries(
      Object.entries(env(secret, 'ReconcileLambdaFunction')).map(([k, v]) => [k, String(v)]),
    );
    expect(loadConfig(reconcile, { requireDlqUrl: false })).toMatchObject({ kmsRateLimit: 2, dlqUrl: '' });
    const fromSsm = loadConfig(asEnv(ssm));
    expect(fromSsm.credentials).toEqual({ kind: 'aws-secret', source: 'ssm', id: SSM_PARAMETER });
    expect([...fromSsm.projects.keys()]).toEqual([LOCAL_ACCOUNT.projectId, LOCAL_ACCOUNT.secondProjectId]);
  });

  it('alarms on the DLQ, function errors and throttles, queue age and alias conflicts', () => {
    const alarms = Object.values(created(secret))
      .filter((r: Json) => r.Type === 'AWS::CloudWatch::Alarm')
      .map((r: Json) => r.Properties);
    const find = (metric: string, dimension: Json) => {
      const found = alarms.filter(
        (a: Json) => a.MetricName === metric && JSON.stringify(a.Dimensions) === JSON.stringify([dimension]),
      );
      expect(found, metric).toHaveLength(1);
      return found[0];
    };
    const e = env(secret, 'CreateKeyAliasLambdaFunction');
    const expectations: Array<[string, string, Json, number]> = [
      [
        'ApproximateNumberOfMessagesVisible',
        'AWS/SQS',
        { Name: 'QueueName', Value: getAtt('DeadLetterQueue', 'QueueName') },
        0,
      ],
      ['Errors', 'AWS/Lambda', { Name: 'FunctionName', Value: { Ref: 'CreateKeyAliasLambdaFunction' } }, 0],
      ['Throttles', 'AWS/Lambda', { Name: 'FunctionName', Value: { Ref: 'CreateKeyAliasLambdaFunction' } }, 0],
      [
        'ApproximateAgeOfOldestMessage',
        'AWS/SQS',
        { Name: 'QueueName', Value: getAtt('KeyEventsQueue', 'QueueName') },
        900,
      ],
      ['AliasConflicts', e.METRICS_NAMESPACE, { Name: 'Service', Value: e.SERVICE_NAME }, 0],
    ];
    for (const [metric, namespace, dimension, threshold] of expectations) {
      const alarm = find(metric, dimension);
      expect(alarm).toMatchObject({
        Namespace: namespace,
        Dimensions: [dimension],
        ComparisonOperator: 'GreaterThanThreshold',
      });
      expect(Number(alarm.Threshold)).toBe(threshold);
      expect(alarm.AlarmActions).toEqual([{ Ref: 'AlarmTopic' }]);
    }
    expect(e.SERVICE_NAME).toBe(`kms-auto-alias-${STAGE}`);
    expect(e.METRICS_NAMESPACE).toBe('KmsAutoAlias');
    expect(created(secret).AlarmEmailSubscription.Properties).toMatchObject({
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
    });
    expect(created(ssm).AlarmEmailSubscription).toBeUndefined();
  });

  it('alarms when the scheduled reconcile fails or finds drift, on the metric the function writes', () => {
    const alarms = Object.values(created(secret))
      .filter((r: Json) => r.Type === 'AWS::CloudWatch::Alarm')
      .map((r: Json) => r.Properties);
    const e = env(secret, 'ReconcileLambdaFunction');
    const errors = alarms.filter(
      (a: Json) => a.MetricName === 'Errors' && a.Dimensions[0].Value.Ref === 'ReconcileLambdaFunction',
    );
    const drift = alarms.filter((a: Json) => a.MetricName === 'DriftFindings');
    expect(errors).toHaveLength(1);
    expect(drift).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      Namespace: 'AWS/Lambda',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'ReconcileLambdaFunction' } }],
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: 'AlarmTopic' }],
    });
    // The namespace and dimension the reconcile function writes its EMF under (SERVICE_NAME,
    // METRICS_NAMESPACE: lib/audit/drift-metrics.ts).
    expect(drift[0]).toMatchObject({
      Namespace: e.METRICS_NAMESPACE,
      Dimensions: [{ Name: 'Service', Value: e.SERVICE_NAME }],
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: 'AlarmTopic' }],
    });
    for (const alarm of [errors[0], drift[0]]) expect(Number(alarm.Threshold)).toBe(0);
    expect(e.METRICS_NAMESPACE).toBe('KmsAutoAlias');
    expect(e.SERVICE_NAME).toBe(`kms-auto-alias-${STAGE}`);
  });

  it('retains the function logs for the configured number of days', () => {
    for (const id of ['CreateKeyAliasLogGroup', 'ReconcileLogGroup']) {
      expect(fn(secret, id)).toMatchObject({ RetentionInDays: 30 });
    }
  });

  it('lets the configured SNS topic send to the key-events queue, and no one else', () => {
    const policy = secret.decide(created(secret).KeyEventsQueuePolicy.Properties);
    expect(policy.Queues).toEqual([{ Ref: 'KeyEventsQueue' }]);
    expect(policy.PolicyDocument.Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: getAtt('KeyEventsQueue'),
        Condition: { ArnEquals: { 'aws:SourceArn': SNS_TOPIC_ARN } },
      }),
    ]);
    expect(created(ssm).KeyEventsQueuePolicy).toBeUndefined();
  });

  it('schedules reconcile disabled by default, under its own role with log rights only', () => {
    const rule = Object.values(secret.resources).find((r: Json) => r.Type === 'AWS::Events::Rule');
    expect(rule.Properties).toMatchObject({ ScheduleExpression: 'rate(1 day)', State: 'DISABLED' });
    expect(fn(secret, 'ReconcileLambdaFunction').Role).toEqual(getAtt('ReconcileRole'));
    expect(env(secret, 'ReconcileLambdaFunction').DLQ_URL).toBeUndefined();
    const own = statementsOf(secret, 'ReconcileRole');
    expect(own.flatMap((s) => asList(s.Action)).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    expect(own[0].Resource['Fn::Sub']).toContain(`log-group:/aws/lambda/kms-auto-alias-${STAGE}-reconcile:*`);
    const actions = roleStatements(secret, 'ReconcileRole').flatMap((s) => asList(s.Action));
    expect(actions.filter((a: string) => a.startsWith('sqs:'))).toEqual([]);
  });
});

describe('serverless.yml: the ingest function', () => {
  it('deploys dist/ingest/handler.mjs under its own role, behind a function URL given as a stack output', () => {
    for (const p of [secret, ssm]) {
      expect(fn(p, 'IngestLambdaFunction')).toMatchObject({
        Handler: 'dist/ingest/handler.handler',
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Role: getAtt('IngestRole'),
        FunctionName: `kms-auto-alias-${STAGE}-ingest`,
      });
      const urls = Object.entries(p.resources).filter(([, r]: [string, Json]) => r.Type === 'AWS::Lambda::Url');
      expect(urls).toHaveLength(1);
      const [urlId, url] = urls[0] as [string, Json];
      // Authentication is the SMN signature or the shared token, checked in the function.
      expect(url.Properties).toMatchObject({ AuthType: 'NONE', TargetFunctionArn: getAtt('IngestLambdaFunction') });
      expect(p.template.Outputs.IngestUrl.Value).toEqual({ 'Fn::GetAtt': [urlId, 'FunctionUrl'] });
    }
    const zip = zipEntries(join(secret.dir, '.serverless', 'ingest.zip'));
    expect(zip).toContain('dist/ingest/handler.mjs');
    expect(zip.filter((f) => !f.startsWith('dist/ingest/'))).toEqual([]);
  });

  it('may only send to the key-events queue and read its token secret (when one is configured)', () => {
    for (const p of [secret, ssm]) {
      const statements = roleStatements(p, 'IngestRole');
      const actions = statements.flatMap((s) => asList(s.Action)).sort();
      const expected = ['logs:CreateLogStream', 'logs:PutLogEvents', 'sqs:SendMessage'];
      if (p === secret) expected.push('secretsmanager:GetSecretValue');
      expect(actions).toEqual(expected.sort());
      const send = statements.filter((s) => asList(s.Action).includes('sqs:SendMessage'));
      expect(send.map((s) => s.Resource)).toEqual([getAtt('KeyEventsQueue')]);
      for (const s of statements) expect(s.Effect).toBe('Allow');
    }
    const read = roleStatements(secret, 'IngestRole').filter((s) =>
      asList(s.Action).includes('secretsmanager:GetSecretValue'),
    );
    expect(read.map((s) => s.Resource)).toEqual([INGEST_TOKEN_SECRET_ARN]);
    expect(secret.decide(fn(secret, 'IngestLambdaFunction')).Layers).toEqual([LAYER_ARN]);
    expect(ssm.decide(fn(ssm, 'IngestLambdaFunction')).Layers).toBeUndefined();
    // No other role may send to the key-events queue.
    for (const role of ['IamRoleLambdaExecution', 'ReconcileRole']) {
      const sends = roleStatements(secret, role).filter((s) => asList(s.Action).includes('sqs:SendMessage'));
      for (const s of sends) expect(asList(s.Resource)).not.toContainEqual(getAtt('KeyEventsQueue'));
    }
  });

  it('alarms on the first event the ingest could not enqueue', () => {
    const alarms = Object.values(created(secret)).filter((r: Json) => r.Type === 'AWS::CloudWatch::Alarm');
    const alarm = alarms.find((a: Json) => a.Properties.MetricName === 'IngestEnqueueFailures')?.Properties;
    const e = env(secret, 'CreateKeyAliasLambdaFunction');
    expect(alarm).toMatchObject({
      Namespace: e.METRICS_NAMESPACE,
      Dimensions: [{ Name: 'Service', Value: e.SERVICE_NAME }],
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: 'AlarmTopic' }],
    });
    expect(Number(alarm.Threshold)).toBe(0);
  });

  it("alarms when ingest invocations fail as a whole, on Lambda's Errors of the ingest function", () => {
    // Such an invocation writes no EMF metric: only Lambda's own metric sees a broken deploy.
    const alarms = Object.values(created(secret)).filter((r: Json) => r.Type === 'AWS::CloudWatch::Alarm');
    const errors = alarms.filter(
      (a: Json) =>
        a.Properties.MetricName === 'Errors' && a.Properties.Dimensions?.[0]?.Value?.Ref === 'IngestLambdaFunction',
    );
    expect(errors).toHaveLength(1);
    expect(errors[0].Properties).toMatchObject({
      Namespace: 'AWS/Lambda',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'IngestLambdaFunction' } }],
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: 'AlarmTopic' }],
    });
    expect(Number(errors[0].Properties.Threshold)).toBe(0);
  });

  it('gives the ingest an environment that loadIngestConfig accepts, with no credential in it', () => {
    const queueUrl = `https://sqs.eu-west-1.amazonaws.com/123456789012/kms-auto-alias-${STAGE}-key-events`;
    for (const p of [secret, ssm]) {
      const raw = env(p, 'IngestLambdaFunction');
      expect(raw.KEY_EVENTS_QUEUE_URL).toEqual({ Ref: 'KeyEventsQueue' });
      for (const name of PLAIN_CREDENTIAL_ENV) expect(Object.keys(raw)).not.toContain(name);
      expect(Object.keys(raw)).not.toContain('INGEST_TOKEN');
      const asEnv = Object.fromEntries(
        Object.entries(raw).map(([k, v]) => [k, k === 'KEY_EVENTS_QUEUE_URL' ? queueUrl : String(v)]),
      );
      const config = loadIngestConfig(asEnv);
      expect([...config.topics.urns]).toEqual([INGEST_TOPIC]);
      expect(config.signingCertHosts).toEqual(['smn.cn-north-4.myhuaweicloud.com']);
      expect(config.token).toEqual(p === secret ? { kind: 'secret', id: INGEST_TOKEN_SECRET_ARN } : { kind: 'none' });
    }
  });
});
