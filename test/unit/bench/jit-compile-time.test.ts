import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { compileTimeCollector } from '../../../bench/jit-compile-time.ts';

// Lines Node 24's V8 printed with --trace-opt for the create-key-alias bundle.
const TURBOFAN =
  '[completed compiling 0x14ba39868e79 <JSFunction deriveAlias (sfi = 0x3ba60153f459)> (target TURBOFAN_JS) - took 0.012, 13.059, 0.271 ms]';
const MAGLEV =
  '[completed compiling 0x14ba39868859 <JSFunction isAliasCharCode (sfi = 0x3ba60153f0f9)> (target MAGLEV) - took 0.001, 0.638, 0.005 ms]';

describe('compileTimeCollector()', () => {
  it('sums the three phases of each compile by tier, only inside the window', () => {
    let inWindow = false;
    const collector = compileTimeCollector(() => inWindow);
    collector.onLine(TURBOFAN);
    inWindow = true;
    collector.onLine(TURBOFAN);
    collector.onLine(MAGLEV);
    collector.onLine('{"level":"INFO","message":"decision"}');
    collector.onLine(
      '[marking 0x1e6a2a5c6d19 <JSFunction deriveAlias> for optimization to TURBOFAN_JS, ConcurrencyMode::kConcurrent, reason: hot and stable]',
    );
    const result = collector.result();
    expect(result?.compiles).toBe(2);
    expect(result?.byTier.TURBOFAN_JS).toBeCloseTo(13.342, 6);
    expect(result?.byTier.MAGLEV).toBeCloseTo(0.644, 6);
    expect(result?.totalMs).toBeCloseTo(13.986, 6);
  });

  it('reports no figure, not zero, when no line has its shape (a V8 that prints them otherwise)', () => {
    const collector = compileTimeCollector(() => true);
    collector.onLine('[compiled something else]');
    expect(collector.result()).toBeUndefined();
  });

  it('reads what this Node binary prints for a hot function', () => {
    const hot =
      'function f(x) { return x * 2 + 1; } let s = 0; for (let i = 0; i < 3e6; i++) s += f(i); console.log(s > 0);';
    const run = spawnSync(process.execPath, ['--trace-opt', '-e', hot], { encoding: 'utf8' });
    const collector = compileTimeCollector(() => true);
    for (const line of run.stdout.split('\n')) collector.onLine(line);
    expect(collector.result()?.compiles).toBeGreaterThan(0);
  });
});
