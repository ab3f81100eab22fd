import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../lib/audit/create-logger.ts';
import type { AliasApi, RunOperation } from '../../../lib/core/ensure-alias.ts';
import { processBatch, type BatchDeps } from '../../../lib/core/process-batch.ts';
import { AppError } from '../../../lib/errors/app-error.ts';
import { KmsApiError, TransportError } from '../../../lib/errors/huawei-errors.ts';
import { compileAliasTemplate } from '../../../lib/naming/compile-alias-template.ts';
import { toSqsRecord } from '../../support/sqs-records.ts';

const PROJECT = '0f3a8c1e5b7d4e2a9c6b8d0e1f2a3b4c';
const KEY = '4f2b9c1d-7a3e-4c58-9b6d-2e8f0a1c3d5e';
const body = JSON.stringify({ type: 'kms.key.created', key_id: KEY, project_id: PROJECT, key_alias: 'payments-db' });

const timeout = () =>
  new TransportError('createAlias failed: timed out', { operation: 'createAlias', service: 'kms', failure: 'timeout' });
const exists = () =>
  new KmsApiError('createAlias failed: HTTP 400', {
    code: 'KMS_REJECTED',
    retry: false,
    status: 400,
    requestId: 'req-400',
  });

/** Runs fn until it succeeds or fails with a non-retryable error, at most `attempts` times. */
const retrying =
  (attempts: number): RunOperation =>
  async (_operation, fn) => {
    for (let i = 1; ; i++) {
      try {
        return await fn(new AbortController().signal);
      } catch (err) {
        if (i >= attempts || !(err instanceof AppError && err.retryable)) throw err;
      }
    }
  };

function setup(createAnswers: Array<'ok' | (() => Error)>, options: { attempts?: number; own?: string[] } = {}) {
  const lines: string[] = [];
  const template = compileAliasTemplate('alias/{key_alias|slug}', {});
  if (!template.ok) throw new Error(template.reason);
  const api: AliasApi = {
    createAlias: async () => {
      const next = createAnswers.shift() ?? 'ok';
      if (next !== 'ok') throw next();
      return { requestId: 'req-201' };
    },
    listKeyAliases: async (t) => (options.own ?? []).map((alias) => ({ alias, keyId: t.keyId })),
    listProjectAliases: async () => ({ aliases: [], nextMarker: undefined }),
  };
  const deps: BatchDeps = {
    projects: new Map([[PROJECT, 'cn-north-4']]),
    template: template.template,
    templateSource: 'alias/{key_alias|slug}',
    dryRun: false,
    maxReceiveCount: 5,
    concurrency: 4,
    api,
    createRun: () => retrying(options.attempts ?? 3),
    dlq: { publish: async () => 'dlq-1' },
    logger: createLogger({ write: (line) => lines.push(line) }),
  };
  const records = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const audits = () => records().filter((r) => r.log_type === 'audit');
  return { deps, audits, records };
}

