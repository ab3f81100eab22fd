// The seeded chaos workload: the same seed and size always give the same messages, in the same
// order, and the same emulator keys. Bodies are the six sample shapes of events/ with the key id,
// name and trace id replaced, so every shape goes through the real normaliser.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRandom, type Random } from '../emulator/prng.ts';
import type { KeyCreated } from '../lib/events/key-created.ts';
import { normaliseEvent } from '../lib/events/normalise-event.ts';
import type { CompiledTemplate } from '../lib/naming/compile-alias-template.ts';
import { deriveAlias } from '../lib/naming/derive-alias.ts';
import { buildDeletionBody, DELETION_ENVELOPES, type DeletionTraceName } from './deletion-events.ts';

/** What the function must do with a message. */
export type ChaosExpect =
  /** A key that must end with its template alias (created, or already present for a duplicate). */
  | 'alias'
  /** A well-formed trace the function ignores (acked, no alias, no DLQ). */
  | 'skipped'
  /** DLQ with `invalid:<reason>`. */
  | 'invalid'
  /** DLQ with `conflict`: another key holds the alias; it is never moved. */
  | 'conflict'
  /** DLQ with `failed:kms_key_disabled` / `failed:kms_key_pending_deletion`: permanent. */
  | 'permanent'
  /**
   * A key scheduled for deletion (ON_KEY_DELETION=release): acknowledged as `released`; the key
   * ends without its template alias and keeps every alias another actor gave it.
   */
  | 'released';

export interface ChaosMessage {
  /** Position in the send order. */
  index: number;
  body: string;
  expect: ChaosExpect;
  /** Sample shape (`canonical`, `cts-create-key`...) or the kind of broken body. */
  shape: string;
  /** The DLQ reason the function must give (`invalid:not_json`, `conflict`, `failed:kms_key_disabled`). */
  dlqReason?: string;
  keyId?: string;
  /** The template alias of the key (for `alias`, `conflict` and `permanent`). */
  alias?: string;
  /** A deletion trace (`scheduleKeyDeletion`, `cancelKeyDeletion`); undefined for a creation. */
  traceName?: DeletionTraceName;
  /** For a conflict: the key that holds the alias. */
  holderKeyId?: string;
  /**
   * The account the body names (HUAWEICLOUD_ACCOUNTS): `security` (the central one), `payments`
   * (reached by an agency), `outside` (not in the map). A forged body names a payments project and
   * the security account: `payments` here, the project's account.
   */
  account?: ChaosAccountName;
  /** For `skipped`: the audit's reason the function must give (`account_not_configured`). */
  skipReason?: string;
  /** Index of the message this one repeats (same body), and where it was placed. */
  duplicateOf?: number;
  duplicatePlacement?: 'same_batch' | 'later';
}

export interface ChaosKey {
  keyId: string;
  /** The project the key lives in (its account's). */
  projectId: string;
  keyAlias: string;
  keySpec: string;
  state: '2' | '3' | '4';
  /** The key answers KMS.0207 until this long after the function first asks for it. */
  visibleAfterMs?: number;
  /** Aliases seeded on this key before the run (conflict holders, keys pending deletion, planted ones). */
  seededAliases: string[];
  /** Of `seededAliases`: made by another actor, in a shape the template never makes; must survive. */
  plantedAliases: string[];
}

export interface ChaosScenario {
  seed: string;
  messages: ChaosMessage[];
  keys: ChaosKey[];
  /**
   * Key id → template alias, for every key that must end with exactly that alias (besides the
   * aliases planted on it).
   */
  expectedAliases: Map<string, string>;
  /** Key id → template alias a scheduled deletion must release (the key must end without it). */
  releasedAliases: Map<string, string>;
  /** Counts by kind, as generated. */
  composition: Record<string, number>;
}

/** The accounts of a chaos run: two the deployment serves, one it does not. */
export type ChaosAccountName = 'security' | 'payments' | 'outside';

export interface ChaosAccountRef {
  projectId: string;
  /** The account (domain id) of the project. */
  domainId: string;
}

