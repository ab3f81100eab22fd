/**
 * A signal that aborts after `ms` like `AbortSignal.timeout(ms)` (same reason: a DOMException
 * named `TimeoutError`), but whose timer can be cleared once the guarded work has settled.
 * `AbortSignal.timeout` cannot be cancelled: every request that finished in time still woke up
 * seconds later to build a DOMException and dispatch an abort through every `AbortSignal.any`
 * made from it, which was a large share of the handler's CPU per message (docs/performance.md).
 * The timer is unref'd, as AbortSignal.timeout's is: it never keeps a process alive.
 */
export function clearableTimeout(ms: number): { signal: AbortSignal; clear: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
  }, ms);
  timer.unref();
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}
