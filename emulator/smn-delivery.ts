// Delivers SMN messages to HTTP(S) subscription endpoints: one JSON POST per message with the
// X-SMN-* headers (docs/huawei-kms.md#smn-delivery). When the endpoint cannot be reached SMN
// "tries to deliver it six more times" and then drops the message silently
// (https://docs.otc.t-systems.com/simple-message-notification/ FAQ); here the delays are short and
// configurable, and every drop is counted so tests can see it. Whether a non-2xx answer is retried
// is UNVERIFIED: `retryOn5xx` (default true) retries 5xx answers the same way; 4xx is never retried.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';

export interface SmnDeliveryOptions {
  /** Delay before each retry; its length is the number of retries. Default 6 retries (SMN's "six more times"). */
  readonly retryDelaysMs?: readonly number[];
  /** Retry a 5xx answer like an unreachable endpoint (UNVERIFIED in real SMN). Default true. */
  readonly retryOn5xx?: boolean;
  /** Per-attempt timeout. Default 5000 ms. */
  readonly timeoutMs?: number;
  /** Check the endpoint's TLS certificate (https). Default true. */
  readonly rejectUnauthorized?: boolean;
}

export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [250, 500, 1000, 2000, 4000, 8000];

export interface DeliveryStats {
  /** Messages handed to the deliverer. */
  queued: number;
  /** Answered 2xx. */
  delivered: number;
  /** Gave up: every attempt failed (or a 4xx answer). */
  dropped: number;
  /** HTTP requests tried, retries included. */
  attempts: number;
  /** Deliveries still in progress. */
  inFlight: number;
}

/** One attempt as the emulator saw it, for tests. */
export interface DeliveryRecord {
  readonly messageId: string;
  readonly type: string;
  readonly endpoint: string;
  readonly attempt: number;
  /** HTTP status, or 0 on a connection error / timeout. */
  readonly status: number;
  readonly error?: string;
}

export interface OutgoingMessage {
  readonly endpoint: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Readonly<Record<string, unknown>>;
  readonly messageId: string;
  readonly type: string;
}

function postOnce(
  message: OutgoingMessage,
  timeoutMs: number,
  rejectUnauthorized: boolean,
): Promise<{ status: number; error?: string }> {
  const payload = Buffer.from(JSON.stringify(message.body), 'utf8');
  const url = new URL(message.endpoint);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = send(
      url,
      {
        method: 'POST',
        headers: {
          ...message.headers,
          'Content-Type': 'application/json; charset=UTF-8',
          'Content-Length': payload.length,
        },
        timeout: timeoutMs,
        ...(url.protocol === 'https:' ? { rejectUnauthorized } : {}),
      },
      (res) => {
        res.resume();
        res.once('end', () => resolve({ status: res.statusCode ?? 0 }));
        res.once('error', (error) => resolve({ status: res.statusCode ?? 0, error: error.message }));
      },
    );
    req.once('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.once('error', (error) => resolve({ status: 0, error: error.message }));
    req.end(payload);
  });
}

export class SmnDeliverer {
  readonly stats: DeliveryStats = { queued: 0, delivered: 0, dropped: 0, attempts: 0, inFlight: 0 };
  readonly log: DeliveryRecord[] = [];
  readonly #delays: readonly number[];
  readonly #retryOn5xx: boolean;
  readonly #timeoutMs: number;
  readonly #rejectUnauthorized: boolean;
  readonly #signal: AbortSignal;
  readonly #pending = new Set<Promise<void>>();
  readonly #listeners = new Set<() => void>();

  constructor(options: SmnDeliveryOptions, signal: AbortSignal) {
    this.#delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    this.#retryOn5xx = options.retryOn5xx ?? true;
    this.#timeoutMs = options.timeoutMs ?? 5000;
    this.#rejectUnauthorized = options.rejectUnauthorized ?? true;
    this.#signal = signal;
  }

  /** Starts delivering in the background; never throws. */
  enqueue(message: OutgoingMessage): void {
    this.stats.queued += 1;
    this.stats.inFlight += 1;
    const run = this.#deliver(message).finally(() => {
      this.stats.inFlight -= 1;
      this.#pending.delete(run);
      for (const listener of this.#listeners) listener();
    });
    this.#pending.add(run);
  }

  async #deliver(message: OutgoingMessage): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      if (this.#signal.aborted) {
        this.stats.dropped += 1;
        return;
      }
      this.stats.attempts += 1;
      const result = await postOnce(message, this.#timeoutMs, this.#rejectUnauthorized);
      this.log.push({
        messageId: message.messageId,
        type: message.type,
        endpoint: message.endpoint,
        attempt,
        status: result.status,
        ...(result.error === undefined ? {} : { error: result.error }),
      });
      if (result.status >= 200 && result.status < 300) {
        this.stats.delivered += 1;
        return;
      }
      const retryable = result.status === 0 || (this.#retryOn5xx && result.status >= 500);
      const delay = this.#delays[attempt - 1];
      if (!retryable || delay === undefined) {
        this.stats.dropped += 1;
        return;
      }
      try {
        await sleep(delay, undefined, { signal: this.#signal });
      } catch {
        this.stats.dropped += 1;
        return;
      }
    }
  }

  /** Resolves once nothing is in flight (deliveries started meanwhile are waited for too). */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  /** Calls `listener` after every finished delivery; returns the unsubscribe function. */
  onSettled(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  reset(): void {
    Object.assign(this.stats, { queued: 0, delivered: 0, dropped: 0, attempts: 0, inFlight: this.stats.inFlight });
    this.log.length = 0;
  }
}