export interface ScenarioOptions {
  seed: string;
  messages: number;
  template: CompiledTemplate;
  /** The central account's project (the sample events' project and account). */
  projectId: string;
  /** The account (domain id) of the project, for deletion traces. */
  domainId: string;
  /** The second account of HUAWEICLOUD_ACCOUNTS, reached through an agency. */
  second: ChaosAccountRef;
  /** An account outside HUAWEICLOUD_ACCOUNTS. */
  outside: ChaosAccountRef;
  /** A configured region other than the project's, for region-mismatch bodies. */
  otherRegion: string;
  eventsDir: string;
}

/** Shares of the workload (of all messages). */
export const WORKLOAD = {
  duplicates: 0.1,
  invalid: 0.05,
  conflicts: 0.03,
  disabled: 0.015,
  pendingDeletion: 0.015,
  skipped: 0.01,
  /** Keys scheduled for deletion: their template alias released (ON_KEY_DELETION=release). */
  deletionScheduled: 0.03,
  /** Deletions cancelled (the key enabled again): the template alias re-created. */
  deletionCancelled: 0.02,
  /** Deletions cancelled after another key took the name: a conflict. */
  deletionCancelledNameTaken: 0.01,
  /** Of the keys with a deletion event: another actor gave them an alias of their own. */
  planted: 0.5,
  /** Of the keys that must get an alias. */
  delayedVisibility: 0.06,
  /** Of the messages of a key (new, conflicting, disabled, deleted...): the key lives in the second account. */
  secondAccount: 0.2,
  /** Key events of an account outside the map: skipped (`account_not_configured`). */
  outsideAccount: 0.005,
  /** A second-account project with the central account's id: DLQ `invalid:account_mismatch`. */
  forgedAccount: 0.005,
} as const;

interface SampleShape {
  name: string;
  body: string;
  event: KeyCreated;
}

const INVALID_KINDS = [
  { shape: 'not-json', reason: 'not_json', body: (n: number) => `{"type":"kms.key.created","key_id":"truncated-${n}` },
  { shape: 'json-array', reason: 'unknown_shape', body: (n: number) => `[${n},"kms.key.created"]` },
  { shape: 'unknown-object', reason: 'unknown_shape', body: (n: number) => JSON.stringify({ hello: 'world', n }) },
  {
    shape: 'bad-key-id',
    reason: 'invalid_key_id',
    body: (n: number, projectId: string) =>
      JSON.stringify({ type: 'kms.key.created', key_id: `not-a-key-id-${n}`, project_id: projectId }),
  },
  {
    shape: 'bad-project-id',
    reason: 'invalid_project_id',
    body: (n: number, _p: string, keyId: string) =>
      JSON.stringify({ type: 'kms.key.created', key_id: keyId, project_id: `short-${n}` }),
  },
  {
    shape: 'bad-cloudevent',
    reason: 'invalid_cloudevent',
    body: (n: number) => JSON.stringify({ specversion: '0.3', id: `ce-${n}`, source: 'HC.KMS', data: {} }),
  },
] as const;

const SKIP_KINDS = [
  { shape: 'not-create-key', reason: 'not_create_key', trace: { trace_name: 'disableKey' } },
  { shape: 'failed-call', reason: 'failed_call', trace: { code: '403' } },
] as const;

