/**
 * `kms-auto-alias wire`: sets up (or, with --check, inspects) the Huawei side of the SMN route
 * for every configured project. The SMN/CTS clients are loaded here only, never by the Lambda.
 */

import { ctsEndpointFor, smnEndpointFor } from '../../lib/bridge/bridge-endpoints.ts';
import { createCtsClient } from '../../lib/bridge/cts-client.ts';
import { DEFAULT_NOTIFICATION_NAME, DEFAULT_TOPIC_NAME, INGEST_TOKEN_HEADER } from '../../lib/bridge/desired-wiring.ts';
import { createIngestProbe } from '../../lib/bridge/probe-ingest-url.ts';
import { type ComponentReport, runWire, type WireMode, type WireReport } from '../../lib/bridge/run-wire.ts';
import { createSignedJsonCall } from '../../lib/bridge/signed-json-call.ts';
import { createSmnClient } from '../../lib/bridge/smn-client.ts';
import { createAuthFromConfig } from '../../lib/runtime/create-account-auths.ts';
import { endpointResolver } from '../../lib/runtime/endpoint-resolver.ts';
import { huaweiStatusOf } from '../../lib/bridge/signed-json-call.ts';
import { createRateLimiter } from '../../lib/huawei/create-rate-limiter.ts';
import { assertSafeEndpoint } from '../../lib/huawei/endpoints.ts';
import type { HttpTransport } from '../../lib/huawei/http-transport.ts';
import { type CliIo, EXIT, UsageError } from '../cli-io.ts';
import { renderTable } from '../format-table.ts';
import { loadOperatorTargets } from '../load-operator-config.ts';
import type { Command } from '../parse-command-line.ts';

type WireCommand = Extract<Command, { name: 'wire' }>;

const WIRE_CALLS_PER_SECOND = 5;

/** wire only: SMN/CTS could not be reached, refused the credentials, or failed on their side. */
export const EXIT_COULD_NOT_RUN = 3;

const STATE_TEXT: Readonly<Record<ComponentReport['state'], string>> = {
  ok: 'ok',
  created: 'created',
  updated: 'updated',
  would_create: 'would create',
  would_update: 'would update',
  missing: 'MISSING',
  wrong: 'WRONG',
  pending_confirmation: 'PENDING',
};

function ingestUrlOf(command: WireCommand, env: CliIo['env']): string {
  const url = (command.ingestUrl ?? env['INGEST_URL'] ?? '').trim();
  if (url === '') throw new UsageError('--ingest-url URL is required (or set INGEST_URL): the ingest function URL');
  try {
    assertSafeEndpoint(url);
  } catch (err) {
    throw new UsageError(`--ingest-url: ${err instanceof Error ? err.message : String(err)}`);
  }
  return url;
}

/** A failure no finding can describe: the service was not reachable or refused us. */
function couldNotRun(err: unknown): boolean {
  const status = huaweiStatusOf(err);
  if (status === undefined) return false;
  return status === 0 || status === 401 || status === 403 || status === 429 || status >= 500;
}

