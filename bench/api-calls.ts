// 3. API calls per key, by outcome, over a realistic mix: new keys (some answered 429 first),
// duplicates in one batch and redelivered later, conflicts (the alias held by another key) and
// invalid bodies. Counted twice: from the emulator's own log of the calls it received, and from
// the audit records (`api_calls`), which must agree.
import { startFauxqs } from 'fauxqs';
import { FAULT_PRESETS, startKmsEmulator } from '../emulator/kms-emulator.ts';
import { loadConfig } from '../lib/config/load-config.ts';
import { normaliseEvent } from '../lib/events/normalise-event.ts';
import { deriveAlias } from '../lib/naming/derive-alias.ts';
import { LOCAL_ACCOUNT, LOCAL_EMULATOR_ACCOUNT } from '../test/support/local-account.ts';
import { benchKeyId, functionEnv, newKeyBodies, seedKeys } from './fixtures.ts';
import { startInstance } from './instance.ts';
import { spread, sum, type Figure } from './stats.ts';

type Label =
  | 'new'
  | 'new, 429 first'
  | 'duplicate in the batch'
  | 'duplicate, redelivered'
  | 'conflict'
  | 'invalid body';

/** One batch of the mix: how many of each kind (in this order before shuffling). */
const MIX: ReadonlyArray<Partial<Record<Label, number>>> = [
  { new: 10 },
  { new: 6, 'duplicate in the batch': 1, 'duplicate, redelivered': 1, conflict: 1, 'invalid body': 1 },
  { new: 8, 'duplicate in the batch': 1, 'duplicate, redelivered': 1 },
  { new: 7, conflict: 1, 'duplicate, redelivered': 1, 'invalid body': 1 },
  { new: 10 },
  { new: 7, 'duplicate in the batch': 1, 'duplicate, redelivered': 1, conflict: 1 },
];
/** CreateAlias calls answered 429 APIGW.0308 before each batch runs (the first ones to arrive). */
const THROTTLED_PER_BATCH = [0, 0, 3, 0, 2, 0];

