import { describe, expect, it } from 'vitest';
import { formatSummary, groupViolations, runFuzz } from '../../fuzz/fuzz.ts';

// A small version of `npm run fuzz` (which runs 10,000+ bodies): a few hundred generated and
// mutated bodies through the normaliser and the naming layer, random templates, and batches of
// 10 through the real handler against the emulator and fauxqs. A fixed seed, so that CI decides
// on the code alone (a random seed once failed a run on a bug of the generator itself);
// exploring is `npm run fuzz`'s job, a new seed every run. Another seed here:
// `FUZZ_SEED=<seed> npx vitest run test/fuzz`.

const seed = process.env.FUZZ_SEED === undefined ? 873_682_516 : Number(process.env.FUZZ_SEED);

function failures(summary: Awaited<ReturnType<typeof runFuzz>>): string {
  return groupViolations(summary.violations)
    .slice(0, 10)
    .map(
      (g) =>
        `${g.count} × ${g.message}${g.example.body === undefined ? '' : `\n    body: ${JSON.stringify(g.example.body.slice(0, 500))}`}`,
    )
    .join('\n');
}

describe(`fuzz (seed ${seed})`, () => {
  it('normaliseEvent and the naming layer: 600 bodies, 300 templates, no violation', async () => {
    const summary = await runFuzz({ seed, handlerBodies: 0, normaliserBodies: 600, templateRuns: 300 });
    expect(summary.normaliser.bodies).toBe(600);
    expect(summary.violations, `seed ${seed}\n${failures(summary)}`).toEqual([]);
    expect(summary.normaliser.kinds.get('key_created') ?? 0).toBeGreaterThan(0);
  });

  it('the real handler: 200 bodies in batches of 10, no violation', async () => {
    const summary = await runFuzz({ seed, handlerBodies: 200, normaliserBodies: 0, templateRuns: 0 });
    expect(summary.handler.bodies).toBe(200);
    expect(summary.violations, `seed ${seed}\n${failures(summary)}\n\n${formatSummary(summary)}`).toEqual([]);
    expect(summary.handler.dlqRecords).toBeGreaterThan(0);
  }, 60_000);
});
