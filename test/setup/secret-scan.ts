/**
 * Suite-wide secret scan (a vitest `setupFiles` module, so it runs in every test file).
 *
 * It collects every line the code under test writes, whoever captures it, and fails the test
 * during which (part of) a credential shows up:
 * - log lines: `createLogger` is wrapped, so lines reach the scan even when a test injects its
 *   own `write` (as buildDeps' callers do);
 * - DLQ records and every other SQS message: fauxqs is started with its message spy, and each
 *   message published to any queue (body and attribute values) is scanned, whichever client sent it
 *   (the sources' and the built bundle's);
 * - anything else written to process.stdout / process.stderr or the console in the worker;
 * - lines handed in with {@link collectLogLine} (e.g. by a harness that captures output itself).
 *
 * Secrets: the fixture credentials (test/security/known-secrets.ts), every secret any logger was
 * configured to mask, every value the code registers as a secret (secret-registry.ts is wrapped),
 * every value the Parameters and Secrets extension stand-in serves (secret-store mode), every IAM
 * token the emulator issues (token mode: its token generator is wrapped), and
 * whatever {@link addKnownSecret} adds. Matching is by any run of 8+ characters, raw or
 * JSON/URL/base64-encoded (findSecretLeaks), plus credential-shaped patterns (signatures,
 * token headers) whatever their value.
 *
 * Blind spot: a test that replaces process.stdout.write with a non-forwarding mock (the bundle
 * test does, to collect the bundle's log lines) hides those lines from this scan; such a test
 * can pass them to {@link collectLogLine}.
 */
import { format } from 'node:util';
import { afterAll, afterEach, vi } from 'vitest';
import { describeLeak, findCredentialPatterns, findSecretLeaks } from '../security/find-secret-leaks.ts';
import { BENIGN_FRAGMENTS, FIXTURE_SECRETS, type NamedSecret } from '../security/known-secrets.ts';

/** A line seen by the scan and where it came from (`log`, `sqs:<queue>`, `stdout`...). */
export interface CollectedLine {
  source: string;
  text: string;
}

interface SpyMessage {
  service: string;
  status?: string;
  queueName?: string;
  body?: string;
  messageAttributes?: Record<string, { StringValue?: string }>;
}

interface SpiedServer {
  spy: { getAllMessages(): SpyMessage[]; clear(): void };
}

interface ScanState {
  lines: CollectedLine[];
  /** value → name */
  secrets: Map<string, string>;
  servers: Set<SpiedServer>;
  /** Every line ever collected in this worker, for self-tests (bounded). */
  history: CollectedLine[];
  streamsWrapped: boolean;
}

// Shared through globalThis: the mock factories below are hoisted above every import.
const scan = vi.hoisted(() => {
  const key = Symbol.for('kms-auto-alias.secret-scan');
  const holder = globalThis as unknown as Record<symbol, ScanState | undefined>;
  const state: ScanState = (holder[key] ??= {
    lines: [],
    secrets: new Map(),
    servers: new Set(),
    history: [],
    streamsWrapped: false,
  });
  const HISTORY_LIMIT = 5_000;
  const HISTORY_TEXT_LIMIT = 4_000;
  const collect = (text: string, source: string): void => {
    state.lines.push({ source, text });
    state.history.push({ source, text: text.length > HISTORY_TEXT_LIMIT ? text.slice(0, HISTORY_TEXT_LIMIT) : text });
    if (state.history.length > HISTORY_LIMIT) state.history.splice(0, state.history.length - HISTORY_LIMIT);
  };
  const addSecret = (value: string, name: string): void => {
    if (typeof value === 'string' && value.length > 0 && !state.secrets.has(value)) state.secrets.set(value, name);
  };
  const harvest = (server: SpiedServer): void => {
    let messages: SpyMessage[];
    try {
      messages = server.spy.getAllMessages();
      server.spy.clear();
    } catch {
      return; // spies disabled or server stopped
    }
    for (const m of messages) {
      if (m.service !== 'sqs' || m.status !== 'published') continue;
      const source = `sqs:${m.queueName ?? '?'}`;
      if (typeof m.body === 'string') collect(m.body, source);
      for (const [name, value] of Object.entries(m.messageAttributes ?? {})) {
        if (typeof value?.StringValue === 'string') collect(value.StringValue, `${source}:${name}`);
      }
    }
  };
  return { state, collect, addSecret, harvest };
});

// Log lines, whatever `write` a test injects; and the secrets each logger was told to mask.
vi.mock(import('../../lib/audit/create-logger.ts'), async (importOriginal) => {
  const original = await importOriginal();
  return {
    ...original,
    createLogger: (options: Parameters<typeof original.createLogger>[0] = {}) => {
      for (const secret of options.secrets ?? []) scan.addSecret(secret, 'a secret configured on a logger');
      const write = options.write ?? ((line: string) => void process.stdout.write(`${line}\n`));
      return original.createLogger({
        ...options,
        write: (line: string) => {
          scan.collect(line, 'log');
          write(line);
        },
      });
    },
  };
});