describe('processBatch() (regressions found by the chaos run)', () => {
  it('gives a created record the request id of the 201 that wrote the alias', async () => {
    const { deps, audits } = setup(['ok']);
    await processBatch([toSqsRecord({ body })], deps, () => 30_000);
    expect(audits()).toMatchObject([{ outcome: 'created', alias: 'alias/payments-db', request_id: 'req-201' }]);
    expect(audits()[0]).not.toHaveProperty('create_outcome_unknown');
  });

  it('flags already_present when its own CreateAlias went unanswered first (that attempt may have made it)', async () => {
    // Found by the chaos run: the alias written by a timed-out attempt was reported as plainly
    // "already present", indistinguishable from a duplicate event.
    const { deps, audits } = setup([timeout, exists], { own: ['alias/payments-db'] });
    const response = await processBatch([toSqsRecord({ body })], deps, () => 30_000);
    expect(response.batchItemFailures).toEqual([]);
    expect(audits()).toMatchObject([
      { outcome: 'already_present', disposition: 'ack', create_outcome_unknown: true, request_id: 'req-400' },
    ]);
  });

  it('flags a transient failure after an unanswered CreateAlias, and not a plain duplicate', async () => {
    const failing = setup([timeout, timeout], { attempts: 2 });
    await processBatch([toSqsRecord({ body })], failing.deps, () => 30_000);
    expect(failing.audits()).toMatchObject([{ outcome: 'failed', disposition: 'retry', create_outcome_unknown: true }]);

    const duplicate = setup([exists], { own: ['alias/payments-db'] });
    await processBatch([toSqsRecord({ body })], duplicate.deps, () => 30_000);
    expect(duplicate.audits()[0]).toMatchObject({ outcome: 'already_present' });
    expect(duplicate.audits()[0]).not.toHaveProperty('create_outcome_unknown');
  });

  it('abandons a DLQ send that hangs before the deadline, keeping the rest of the batch decided', async () => {
    // Found by the chaos run: a DLQ SendMessage that never answered held the invocation until
    // Lambda (or middy's early timeout) failed it, so the whole batch came back.
    const { deps, audits } = setup(['ok']);
    const hanging: BatchDeps = {
      ...deps,
      deadlineMarginMs: 100,
      dlq: {
        publish: (_record, signal) =>
          new Promise<string>((_resolve, reject) => signal?.addEventListener('abort', () => reject(signal.reason))),
      },
    };
    const invalid = toSqsRecord({ body: '{"not":"an event"}' });
    const valid = toSqsRecord({ body });
    const deadline = Date.now() + 400;
    const started = Date.now();
    const response = await processBatch([invalid, valid], hanging, () => deadline - Date.now());
    expect(Date.now() - started).toBeLessThan(400);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: invalid.messageId }]);
    expect(audits()).toMatchObject(
      expect.arrayContaining([
        expect.objectContaining({ message_id: invalid.messageId, outcome: 'invalid', disposition: 'retry' }),
        expect.objectContaining({ message_id: valid.messageId, outcome: 'created', disposition: 'ack' }),
      ]),
    );
  });

  it('retries a 400 after an unanswered CreateAlias when the alias is listed nowhere yet', async () => {
    const { deps, audits } = setup([timeout, exists, exists], { attempts: 2 });
    const record = toSqsRecord({ body });
    const response = await processBatch([record], deps, () => 30_000);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    // The failure is ours (transient KMS_REJECTED) but Huawei's refusal decided it: its request id stays.
    expect(audits()).toMatchObject([
      { outcome: 'failed', disposition: 'retry', create_outcome_unknown: true, request_id: 'req-400' },
    ]);
  });

  it('reads an alias that a key_id-filtered listing shows on another key as a conflict, and warns', async () => {
    const { deps, audits, records } = setup([exists]);
    const other = '0c0ff11c-7000-4000-8000-000000000001';
    const ignoringFilter: BatchDeps = {
      ...deps,
      api: { ...deps.api, listKeyAliases: async () => [{ alias: 'alias/payments-db', keyId: other }] },
    };
    await processBatch([toSqsRecord({ body })], ignoringFilter, () => 30_000);
    expect(audits()).toMatchObject([{ outcome: 'conflict', disposition: 'dlq' }]);
    expect(records()).toContainEqual(
      expect.objectContaining({ level: 'WARN', message: 'ListAliases ignored its key_id filter', foreign_aliases: 1 }),
    );
  });
});

