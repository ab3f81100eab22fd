/** What {@link clearableTimeout} returns. */
export interface ClearableTimeout {
  /** Aborts when the timer fires (a `TimeoutError`) or when `parent` aborts (with its reason). */
  signal: AbortSignal;
  /** True once the timer itself fired (not the parent): `aborted` reads like a signal's. */
  readonly timedOut: { readonly aborted: boolean };
  /** Clears the timer and stops listening to the parent; call it once the guarded work settled. */
  clear: () => void;
}

/**
 * A signal that aborts after `ms` like `AbortSignal.timeout(ms)` (same reason: a DOMException
 * named `TimeoutError`), but whose timer can be cleared once the guarded work has settled.
 * `AbortSignal.timeout` cannot be cancelled: every request that finished in time still woke up
 * seconds later to build a DOMException and dispatch an abort through every `AbortSignal.any`
 * made from it, which was a large share of the handler's CPU per message (docs/performance.md).
 * The timer is unref'd, as AbortSignal.timeout's is: it never keeps a process alive.
 *
 * With a `parent` (the caller's signal) the one signal also follows the parent, in place of
 * `AbortSignal.any([timeout, parent])`: one controller and one subscription to the parent
 * ({@link onAbort}: a set entry when the parent is one of these, a `{ once: true }` listener
 * otherwise), removed by `clear`, cost about a quarter of what `AbortSignal.any` over two signals
 * costs per call (docs/performance.md#5-cpu-per-message). The KMS client makes one per request,
 * under the batch's deadline signal (lib/runtime/create-run-operation.ts).
 */
export function clearableTimeout(ms: number, parent?: AbortSignal): ClearableTimeout {
  const controller = new AbortController();
  const { signal } = controller;
  const timedOut = { aborted: false };
  if (parent?.aborted === true) {
    controller.abort(parent.reason);
    return { signal, timedOut, clear: () => undefined };
  }
  const subscribers = new Set<() => void>();
  owned.set(signal, subscribers);
  const abort = (reason: unknown): void => {
    controller.abort(reason);
    notify(subscribers);
  };
  const timer = setTimeout(() => {
    timedOut.aborted = true;
    abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
  }, ms);
  timer.unref();
  if (parent === undefined) return { signal, timedOut, clear: () => clearTimeout(timer) };
  const stopFollowing = onAbort(parent, () => {
    clearTimeout(timer);
    abort(parent.reason);
  });
  return {
    signal,
    timedOut,
    clear: () => {
      clearTimeout(timer);
      stopFollowing();
    },
  };
}

/**
 * The callbacks waiting on each signal this module made. Only this module aborts those signals
 * (their controllers never leave it), so it calls the callbacks itself, right after the abort,
 * where each would otherwise be an `abort` listener: an EventTarget listener added and removed
 * for every KMS call, twice (the client on the attempt's signal, the transport on the
 * request's), was a measurable part of a message's CPU (docs/performance.md).
 */
const owned = new WeakMap<AbortSignal, Set<() => void>>();

function notify(subscribers: Set<() => void>): void {
  const callbacks = [...subscribers];
  subscribers.clear();
  for (const callback of callbacks) callback();
}

/**
 * Calls `callback` once when `signal` aborts, as `addEventListener('abort', callback, { once:
 * true })` does (nothing when it already has), and returns what stops it. A signal made by
 * {@link clearableTimeout} keeps its callbacks in a set; any other gets the listener.
 */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  if (signal.aborted) return noop;
  const subscribers = owned.get(signal);
  if (subscribers === undefined) {
    signal.addEventListener('abort', callback, { once: true });
    return () => signal.removeEventListener('abort', callback);
  }
  // A function given twice is called once, as a listener added twice is.
  subscribers.add(callback);
  return () => {
    subscribers.delete(callback);
  };
}

const noop = (): void => undefined;