// Every IAM token the emulator issues becomes a known secret.
vi.mock(import('../../emulator/ids.ts'), async (importOriginal) => {
  const original = await importOriginal();
  return {
    ...original,
    newIamToken: () => {
      const token = original.newIamToken();
      scan.addSecret(token, 'an IAM token issued by the emulator');
      return token;
    },
  };
});

// Every value the code under test registers as a secret (lib/audit/secret-registry.ts): values read
// from Secrets Manager, IAM tokens issued by any IAM, caller tokens.
vi.mock(import('../../lib/audit/secret-registry.ts'), async (importOriginal) => {
  const original = await importOriginal();
  const register = original.secretRegistry.register.bind(original.secretRegistry);
  original.secretRegistry.register = (value) => {
    if (typeof value === 'string' && value.length >= original.MIN_SECRET_LENGTH) {
      scan.addSecret(value, 'a value the code registered as a secret');
    }
    register(value);
  };
  return original;
});

// Every value the Parameters and Secrets extension stand-in serves (secret-store mode).
vi.mock(import('../support/secrets-extension.ts'), async (importOriginal) => {
  const original = await importOriginal();
  return {
    ...original,
    startSecretsExtension: (options: Parameters<typeof original.startSecretsExtension>[0] = {}) =>
      original.startSecretsExtension({
        ...options,
        onValue: (value: string) => {
          scan.addSecret(value, 'a secret served by the extension stand-in');
          options.onValue?.(value);
        },
      }),
  };
});

// Every SQS message sent to fauxqs (DLQ records included), from the sources or the bundle.
vi.mock(import('fauxqs'), async (importOriginal) => {
  const original = await importOriginal();
  return {
    ...original,
    startFauxqs: async (options: Parameters<typeof original.startFauxqs>[0] = {}) => {
      const server = await original.startFauxqs({
        ...options,
        messageSpies: options.messageSpies ?? { bufferSize: 50_000 },
      });
      const spied = server as unknown as SpiedServer;
      scan.state.servers.add(spied);
      const reset = server.reset.bind(server);
      const stop = server.stop.bind(server);
      Object.assign(server, {
        reset: () => {
          scan.harvest(spied);
          reset();
        },
        stop: async () => {
          scan.harvest(spied);
          scan.state.servers.delete(spied);
          await stop();
        },
      });
      return server;
    },
  };
});

for (const { name, value } of FIXTURE_SECRETS) scan.addSecret(value, name);

if (!scan.state.streamsWrapped) {
  scan.state.streamsWrapped = true;
  for (const [stream, source] of [
    [process.stdout, 'stdout'],
    [process.stderr, 'stderr'],
  ] as const) {
    const original = stream.write;
    stream.write = function write(this: typeof stream, chunk: unknown, ...rest: unknown[]): boolean {
      scan.collect(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'), source);
      return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    } as typeof stream.write;
  }
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const original = console[method];
    console[method] = (...args: unknown[]) => {
      scan.collect(format(...args), 'console');
      original.apply(console, args);
    };
  }
}

/** Adds a line to the scan (for harnesses that capture output themselves). */
export function collectLogLine(text: string, source = 'external'): void {
  scan.collect(text, source);
}

/** Adds a credential to look for, e.g. one a test generated. */
export function addKnownSecret(value: string, name: string): void {
  scan.addSecret(value, name);
}

/** Every secret the scan looks for, by name (values included: for tests only). */
export function knownSecrets(): NamedSecret[] {
  return [...scan.state.secrets].map(([value, name]) => ({ name, value }));
}

/** Lines collected so far in this worker (the most recent 5,000, cut at 4,000 characters), for self-tests. */
export function collectedHistory(): readonly CollectedLine[] {
  for (const server of scan.state.servers) scan.harvest(server);
  return scan.state.history;
}

/**
 * Scans what was collected since the last scan and forgets it.
 * @returns one description per leak, never containing a secret; empty when clean.
 */
export function scanCollected(): string[] {
  for (const server of scan.state.servers) scan.harvest(server);
  const collected = scan.state.lines.splice(0);
  if (collected.length === 0) return [];
  const texts = collected.map((l) => l.text);
  const secrets = [...scan.state.secrets.keys()];
  const names = [...scan.state.secrets.values()];
  const leaks = findSecretLeaks(texts, secrets, { ignore: BENIGN_FRAGMENTS });
  const problems = leaks.map((leak) => `${collected[leak.line]?.source}: ${describeLeak(leak, texts, names)}`);
  for (const hit of findCredentialPatterns(texts)) {
    problems.push(`${collected[hit.line]?.source}: line ${hit.line} holds a ${hit.pattern} at offset ${hit.offset}`);
  }
  return problems;
}

function failOnLeaks(when: string): void {
  const problems = scanCollected();
  if (problems.length > 0) {
    throw new Error(`secret scan (${when}): ${problems.length} leak(s)\n${problems.slice(0, 20).join('\n')}`);
  }
}

afterEach(() => failOnLeaks('this test'));
afterAll(() => failOnLeaks('outside tests'));