export async function benchApiCalls(options: {
  handlerPath: string;
}): Promise<{ figures: Figure[]; detail: Record<string, unknown> }> {
  const emulator = await startKmsEmulator({ accounts: [LOCAL_EMULATOR_ACCOUNT] });
  const sqs = await startFauxqs({ port: 0, logger: false });
  const dlq = sqs.createQueue('bench-dlq');
  const lines: string[] = [];
  const env = functionEnv({ kmsUrl: emulator.url, dlqUrl: dlq.queueUrl, sqsEndpoint: `http://127.0.0.1:${sqs.port}` });
  const template = loadConfig(env).aliasTemplate;
  const instance = await startInstance(options.handlerPath, env, (line) => lines.push(line));
  try {
    let nextKey = 0;
    let nextHolder = 0;
    const aliased: string[] = [];
    const labels = new Map<string, Label>();
    const faultsFired: number[] = [];
    for (const [b, mix] of MIX.entries()) {
      const batch: Array<{ label: Label; body: string }> = [];
      const fresh = newKeyBodies('mix0', mix.new ?? 0, nextKey);
      nextKey += fresh.length;
      seedKeys(emulator, fresh);
      for (const f of fresh) batch.push({ label: 'new', body: f.body });
      for (let i = 0; i < (mix['duplicate in the batch'] ?? 0); i++)
        batch.push({ label: 'duplicate in the batch', body: fresh[i]!.body });
      for (let i = 0; i < (mix['duplicate, redelivered'] ?? 0); i++) {
        batch.push({ label: 'duplicate, redelivered', body: aliased[(b * 3 + i) % aliased.length]! });
      }
      for (let i = 0; i < (mix.conflict ?? 0); i++) {
        // A new key whose alias another key already holds: CreateAlias is refused, and the
        // function must find the holder and leave the alias where it is.
        const [victim] = newKeyBodies('cnfl', 1, nextHolder);
        nextHolder += 1;
        seedKeys(emulator, [victim!]);
        const event = normaliseEvent(victim!.body);
        if (event.kind !== 'key_created') throw new Error('conflict body does not normalise');
        const alias = deriveAlias(template, event.event);
        if (!alias.ok) throw new Error('conflict alias does not derive');
        const holder = emulator.state.createKey(LOCAL_ACCOUNT.projectId, {
          key_id: benchKeyId('hold', nextHolder),
          key_alias: 'holder',
        });
        emulator.state.putAlias(LOCAL_ACCOUNT.projectId, holder.key_id, alias.alias);
        batch.push({ label: 'conflict', body: victim!.body });
      }
      for (let i = 0; i < (mix['invalid body'] ?? 0); i++) {
        batch.push({ label: 'invalid body', body: '{"type":"kms.key.created","key_id":"not-a-key-id"}' });
      }
      shuffle(batch, b + 1);
      // Records are taken in order: of two identical bodies, the first creates, the second waits.
      const seen = new Set<string>();
      for (const m of batch) {
        if (m.label === 'new' || m.label === 'duplicate in the batch')
          m.label = seen.has(m.body) ? 'duplicate in the batch' : 'new';
        seen.add(m.body);
      }
      const fault =
        THROTTLED_PER_BATCH[b]! > 0
          ? emulator.faults.add({
              operation: 'createAlias',
              times: THROTTLED_PER_BATCH[b]!,
              action: FAULT_PRESETS.throttle,
            })
          : undefined;
      const result = await instance.invoke(batch.map((m) => m.body));
      faultsFired.push(fault?.fired ?? 0);
      fault?.remove();
      if (result.result.batchItemFailures.length > 0)
        throw new Error(
          `api calls: batch ${b + 1} left ${result.result.batchItemFailures.length} messages for redelivery`,
        );
      result.messageIds.forEach((id, i) => labels.set(id, batch[i]!.label));
      for (const f of fresh) aliased.push(f.body);
    }

    const audits = lines
      .filter((l) => l.includes('"log_type":"audit"'))
      .map(
        (l) =>
          JSON.parse(l) as { message_id: string; outcome: string; api_calls: number; retries: number; key_id?: string },
      );
    const kmsCalls = emulator.calls.filter((c) => c.operation !== 'iamToken');
    const callsByKey = new Map<string, string[]>();
    for (const c of kmsCalls) {
      if (c.keyId === undefined) continue;
      callsByKey.set(c.keyId, [...(callsByKey.get(c.keyId) ?? []), `${c.operation} ${c.status}`]);
    }
    const byLabel = new Map<Label, number[]>();
    const outcomes = new Map<Label, Set<string>>();
    const happyPath = { keys: 0, exactlyOneCreate: 0, listCalls: 0 };
    for (const a of audits) {
      let label = labels.get(a.message_id);
      if (label === undefined) throw new Error(`api calls: audit record for an unknown message ${a.message_id}`);
      if (label === 'new' && a.retries > 0) label = 'new, 429 first';
      byLabel.set(label, [...(byLabel.get(label) ?? []), a.api_calls]);
      outcomes.set(label, (outcomes.get(label) ?? new Set()).add(a.outcome));
      if (label === 'new') {
        const seen = callsByKey.get(a.key_id ?? '') ?? [];
        happyPath.keys += 1;
        // The same key may come back later as a redelivered duplicate: count only its first call.
        if (seen[0] === 'createAlias 201' && a.api_calls === 1) happyPath.exactlyOneCreate += 1;
      }
    }
    // A list call about a key is only ever a follow-up of a refused create: none for new keys.
    const newKeyIds = new Set(
      audits.filter((a) => labels.get(a.message_id) === 'new' && a.retries === 0).map((a) => a.key_id),
    );
    const redelivered = new Set(
      audits.filter((a) => labels.get(a.message_id) === 'duplicate, redelivered').map((a) => a.key_id),
    );
    for (const [keyId, calls] of callsByKey) {
      if (newKeyIds.has(keyId) && !redelivered.has(keyId))
        happyPath.listCalls += calls.filter((c) => c.startsWith('listAliases')).length;
    }
    const auditTotal = sum(audits.map((a) => a.api_calls));
    const group = 'API calls per key';
    const order: Label[] = [
      'new',
      'new, 429 first',
      'duplicate in the batch',
      'duplicate, redelivered',
      'conflict',
      'invalid body',
    ];
    const figures: Figure[] = order
      .filter((label) => byLabel.has(label))
      .map((label) => {
        const calls = byLabel.get(label)!;
        const figure: Figure = {
          group,
          name: label,
          unit: 'calls',
          value: spread(calls),
          note: `${calls.length} messages → ${[...(outcomes.get(label) ?? [])].join(', ')}`,
        };
        if (label === 'new') {
          const met = happyPath.exactlyOneCreate === happyPath.keys && happyPath.listCalls === 0;
          figure.target = { text: 'exactly 1, no list call', met };
          figure.note += `; emulator: ${happyPath.exactlyOneCreate}/${happyPath.keys} got exactly one CreateAlias, ${happyPath.listCalls} list calls`;
        }
        return figure;
      });
    figures.push({
      group,
      name: 'all messages of the mix',
      unit: 'calls',
      value: spread([kmsCalls.length / audits.length]),
      note: `${kmsCalls.length} calls received by the emulator, ${auditTotal} counted by the audit records (${kmsCalls.length === auditTotal ? 'agree' : 'DISAGREE'}), ${audits.length} messages; ${kmsCalls.filter((c) => c.status === 429).length} answered 429`,
    });
    return {
      figures,
      detail: {
        messages: audits.length,
        callsReceived: kmsCalls.length,
        callsAudited: auditTotal,
        throttledInjected: sum(faultsFired),
        byOperation: Object.fromEntries(countBy(kmsCalls.map((c) => `${c.operation} ${c.status}`))),
        happyPath,
      },
    };
  } finally {
    await instance.stop();
    await emulator.stop();
    await sqs.stop();
  }
}

function countBy(values: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return m;
}

/** Deterministic Fisher–Yates (a small LCG), so every run sends the same order. */
function shuffle<T>(items: T[], seed: number): void {
  let state = seed * 2654435761;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}
