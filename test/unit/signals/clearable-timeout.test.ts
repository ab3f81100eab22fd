import { describe, expect, it } from 'vitest';
import { clearableTimeout, onAbort } from '../../../lib/signals/clearable-timeout.ts';

describe('clearableTimeout(ms, parent)', () => {
  it('aborts with a TimeoutError of its own when the timer fires, and says it timed out', async () => {
    const parent = new AbortController();
    const timeout = clearableTimeout(5, parent.signal);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(timeout.signal.aborted).toBe(true);
    expect((timeout.signal.reason as DOMException).name).toBe('TimeoutError');
    expect(timeout.timedOut.aborted).toBe(true);
    expect(parent.signal.aborted).toBe(false);
    timeout.clear();
  });

  it("follows the parent's abort with the parent's reason, not as its own timeout", () => {
    const parent = new AbortController();
    const timeout = clearableTimeout(10_000, parent.signal);
    const reason = new Error('cancelled by the caller');
    parent.abort(reason);
    expect(timeout.signal.aborted).toBe(true);
    expect(timeout.signal.reason).toBe(reason);
    expect(timeout.timedOut.aborted).toBe(false);
    timeout.clear();
  });

  it('starts aborted under a parent that already is', () => {
    const parent = new AbortController();
    parent.abort(new Error('gone'));
    const timeout = clearableTimeout(10_000, parent.signal);
    expect(timeout.signal.aborted).toBe(true);
    expect((timeout.signal.reason as Error).message).toBe('gone');
  });

  it('after clear, neither the timer nor the parent aborts it', async () => {
    const parent = new AbortController();
    const timeout = clearableTimeout(5, parent.signal);
    timeout.clear();
    parent.abort(new Error('late'));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(timeout.signal.aborted).toBe(false);
    expect(timeout.timedOut.aborted).toBe(false);
  });
});

describe('onAbort(signal, callback)', () => {
  it("calls back once when a clearableTimeout's signal times out, after the signal is aborted", async () => {
    const timeout = clearableTimeout(5);
    const seen: unknown[] = [];
    onAbort(timeout.signal, () => seen.push(timeout.signal.reason));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ name: 'TimeoutError' });
  });

  it("carries a parent's abort down a chain of clearableTimeouts, in the order the callbacks came", () => {
    const root = new AbortController();
    const attempt = clearableTimeout(10_000, root.signal);
    const request = clearableTimeout(10_000, attempt.signal);
    const order: string[] = [];
    onAbort(request.signal, () => order.push(`first ${String(request.signal.reason)}`));
    onAbort(request.signal, () => order.push('second'));
    const stopped = onAbort(request.signal, () => order.push('stopped'));
    stopped();
    root.abort('shutdown');
    expect(order).toEqual(['first shutdown', 'second']);
    expect([attempt.signal.reason, request.signal.reason]).toEqual(['shutdown', 'shutdown']);
    expect(request.timedOut.aborted).toBe(false);
  });

  it('calls a function given twice once, and never for a signal already aborted', () => {
    const timeout = clearableTimeout(10_000, new AbortController().signal);
    const parentOfNone = new AbortController();
    parentOfNone.abort();
    const calls: string[] = [];
    const callback = () => calls.push('called');
    onAbort(timeout.signal, callback);
    onAbort(timeout.signal, callback);
    onAbort(parentOfNone.signal, () => calls.push('late'));
    onAbort(clearableTimeout(10_000, parentOfNone.signal).signal, () => calls.push('late child'));
    timeout.clear();
    expect(calls).toEqual([]);
    const owned = clearableTimeout(1_000);
    onAbort(owned.signal, callback);
    onAbort(owned.signal, callback);
    owned.clear();
    const parent = new AbortController();
    const child = clearableTimeout(10_000, parent.signal);
    onAbort(child.signal, callback);
    onAbort(child.signal, callback);
    parent.abort();
    expect(calls).toEqual(['called']);
  });

  it('listens to any other signal, and stops listening when told', () => {
    const foreign = new AbortController();
    const calls: string[] = [];
    onAbort(foreign.signal, () => calls.push('kept'));
    onAbort(foreign.signal, () => calls.push('stopped'))();
    foreign.abort();
    expect(calls).toEqual(['kept']);
  });

  it('stops following the parent once cleared', () => {
    const parent = new AbortController();
    const timeout = clearableTimeout(10_000, parent.signal);
    timeout.clear();
    parent.abort('late');
    expect(timeout.signal.aborted).toBe(false);
  });
});