/** Every sample body in `eventsDir` that normalises to a key-created event (the six shapes). */
function readSampleShapes(eventsDir: string): SampleShape[] {
  const shapes: SampleShape[] = [];
  for (const file of readdirSync(eventsDir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const body = readFileSync(join(eventsDir, file), 'utf8');
    const result = normaliseEvent(body);
    if (result.kind === 'key_created') shapes.push({ name: file.replace(/\.json$/, ''), body, event: result.event });
  }
  if (shapes.length === 0) throw new Error(`no key-created sample events in ${eventsDir}`);
  return shapes;
}

function hex(random: Random, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += Math.floor(random() * 16).toString(16);
  return out;
}

function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

function shuffle<T>(random: Random, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

/**
 * Builds the workload: new keys in every sample shape, duplicates (same body again, right behind
 * the original so they share a batch, or later), invalid bodies, aliases already held by another
 * key, keys that are disabled or pending deletion, keys that become visible only after a delay,
 * a few traces the function skips, and key deletions scheduled and cancelled (some keys with
 * an alias another actor made). Throws when a generated body does not normalise as
 * intended (a generator bug must not pass as a function bug).
 */
export function buildChaosScenario(options: ScenarioOptions): ChaosScenario {
  const random = createRandom(`${options.seed}:scenario`);
  const samples = readSampleShapes(options.eventsDir);
  const total = options.messages;
  const count = (share: number) => Math.round(total * share);
  const duplicates = count(WORKLOAD.duplicates);
  const originals = total - duplicates;
  const kinds: Array<
    | 'invalid'
    | 'conflict'
    | 'disabled'
    | 'pending'
    | 'skipped'
    | 'alias'
    | 'scheduled'
    | 'cancelled'
    | 'cancelled-taken'
    | 'outside'
    | 'forged'
  > = [
    ...Array<'invalid'>(count(WORKLOAD.invalid)).fill('invalid'),
    ...Array<'conflict'>(count(WORKLOAD.conflicts)).fill('conflict'),
    ...Array<'disabled'>(count(WORKLOAD.disabled)).fill('disabled'),
    ...Array<'pending'>(count(WORKLOAD.pendingDeletion)).fill('pending'),
    ...Array<'skipped'>(count(WORKLOAD.skipped)).fill('skipped'),
    ...Array<'scheduled'>(count(WORKLOAD.deletionScheduled)).fill('scheduled'),
    ...Array<'cancelled'>(count(WORKLOAD.deletionCancelled)).fill('cancelled'),
    ...Array<'cancelled-taken'>(count(WORKLOAD.deletionCancelledNameTaken)).fill('cancelled-taken'),
    ...Array<'outside'>(Math.max(1, count(WORKLOAD.outsideAccount))).fill('outside'),
    ...Array<'forged'>(Math.max(1, count(WORKLOAD.forgedAccount))).fill('forged'),
  ];
  if (kinds.length > originals) throw new Error(`${total} messages are too few for the workload`);
  while (kinds.length < originals) kinds.push('alias');
  shuffle(random, kinds);

  const usedPrefixes = new Set<string>();
  const newKeyId = (): string => {
    for (;;) {
      const id = `${hex(random, 8)}-${hex(random, 4)}-4${hex(random, 3)}-${pick(random, ['8', '9', 'a', 'b'])}${hex(random, 3)}-${hex(random, 12)}`;
      // Unique first groups: templates with {key_id|short} then never collide by chance.
      if (!usedPrefixes.has(id.slice(0, 8))) {
        usedPrefixes.add(id.slice(0, 8));
        return id;
      }
    }
  };
  const newTraceId = (): string => `${hex(random, 8)}-${hex(random, 4)}-11f1-${hex(random, 4)}-${hex(random, 12)}`;

  const keys: ChaosKey[] = [];
  const expectedAliases = new Map<string, string>();
  const releasedAliases = new Map<string, string>();
  const composition: Record<string, number> = {};
  const bump = (name: string) => (composition[name] = (composition[name] ?? 0) + 1);
  const originalsList: Array<Omit<ChaosMessage, 'index'>> = [];

  const central: ChaosAccountRef = { projectId: options.projectId, domainId: options.domainId };
  const refOf = (account: ChaosAccountName): ChaosAccountRef =>
    account === 'security' ? central : account === 'payments' ? options.second : options.outside;
  /** The account a key-bearing message lives in: the second one for a share of them. */
  const drawAccount = (): 'security' | 'payments' => (random() < WORKLOAD.secondAccount ? 'payments' : 'security');

  /**
   * A new key-created body in a random sample shape, moved to `account` (its project and account
   * ids replaced), and the event it normalises to.
   */
  const keyEvent = (
    n: number,
    account: ChaosAccountName = 'security',
  ): { body: string; event: KeyCreated; shape: string } => {
    const sample = pick(random, samples);
    const keyId = newKeyId();
    const baseAlias = sample.event.key_alias ?? 'key';
    const keyAlias = `${baseAlias}-${n}`;
    const to = refOf(account);
    let body = sample.body
      .replaceAll(sample.event.key_id, keyId)
      .replaceAll(baseAlias, keyAlias)
      .replaceAll(sample.event.project_id, to.projectId);
    if (sample.event.domain_id !== undefined) body = body.replaceAll(sample.event.domain_id, to.domainId);
    if (sample.event.trace_id !== undefined) body = body.replaceAll(sample.event.trace_id, newTraceId());
    const result = normaliseEvent(body);
    if (
      result.kind !== 'key_created' ||
      result.event.key_id !== keyId ||
      result.event.key_alias !== keyAlias ||
      result.event.project_id !== to.projectId ||
      (result.event.domain_id !== undefined && result.event.domain_id !== to.domainId)
    ) {
      throw new Error(`generator bug: a ${sample.name} body for key ${keyId} did not normalise to it`);
    }
    return { body, event: result.event, shape: sample.name };
  };
  const aliasOf = (event: KeyCreated): string => {
    const derived = deriveAlias(options.template, event);
    if (!derived.ok) throw new Error(`generator bug: template gives no alias for ${event.key_id}: ${derived.reason}`);
    return derived.alias;
  };

  /**
   * A key that existed before the run (its template alias made then), and the trace of its
   * deletion scheduled or cancelled. Scheduled: the key is pending deletion and holds its
   * alias. Cancelled: the key is enabled again (a cancelled key comes back disabled, and the
   * team enables it) and its alias was released when the deletion was scheduled; when the name
   * was taken meanwhile, a holder key has it.
   */
  const deletionMessage = (
    kind: 'scheduled' | 'cancelled' | 'cancelled-taken',
    n: number,
  ): Omit<ChaosMessage, 'index'> => {
    const account = drawAccount();
    const { projectId, domainId } = refOf(account);
    const { event } = keyEvent(n, account);
    const alias = aliasOf(event);
    const keyAlias = event.key_alias ?? '';
    const planted =
      random() < WORKLOAD.planted ? [`alias/by-hand/${keyAlias.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`] : [];
    const traceName: DeletionTraceName = kind === 'scheduled' ? 'scheduleKeyDeletion' : 'cancelKeyDeletion';
    keys.push({
      keyId: event.key_id,
      projectId,
      keyAlias,
      keySpec: event.key_spec ?? 'AES_256',
      state: kind === 'scheduled' ? '4' : '2',
      seededAliases: kind === 'scheduled' ? [alias, ...planted] : [...planted],
      plantedAliases: planted,
    });
    const envelope = pick(random, DELETION_ENVELOPES);
    const body = buildDeletionBody({
      traceName,
      keyId: event.key_id,
      keyAlias,
      projectId,
      domainId,
      traceId: newTraceId(),
      atMs: Date.UTC(2026, 10, 3) + n * 1_000,
      envelope,
    });
    const base = { body, shape: `${traceName} (${envelope})`, keyId: event.key_id, alias, traceName, account };
    if (kind === 'scheduled') {
      releasedAliases.set(event.key_id, alias);
      bump('key scheduled for deletion (alias released)');
      return { ...base, expect: 'released' };
    }
    if (kind === 'cancelled') {
      expectedAliases.set(event.key_id, alias);
      bump('deletion cancelled (alias re-created)');
      return { ...base, expect: 'alias' };
    }
    const holder: ChaosKey = {
      keyId: newKeyId(),
      projectId,
      keyAlias: `replacement-${n}`,
      keySpec: 'AES_256',
      state: '2',
      seededAliases: [alias],
      plantedAliases: [],
    };
    keys.push(holder);
    bump('deletion cancelled, name taken meanwhile (conflict)');
    return { ...base, expect: 'conflict', dlqReason: 'conflict', holderKeyId: holder.keyId };
  };

  /** A second-account key event whose account ids were rewritten to the central account's. */
  const forgedEvent = (n: number): { body: string; keyId: string; keyAlias: string; shape: string } => {
    const { body, event, shape } = keyEvent(n, 'payments');
    const claimed =
      event.domain_id === undefined ? undefined : body.replaceAll(options.second.domainId, options.domainId);
    // A shape that names no account cannot claim one: the canonical shape says it outright.
    const forged =
      claimed ??
      JSON.stringify({
        type: 'kms.key.created',
        key_id: event.key_id,
        project_id: options.second.projectId,
        domain_id: options.domainId,
        key_alias: event.key_alias,
      });
    const result = normaliseEvent(forged);
    if (
      result.kind !== 'key_created' ||
      result.event.project_id !== options.second.projectId ||
      result.event.domain_id !== options.domainId
    ) {
      throw new Error(`generator bug: a forged ${shape} body did not claim the central account`);
    }
    return {
      body: forged,
      keyId: event.key_id,
      keyAlias: event.key_alias ?? '',
      shape: claimed === undefined ? 'canonical' : shape,
    };
  };

  for (let n = 0; n < originals; n++) {
    const kind = kinds[n] ?? 'alias';
    if (kind === 'invalid' && random() < 1 / (INVALID_KINDS.length + 1)) {
      // Well-formed, but its region is not the one configured for its project.
      const body = JSON.stringify({
        type: 'kms.key.created',
        key_id: newKeyId(),
        project_id: options.projectId,
        region: options.otherRegion,
        key_alias: `elsewhere-${n}`,
      });
      if (normaliseEvent(body).kind !== 'key_created')
        throw new Error('generator bug: region-mismatch body did not normalise');
      originalsList.push({ body, expect: 'invalid', shape: 'region-mismatch', dlqReason: 'invalid:region_mismatch' });
      bump('invalid (region-mismatch)');
      continue;
    }
    if (kind === 'invalid') {
      const spec = pick(random, INVALID_KINDS);
      const body = spec.body(n, options.projectId, newKeyId());
      const result = normaliseEvent(body);
      if (result.kind !== 'invalid' || result.reason !== spec.reason) {
        throw new Error(
          `generator bug: ${spec.shape} body normalised to ${result.kind}/${'reason' in result ? result.reason : ''}`,
        );
      }
      originalsList.push({ body, expect: 'invalid', shape: spec.shape, dlqReason: `invalid:${spec.reason}` });
      bump(`invalid (${spec.shape})`);
      continue;
    }
    if (kind === 'outside') {
      // A real key of an account the deployment does not serve: its event is skipped, the key untouched.
      const { body, event, shape } = keyEvent(n, 'outside');
      keys.push({
        keyId: event.key_id,
        projectId: options.outside.projectId,
        keyAlias: event.key_alias ?? '',
        keySpec: event.key_spec ?? 'AES_256',
        state: '2',
        seededAliases: [],
        plantedAliases: [],
      });
      originalsList.push({
        body,
        expect: 'skipped',
        shape: `${shape}, account outside the map`,
        keyId: event.key_id,
        account: 'outside',
        skipReason: 'account_not_configured',
      });
      bump('account outside the map (skipped)');
      continue;
    }
    if (kind === 'forged') {
      // A real key of the second account, announced by a body claiming the central account: it
      // must not get an alias with either account's credentials.
      const forged = forgedEvent(n);
      keys.push({
        keyId: forged.keyId,
        projectId: options.second.projectId,
        keyAlias: forged.keyAlias,
        keySpec: 'AES_256',
        state: '2',
        seededAliases: [],
        plantedAliases: [],
      });
      originalsList.push({
        body: forged.body,
        expect: 'invalid',
        shape: `${forged.shape}, second-account project claiming the central account`,
        dlqReason: 'invalid:account_mismatch',
        keyId: forged.keyId,
        account: 'payments',
      });
      bump('forged account (invalid:account_mismatch)');
      continue;
    }
    if (kind === 'skipped') {
      const spec = pick(random, SKIP_KINDS);
      const { event } = keyEvent(n);
      const trace = {
        trace_id: newTraceId(),
        code: '200',
        trace_name: 'createKey',
        resource_type: 'cmk',
        service_type: 'KMS',
        project_id: options.projectId,
        resource_id: event.key_id,
        resource_name: event.key_alias,
        ...spec.trace,
      };
      const body = JSON.stringify(trace);
      const result = normaliseEvent(body);
      if (result.kind !== 'skipped' || result.reason !== spec.reason) {
        throw new Error(`generator bug: ${spec.shape} trace normalised to ${result.kind}`);
      }
      originalsList.push({ body, expect: 'skipped', shape: spec.shape, keyId: event.key_id });
      bump(`skipped (${spec.shape})`);
      continue;
    }
    if (kind === 'scheduled' || kind === 'cancelled' || kind === 'cancelled-taken') {
      originalsList.push(deletionMessage(kind, n));
      continue;
    }
    const account = drawAccount();
    const { body, event, shape } = keyEvent(n, account);
    const alias = aliasOf(event);
    const { projectId } = refOf(account);
    const key: ChaosKey = {
      keyId: event.key_id,
      projectId,
      keyAlias: event.key_alias ?? '',
      keySpec: event.key_spec ?? 'AES_256',
      state: '2',
      seededAliases: [],
      plantedAliases: [],
    };
    keys.push(key);
    if (kind === 'conflict') {
      const holder: ChaosKey = {
        keyId: newKeyId(),
        projectId,
        keyAlias: `holder-${n}`,
        keySpec: 'AES_256',
        state: '2',
        seededAliases: [alias],
        plantedAliases: [],
      };
      keys.push(holder);
      originalsList.push({
        body,
        expect: 'conflict',
        shape,
        dlqReason: 'conflict',
        keyId: event.key_id,
        alias,
        holderKeyId: holder.keyId,
        account,
      });
      bump('conflict (alias held by another key)');
    } else if (kind === 'disabled' || kind === 'pending') {
      key.state = kind === 'disabled' ? '3' : '4';
      const reason = kind === 'disabled' ? 'failed:kms_key_disabled' : 'failed:kms_key_pending_deletion';
      originalsList.push({ body, expect: 'permanent', shape, dlqReason: reason, keyId: event.key_id, alias, account });
      bump(kind === 'disabled' ? 'key disabled' : 'key pending deletion');
    } else {
      if (random() < WORKLOAD.delayedVisibility) {
        // Some longer than KEY_NOT_VISIBLE_WINDOW_MS, so the queue has to bring them back.
        key.visibleAfterMs = 100 + Math.floor(random() * 2_400);
        bump('new key, visible after a delay');
      } else {
        bump('new key');
      }
      expectedAliases.set(event.key_id, alias);
      originalsList.push({ body, expect: 'alias', shape, keyId: event.key_id, alias, account });
    }
  }

  // Duplicates: the same body again, right behind the original (same batch) or later on.
  const ordered: Array<{ at: number; message: Omit<ChaosMessage, 'index'> }> = originalsList.map((message, i) => ({
    at: i,
    message,
  }));
  for (let d = 0; d < duplicates; d++) {
    const of = Math.floor(random() * originals);
    const original = originalsList[of];
    if (original === undefined) continue;
    const placement = random() < 0.5 ? 'same_batch' : 'later';
    const at = placement === 'same_batch' ? of + 0.5 + random() * 0.4 : of + 15 + random() * Math.max(1, originals / 5);
    ordered.push({ at, message: { ...original, duplicateOf: of, duplicatePlacement: placement } });
    bump(`duplicate (${placement === 'same_batch' ? 'same batch' : 'later batch'})`);
  }
  ordered.sort((a, b) => a.at - b.at);
  // duplicateOf refers to the original's position in the final order.
  const positionOfOriginal = new Map<number, number>();
  ordered.forEach((o, i) => {
    if (o.message.duplicateOf === undefined) positionOfOriginal.set(o.at, i);
  });
  const messages: ChaosMessage[] = ordered.map((o, index) => {
    const m: ChaosMessage = { ...o.message, index };
    if (m.duplicateOf !== undefined) m.duplicateOf = positionOfOriginal.get(m.duplicateOf) ?? m.duplicateOf;
    return m;
  });
  return { seed: options.seed, messages, keys, expectedAliases, releasedAliases, composition };
}
