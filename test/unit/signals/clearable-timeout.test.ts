import { describe, expect, it } from 'vitest';
import { clearableTimeout } from '../../../lib/signals/clearable-timeout.ts';

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
