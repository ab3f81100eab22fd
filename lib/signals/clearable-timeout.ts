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
 * `AbortSignal.any([timeout, parent])`: one controller and one `{ once: true }` listener, removed
 * by `clear`, cost about a quarter of what `AbortSignal.any` over two signals costs per call
 * (docs/performance.md#5-cpu-per-message), and this runs twice per KMS call (the retry policy's
 * attempt, the client's request).
 */
export function clearableTimeout(ms: number, parent?: AbortSignal): ClearableTimeout {
  const controller = new AbortController();
  const timedOut = { aborted: false };
  if (parent?.aborted === true) {
    controller.abort(parent.reason);
    return { signal: controller.signal, timedOut, clear: () => undefined };
  }
  const timer = setTimeout(() => {
    timedOut.aborted = true;
    controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
  }, ms);
  timer.unref();
  if (parent === undefined) return { signal: controller.signal, timedOut, clear: () => clearTimeout(timer) };
  const onParentAbort = (): void => {
    clearTimeout(timer);
    controller.abort(parent.reason);
  };
  parent.addEventListener('abort', onParentAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut,
    clear: () => {
      clearTimeout(timer);
      parent.removeEventListener('abort', onParentAbort);
    },
  };
}