describe('processBatch() — concurrency', () => {
  /** Bodies of `count` different new keys, and an api whose creates wait until released. */
  function gated(count: number) {
    const bodies = Array.from({ length: count }, (_, i) =>
      JSON.stringify({
        type: 'kms.key.created',
        key_id: `4f2b9c1d-7a3e-4c58-9b6d-2e8f0a1c3d${i.toString(16).padStart(2, '0')}`,
        project_id: PROJECT,
        key_alias: `key-${i}`,
      }),
    );
    let active = 0;
    let peak = 0;
    const waiting: Array<() => void> = [];
    const createAlias = async () => {
      active += 1;
      peak = Math.max(peak, active);
      await new Promise<void>((resolve) => waiting.push(resolve));
      active -= 1;
      return { requestId: 'req-201' };
    };
    const release = async () => {
      while (waiting.length > 0 || active > 0) {
        waiting.splice(0).forEach((resolve) => resolve());
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    return { records: bodies.map((b) => toSqsRecord({ body: b })), createAlias, release, peak: () => peak };
  }

  it.each([
    [3, 3],
    [4, 4],
    [9, 4],
  ])(
    'with CONCURRENCY 4, a batch of %i has at most %i creates in flight, and every message is decided',
    async (size, expected) => {
      const { deps, audits } = setup([]);
      const gate = gated(size);
      const batch = processBatch(
        gate.records,
        { ...deps, api: { ...deps.api, createAlias: gate.createAlias } },
        () => 30_000,
      );
      await new Promise((resolve) => setImmediate(resolve));
      await gate.release();
      expect((await batch).batchItemFailures).toEqual([]);
      expect(gate.peak()).toBe(expected);
      expect(audits().map((a) => a.outcome)).toEqual(Array(size).fill('created'));
    },
  );
});

describe('processBatch() — one message failing never fails the others', () => {
  const bodyOf = (keyId: string, keyAlias: string) =>
    JSON.stringify({ type: 'kms.key.created', key_id: keyId, project_id: PROJECT, key_alias: keyAlias });
  const BUGGY = '4f2b9c1d-7a3e-4c58-9b6d-2e8f0a1c3dbb';

  it.each([
    [1, 'retry'],
    [5, 'dlq'],
  ])(
    'a bug thrown for one key (receive %i) is that message’s %s only, with its id',
    async (receiveCount, disposition) => {
      // Prepare: the port throws a plain TypeError (a bug, not an AppError) for one key only.
      const { deps, audits } = setup([]);
      const published: string[] = [];
      const buggy: BatchDeps = {
        ...deps,
        api: {
          ...deps.api,
          createAlias: (t) => {
            if (t.keyId === BUGGY) throw new TypeError("Cannot read properties of undefined (reading 'x')");
            return deps.api.createAlias(t, new AbortController().signal);
          },
        },
        dlq: { publish: async (record) => (published.push(record.body), `dlq-${published.length}`) },
      };
      const records = [
        toSqsRecord({ body, messageId: 'm-ok-1' }),
        toSqsRecord({ body: bodyOf(BUGGY, 'buggy'), messageId: 'm-bug', receiveCount }),
        toSqsRecord({ body: '{"not":"an event"}', messageId: 'm-invalid' }),
        toSqsRecord({ body: bodyOf('4f2b9c1d-7a3e-4c58-9b6d-2e8f0a1c3dcc', 'other'), messageId: 'm-ok-2' }),
      ];

      // Act
      const response = await processBatch(records, buggy, () => 30_000);

      // Assess: only the buggy message comes back (or is filed with its reason on its last receive).
      expect(response.batchItemFailures).toEqual(disposition === 'retry' ? [{ itemIdentifier: 'm-bug' }] : []);
      const byId = new Map(audits().map((a) => [a.message_id, a]));
      expect([...byId.keys()].sort()).toEqual(records.map((r) => r.messageId).sort());
      expect(byId.get('m-ok-1')).toMatchObject({ outcome: 'created', disposition: 'ack' });
      expect(byId.get('m-ok-2')).toMatchObject({ outcome: 'created', disposition: 'ack' });
      expect(byId.get('m-invalid')).toMatchObject({ outcome: 'invalid', disposition: 'dlq' });
      expect(byId.get('m-bug')).toMatchObject({ outcome: 'failed', error_code: 'UNKNOWN', disposition });
      expect(published).toHaveLength(disposition === 'dlq' ? 2 : 1);
    },
  );
});

describe('processBatch() — a bug outside the guarded calls', () => {
  it.each([
    [1, 'retry'],
    [5, 'dlq'],
  ])(
    'still gives the message (receive %i) its audit record and, last, a DLQ record with the reason',
    async (receiveCount, disposition) => {
      // Prepare: binding the retry policy throws for one message (a bug in wiring, not a KMS failure).
      const { deps, audits, records } = setup([]);
      const published: Array<{ body: string; reason: string | undefined }> = [];
      let binds = 0;
      const broken: BatchDeps = {
        ...deps,
        createRun: (meter, remainingMs) => {
          binds += 1;
          if (binds === 2) throw new RangeError('bug: invalid retry settings');
          return deps.createRun(meter, remainingMs);
        },
        dlq: {
          publish: async (record) => {
            published.push({ body: record.body, reason: record.attributes['kms_auto_alias.reason']?.StringValue });
            return 'dlq-1';
          },
        },
      };
      const ok = toSqsRecord({ body, messageId: 'm-ok' });
      const bug = toSqsRecord({ body, messageId: 'm-bug', receiveCount });

      // Act
      const response = await processBatch([ok, bug], broken, () => 30_000);

      // Assess
      expect(response.batchItemFailures).toEqual(disposition === 'retry' ? [{ itemIdentifier: 'm-bug' }] : []);
      expect(records()).toContainEqual(
        expect.objectContaining({ level: 'ERROR', message: 'unexpected error while processing a message' }),
      );
      expect(audits()).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ message_id: 'm-ok', outcome: 'created' }),
          expect.objectContaining({
            message_id: 'm-bug',
            outcome: 'failed',
            error_code: 'UNKNOWN',
            disposition,
            receive_count: receiveCount,
          }),
        ]),
      );
      expect(published).toEqual(disposition === 'dlq' ? [{ body, reason: 'failed:unknown' }] : []);
    },
  );
});
