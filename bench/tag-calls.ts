// API calls per key with tags off and on (issue 12 docs/huawei-kms.md#alias-api): the same new keys through the built
// handler, once without TAG_TEMPLATE (one call a key: CreateAlias) and once with it (two:
// CreateAlias and the tag batch), then each key redelivered with tags on (the alias is found,
// the tags listed and found in place). Counted from the emulator's log of the calls it received
// and from the audit records, which must agree.
import { startFauxqs } from 'fauxqs';
import { startKmsEmulator } from '../emulator/kms-emulator.ts';
import { LOCAL_EMULATOR_ACCOUNT } from '../test/support/local-account.ts';
import { functionEnv, newKeyBodies, seedKeys } from './fixtures.ts';
import { startInstance } from './instance.ts';
import { spread, type Figure } from './stats.ts';

const KEYS = 20;
const TAG_TEMPLATE = 'managed_by=kms-auto-alias,created_by={created_by|default:unknown|truncate:43}';

export async function benchTagCalls(options: {
  handlerPath: string;
}): Promise<{ figures: Figure[]; detail: Record<string, unknown> }> {
  const emulator = await startKmsEmulator({ accounts: [LOCAL_EMULATOR_ACCOUNT] });
  const sqs = await startFauxqs({ port: 0, logger: false });
  const dlq = sqs.createQueue('bench-tags-dlq');
  const base = { kmsUrl: emulator.url, dlqUrl: dlq.queueUrl, sqsEndpoint: `http://127.0.0.1:${sqs.port}` };
  const group = 'API calls per key, tags off and on';
  const figures: Figure[] = [];
  const detail: Record<string, unknown> = {};
  try {
    const runs = [
      { name: 'new key, tags off', tag: 'toff', extra: {}, expected: 1, redeliver: false },
      { name: 'new key, tags on', tag: 'tgon', extra: { TAG_TEMPLATE }, expected: 2, redeliver: false },
      {
        name: 'same event again, tags on (all in place)',
        tag: 'tred',
        extra: { TAG_TEMPLATE },
        expected: 3,
        redeliver: true,
      },
    ] as const;
    for (const run of runs) {
      // A fresh emulator state: the sample names repeat, so keys of the previous run would hold the aliases.
      emulator.reset();
      const lines: string[] = [];
      const instance = await startInstance(options.handlerPath, functionEnv(base, run.extra), (l) => lines.push(l));
      try {
        const bodies = newKeyBodies(run.tag, KEYS);
        seedKeys(emulator, bodies);
        if (run.redeliver) await instance.invoke(bodies.map((b) => b.body));
        lines.length = 0;
        emulator.resetCalls();
        // A redelivery is the same body again: the function sees the alias in place (and, on a
        // second receive, lists the tags first).
        await instance.invoke(
          bodies.map((b) => b.body),
          undefined,
        );
        const audits = lines
          .filter((l) => l.includes('"log_type":"audit"'))
          .map((l) => JSON.parse(l) as { api_calls: number; tags_status?: string });
        const received = emulator.calls.filter((c) => c.operation !== 'iamToken');
        const perKey = received.length / bodies.length;
        const audited = audits.map((a) => a.api_calls);
        const byOperation: Record<string, number> = {};
        for (const c of received) byOperation[c.operation] = (byOperation[c.operation] ?? 0) + 1;
        detail[run.name] = { keys: bodies.length, received: received.length, byOperation };
        figures.push({
          group,
          name: run.name,
          unit: 'calls',
          value: spread(audited),
          ...(run.redeliver
            ? {}
            : {
                target: {
                  text: `exactly ${run.expected}`,
                  met: audited.every((n) => n === run.expected) && perKey === run.expected,
                },
              }),
          note: `emulator: ${received.length} calls for ${bodies.length} keys (${Object.entries(byOperation)
            .map(([op, n]) => `${op} ${n}`)
            .join(', ')})${audits[0]?.tags_status ? `; tags ${audits[0].tags_status}` : ''}`,
        });
      } finally {
        await instance.stop();
      }
    }
    return { figures, detail };
  } finally {
    await emulator.stop();
    await sqs.stop();
  }
}
