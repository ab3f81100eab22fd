// CTS → SMN inside the emulator: every createKey call records a CTS trace, and each enabled key
// event notification that matches it publishes the trace to its SMN topic. What real CTS puts in
// the SMN `message` is UNVERIFIED (docs/huawei-kms.md#unverified): here it is the trace JSON as a
// string, and the subject names the trace. Publishing happens after the KMS answer has been sent
// (setImmediate), so a createKey is never slowed by it; the counters and `idle()` let tests and
// `npm start` wait for the deliveries.
import { type CtsNotificationStore, type CtsTrace, notificationMatches } from './cts-notifications.ts';
import type { SmnDeliverer } from './smn-delivery.ts';
import type { SmnPublisher } from './smn-publisher.ts';
import type { SmnState } from './smn-state.ts';

export interface KeyEventStats {
  /** CTS traces recorded. */
  traces: number;
  /** (trace, notification) pairs that matched. */
  notified: number;
  /** Messages published to a topic. */
  published: number;
  /** A matching notification whose topic does not exist (real CTS would fail too; counted, not silent). */
  missingTopic: number;
}

export class KeyEventBridge {
  readonly traces: CtsTrace[] = [];
  readonly stats: KeyEventStats = { traces: 0, notified: 0, published: 0, missingTopic: 0 };
  readonly #store: CtsNotificationStore;
  readonly #smn: SmnState;
  readonly #publisher: SmnPublisher;
  readonly #deliverer: SmnDeliverer;
  readonly #scheduled = new Set<Promise<void>>();

  constructor(store: CtsNotificationStore, smn: SmnState, publisher: SmnPublisher, deliverer: SmnDeliverer) {
    this.#store = store;
    this.#smn = smn;
    this.#publisher = publisher;
    this.#deliverer = deliverer;
  }

  /** Records the trace now and publishes it on the next turn of the event loop. */
  record(trace: CtsTrace, projectId: string): void {
    this.traces.push(trace);
    this.stats.traces += 1;
    const run = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.#publish(trace, projectId));
    this.#scheduled.add(run);
    void run.finally(() => this.#scheduled.delete(run));
  }

  #publish(trace: CtsTrace, projectId: string): void {
    for (const notification of this.#store.list(projectId)) {
      if (!notificationMatches(notification, trace)) continue;
      this.stats.notified += 1;
      const topic = this.#smn.topic(notification.topic_id);
      if (!topic) {
        this.stats.missingTopic += 1;
        continue;
      }
      this.#publisher.publish(topic, JSON.stringify(trace), `CTS key event: ${trace.service_type} ${trace.trace_name}`);
      this.stats.published += 1;
    }
  }

  /** Resolves when every recorded trace is published and every delivery has settled. */
  async idle(): Promise<void> {
    while (this.#scheduled.size > 0) await Promise.allSettled([...this.#scheduled]);
    await this.#deliverer.idle();
  }

  reset(): void {
    this.traces.length = 0;
    Object.assign(this.stats, { traces: 0, notified: 0, published: 0, missingTopic: 0 });
  }
}
