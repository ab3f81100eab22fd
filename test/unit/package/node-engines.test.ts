import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

// The Node versions the project says it supports are exact, the same in `engines` and `.nvmrc`,
// and every installed package (dependencies and tools alike) supports them all.

const ROOT = join(import.meta.dirname, '..', '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { engines?: { node?: string } | string[]; optional?: boolean; os?: string[] | string }>;
};
const range = pkg.engines.node;

/** The lowest version of each major `range` admits, e.g. 22.18.0, 24.2.0, 26.0.0. */
function lowerBounds(r: string): string[] {
  return new semver.Range(r).set.map((comparators) => {
    const lowest = semver.minVersion(comparators.map((c) => c.value).join(' '));
    if (lowest === null) throw new Error(`no version satisfies ${r}`);
    return lowest.version;
  });
}

describe('the Node versions the project supports', () => {
  it('are stated exactly: engines names a minimum, and .nvmrc is that minimum', () => {
    expect(semver.validRange(range)).not.toBeNull();
    const minimum = semver.minVersion(range)?.version;
    expect(minimum).toBe('22.18.0');
    expect(readFileSync(join(ROOT, '.nvmrc'), 'utf8').trim()).toBe(minimum);
  });

  it('include the Lambda runtime (nodejs24.x)', () => {
    const runtime = /runtime:\s*nodejs(\d+)\.x/.exec(readFileSync(join(ROOT, 'serverless.yml'), 'utf8'))?.[1];
    expect(runtime).toBe('24');
    expect(semver.intersects(range, `^${runtime}.2.0`)).toBe(true);
  });

  it('are supported by every installed package, at each lowest version of each major', () => {
    const bounds = lowerBounds(range);
    expect(bounds).toEqual(['22.18.0', '24.2.0', '26.0.0']);
    const refusing: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      const wanted = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      if (path === '' || wanted === undefined || semver.validRange(wanted) === null) continue;
      for (const version of bounds) {
        if (!semver.satisfies(version, wanted)) refusing.push(`${path} wants ${wanted}, not ${version}`);
      }
    }
    expect(refusing).toEqual([]);
  });

  it("are what the project's own code needs: type stripping and import.meta.main (22.18)", () => {
    // Node added both unflagged in 22.18.0 (and in 23.6 / 24.2): `npm start` and the CLI in a clone
    // run .ts files directly, and cli/main.ts tests import.meta.main.
    for (const version of lowerBounds(range)) expect(semver.gte(version, '22.18.0')).toBe(true);
    expect(readFileSync(join(ROOT, 'cli', 'main.ts'), 'utf8')).toContain('import.meta.main');
  });
});
