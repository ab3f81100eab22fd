// Fault injection: explicit rules (fire N times or with a probability) and a whole-run chaos mode.
// All randomness comes from seeded generators, so a run with the same seed and the same sequence
// of calls injects the same faults. Status presets follow docs/huawei-kms.md#error-codes, docs/huawei-kms.md#rate-limits (429 APIGW.0308; 500
// KMS.0101; 502/504, which Huawei says to retry).
import { createRandom, type Random } from './prng.ts';
import { isKmsOperation, type Operation } from './types.ts';

/** Answer with an error body instead of running the operation. */
export interface StatusFault {
  readonly kind?: 'status';
  readonly status: number;
  readonly code: string;
  readonly message: string;
  /** `flat` = gateway body, `nested` = KMS body (docs/huawei-kms.md#error-bodies). Default `flat`. */
  readonly shape?: 'flat' | 'nested';
}

/** Destroy the connection with a TCP RST before the operation runs. */
export interface ResetFault {
  readonly kind: 'reset';
}

/**
 * Send nothing for `ms`. Afterwards the operation still runs (and is answered if the client is
 * still there) unless `apply: false`, in which case the connection is dropped unanswered. Running it
 * by default models the hardest real case: the client timed out, yet the change happened.
 */
export interface HangFault {
  readonly kind: 'hang';
  readonly ms: number;
  readonly apply?: boolean;
}

/** Delay the answer by `ms`, then run the operation normally. */
export interface LatencyFault {
  readonly kind: 'latency';
  readonly ms: number;
}

export type FaultAction = StatusFault | ResetFault | HangFault | LatencyFault;

export interface FaultRule {
  /** Operations the rule applies to; without it, every KMS operation (not iamToken). */
  readonly operation?: Operation | readonly Operation[];
  /** Fire at most this many times. */
  readonly times?: number;
  /** Fire with this probability (0..1), drawn from the emulator's seeded generator. */
  readonly probability?: number;
  readonly action: FaultAction;
}

export interface FaultHandle {
  readonly id: number;
  /** How many times the rule has fired so far. */
  readonly fired: number;
  remove(): void;
}

export type ChaosKind =
  | 'throttle'
  | 'internal'
  | 'badGateway'
  | 'unavailable'
  | 'gatewayTimeout'
  | 'reset'
  | 'hang'
  | 'latency';

export const FAULT_PRESETS: Readonly<Record<ChaosKind, FaultAction>> = {
  throttle: {
    status: 429,
    code: 'APIGW.0308',
    message: 'The throttling threshold has been reached: policy user over ratelimit,limit:20,time:1 second',
    shape: 'flat',
  },
  internal: { status: 500, code: 'KMS.0101', message: 'kms error.', shape: 'nested' },
  // APIG error table: 502 "Backend unavailable", 504 "Backend timeout". The 503 body is unverified.
  badGateway: { status: 502, code: 'APIGW.0202', message: 'Backend unavailable', shape: 'flat' },
  unavailable: { status: 503, code: 'APIGW.0202', message: 'Service unavailable', shape: 'flat' },
  gatewayTimeout: { status: 504, code: 'APIGW.0203', message: 'Backend timeout', shape: 'flat' },
  reset: { kind: 'reset' },
  // Longer than the 5–8 s client timeout Huawei recommends (docs/huawei-kms.md#rate-limits).
  hang: { kind: 'hang', ms: 10_000 },
  latency: { kind: 'latency', ms: 200 },
};

export const DEFAULT_CHAOS_KINDS: readonly ChaosKind[] = [
  'throttle',
  'internal',
  'badGateway',
  'gatewayTimeout',
  'reset',
];

export interface ChaosOptions {
  readonly seed: number | string;
  /** Share of matching calls that get a fault, 0..1. */
  readonly rate: number;
  /** Faults to choose from (uniformly); default {@link DEFAULT_CHAOS_KINDS}. */
  readonly kinds?: readonly (ChaosKind | FaultAction)[];
  /** Operations affected; default every KMS operation. */
  readonly operations?: readonly Operation[];
}

export function describeFault(action: FaultAction): string {
  switch (action.kind) {
    case 'reset':
      return 'reset';
    case 'hang':
      return `hang ${action.ms}ms`;
    case 'latency':
      return `latency ${action.ms}ms`;
    default:
      return `status ${action.status} ${action.code}`;
  }
}

function appliesTo(operations: Operation | readonly Operation[] | undefined, op: Operation): boolean {
  if (operations === undefined) return isKmsOperation(op);
  return typeof operations === 'string' ? operations === op : operations.includes(op);
}

interface RuleEntry {
  readonly id: number;
  readonly rule: FaultRule;
  fired: number;
}

interface ChaosState {
  readonly random: Random;
  readonly rate: number;
  readonly kinds: readonly FaultAction[];
  readonly operations: readonly Operation[] | undefined;
}

export class FaultInjector {
  readonly #seed: number | string;
  #random: Random;
  #rules: RuleEntry[] = [];
  #chaos: ChaosState | undefined;
  #nextId = 1;

  constructor(seed: number | string) {
    this.#seed = seed;
    this.#random = createRandom(seed);
  }

  add(rule: FaultRule): FaultHandle {
    const entry: RuleEntry = { id: this.#nextId++, rule, fired: 0 };
    this.#rules.push(entry);
    return {
      id: entry.id,
      get fired() {
        return entry.fired;
      },
      remove: () => {
        this.#rules = this.#rules.filter((r) => r !== entry);
      },
    };
  }

  /** Applies a random fault to `rate` of the matching calls until `stopChaos()` or `clear()`. */
  chaos(options: ChaosOptions): void {
    if (!(options.rate >= 0 && options.rate <= 1)) throw new Error('chaos rate must be within 0..1');
    const kinds = (options.kinds ?? DEFAULT_CHAOS_KINDS).map((k) => (typeof k === 'string' ? FAULT_PRESETS[k] : k));
    if (kinds.length === 0) throw new Error('chaos needs at least one kind');
    this.#chaos = { random: createRandom(options.seed), rate: options.rate, kinds, operations: options.operations };
  }

  stopChaos(): void {
    this.#chaos = undefined;
  }

  /** Removes every rule and stops chaos. */
  clear(): void {
    this.#rules = [];
    this.#chaos = undefined;
  }

  /** `clear()` plus a fresh generator from the original seed. */
  reset(): void {
    this.clear();
    this.#random = createRandom(this.#seed);
  }

  /** The fault for this call, if any: the first rule that fires (in the order added), else chaos. */
  pick(op: Operation): FaultAction | undefined {
    for (const entry of this.#rules) {
      const { rule } = entry;
      if (!appliesTo(rule.operation, op)) continue;
      if (rule.times !== undefined && entry.fired >= rule.times) continue;
      if (rule.probability !== undefined && this.#random() >= rule.probability) continue;
      entry.fired += 1;
      return rule.action;
    }
    const chaos = this.#chaos;
    if (chaos && appliesTo(chaos.operations, op)) {
      // Always draw twice so the sequence of draws does not depend on earlier outcomes.
      const roll = chaos.random();
      const choice = chaos.random();
      if (roll < chaos.rate) return chaos.kinds[Math.floor(choice * chaos.kinds.length)];
    }
    return undefined;
  }
}