export async function runWireCommand(command: WireCommand, io: CliIo): Promise<number> {
  const ingestUrl = ingestUrlOf(command, io.env);
  // --project / --account pick from the configuration; without them every project is wired.
  const targets = loadOperatorTargets(io.env, {
    vars: {},
    ...(command.project === undefined ? {} : { project: command.project }),
    ...(command.region === undefined ? {} : { region: command.region }),
    ...(command.account === undefined ? {} : { account: command.account }),
  });
  const [first] = targets;
  if (first === undefined) throw new UsageError('no project configured: pass --project');
  const { config } = first;
  const token = io.env['INGEST_TOKEN']?.trim();
  const mode: WireMode = command.check ? 'check' : command.dryRun ? 'dry-run' : 'apply';
  let smnEndpoint: (region: string) => string;
  let ctsEndpoint: (region: string) => string;
  try {
    smnEndpoint = endpointResolver(io.env['SMN_ENDPOINT']?.trim() || undefined, smnEndpointFor);
    ctsEndpoint = endpointResolver(io.env['CTS_ENDPOINT']?.trim() || undefined, ctsEndpointFor);
  } catch (err) {
    throw new UsageError(`SMN_ENDPOINT/CTS_ENDPOINT: ${err instanceof Error ? err.message : String(err)}`);
  }
  // The same auth as the Lambda and the other commands (secrets registered, refreshed, scrubbed).
  const auth = createAuthFromConfig(config, {
    // Off Lambda there is no extension: an account's own secret is read with the AWS SDK.
    ...(io.env['AWS_LAMBDA_FUNCTION_NAME'] === undefined
      ? {
          readSecret: (source) =>
            import('../read-credentials-secret.ts').then((m) => m.readAccountSecretOffLambda(source)),
        }
      : {}),
  });
  // SMN and CTS API rate limits are not documented: stay at a modest pace, shared by both clients.
  const limiter = createRateLimiter(WIRE_CALLS_PER_SECOND, 1_000);
  const fetchPaced: HttpTransport = async (url, init) => {
    await limiter.acquire();
    return globalThis.fetch(url, init);
  };
  const common = {
    auth,
    fetch: fetchPaced,
    requestTimeoutMs: config.requestTimeoutMs,
    userAgent: 'kms-auto-alias-cli',
    // The function's retry settings: a 429 waits at least RETRY_THROTTLE_MIN_DELAY_MS (Huawei: 2–5 s).
    retryDelayMs: (attempt: number, throttled: boolean) =>
      throttled
        ? config.retryThrottleMinDelayMs * attempt
        : Math.min(config.retryMaxDelayMs, config.retryMinDelayMs * 2 ** attempt),
  };
  const deps = {
    smn: createSmnClient(createSignedJsonCall({ ...common, endpointFor: smnEndpoint })),
    cts: createCtsClient(createSignedJsonCall({ ...common, endpointFor: ctsEndpoint })),
    probe: createIngestProbe(),
    ...(io.signal === undefined ? {} : { signal: io.signal }),
  };

  let report: WireReport;
  try {
    report = await runWire(
      {
        mode,
        projects: targets.map((t) => ({ projectId: t.projectId, region: t.region })),
        ingestUrl,
        ingestToken: token === undefined || token === '' ? undefined : token,
        topicName: command.topic ?? DEFAULT_TOPIC_NAME,
        notificationName: command.notification ?? DEFAULT_NOTIFICATION_NAME,
        confirmWaitMs: (command.confirmWait ?? 5) * 1000,
      },
      deps,
    );
  } catch (err) {
    if (!couldNotRun(err)) throw err;
    const message = err instanceof Error ? err.message : String(err);
    io.stderr.write(`kms-auto-alias wire: could not run: ${message}\n`);
    if (command.json) io.stdout.write(`${JSON.stringify({ mode, error: message }, null, 2)}\n`);
    return EXIT_COULD_NOT_RUN;
  }
  io.stdout.write(command.json ? `${JSON.stringify(report, null, 2)}\n` : renderWire(report));
  return mode === 'check' && report.findings.length > 0 ? EXIT.findings : EXIT.ok;
}

function renderWire(r: WireReport): string {
  const title = { apply: 'Wire', 'dry-run': 'Wire plan (dry run, nothing changed)', check: 'Wire check' }[r.mode];
  const out: string[] = [
    `${title}: ingest ${r.ingest_url}\n` +
      `  topic ${r.topic_name}, notification ${r.notification_name}, ` +
      `header ${INGEST_TOKEN_HEADER}: ${r.token_header ? 'from INGEST_TOKEN' : 'none (INGEST_TOKEN not set)'}\n`,
  ];
  for (const p of r.projects) {
    out.push(`Project ${p.project_id} (${p.region})`);
    const row = (what: string, c: ComponentReport): string[] => [
      `  ${what}`,
      STATE_TEXT[c.state],
      [c.id, c.detail].filter((x) => x !== undefined && x !== '').join('  '),
    ];
    out.push(
      renderTable(
        ['', 'STATE', 'DETAIL'],
        [row('topic', p.topic), row('subscription', p.subscription), row('notification', p.notification)],
      ),
    );
  }
  if (r.ingest !== undefined) {
    out.push(
      `Ingest URL: ${r.ingest.ok ? 'answers' : 'NOT OK'} (${r.ingest.status === undefined ? r.ingest.error : `HTTP ${r.ingest.status}`})\n`,
    );
  }
  if (r.mode === 'apply') {
    out.push(r.changes === 0 ? 'No changes: everything was already in place.\n' : `${r.changes} change(s) made.\n`);
  } else if (r.mode === 'dry-run') {
    const planned = r.projects
      .flatMap((p) => [p.topic, p.subscription, p.notification])
      .filter((c) => c.state.startsWith('would'));
    out.push(planned.length === 0 ? 'Nothing to do.\n' : `${planned.length} change(s) would be made.\n`);
  } else {
    out.push(
      r.findings.length === 0
        ? 'Healthy.\n'
        : `${r.findings.length} finding(s):\n${r.findings.map((f) => `  - ${f}\n`).join('')}`,
    );
  }
  out.push(`Check by hand (the APIs cannot show these):\n${r.manual_checks.map((m) => `  - ${m}\n`).join('')}`);
  return out.join('\n');
}
