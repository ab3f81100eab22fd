import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build script without type declarations
import * as build from '../../scripts/build.mjs';
import { findCredentialPatterns, findSecretLeaks } from './find-secret-leaks.ts';
import { BENIGN_FRAGMENTS, FIXTURE_SECRETS } from './known-secrets.ts';

// What ships: the esbuild metafile lists every input file the bundle was made from. The
// deployed function needs the handler, lib/ and its runtime dependencies; nothing that only
// tests, the emulator, the local run or the Huawei SDK (used as a signing oracle) need.

interface Metafile {
  inputs: Record<string, unknown>;
  outputs: Record<string, { inputs?: Record<string, { bytesInOutput: number }> }>;
}
type Builder = (options: { outdir: string; quiet: boolean }) => Promise<{ metafile: Metafile }>;
const builders = build as { buildHandler: Builder; buildReconcileHandler?: Builder; buildIngestHandler?: Builder };

/** Every function that ships: the SQS handler, and the scheduled reconcile when it exists. */
const BUNDLES: ReadonlyArray<[string, Builder | undefined, string]> = [
  ['create-key-alias', builders.buildHandler, 'functions/create-key-alias/handler.ts'],
  ['reconcile', builders.buildReconcileHandler, 'functions/reconcile/handler.ts'],
  ['ingest', builders.buildIngestHandler, 'functions/ingest/handler.ts'],
];

const built = new Map<string, { inputs: string[]; outputs: string[]; entryInputs: string[] }>();

beforeAll(async () => {
  for (const [name, builder] of BUNDLES) {
    if (builder === undefined) continue;
    const result = await builder({ outdir: `dist/test-bundle-contents/${name}`, quiet: true });
    const entry = Object.entries(result.metafile.outputs).find(([file]) => file.endsWith('/handler.mjs'));
    built.set(name, {
      inputs: Object.keys(result.metafile.inputs),
      outputs: Object.keys(result.metafile.outputs),
      // Modules that left code in it (esbuild lists the tree-shaken ones with 0 bytes).
      entryInputs: Object.entries(entry?.[1].inputs ?? {})
        .filter(([, input]) => input.bytesInOutput > 0)
        .map(([file]) => file),
    });
  }
}, 120_000);

const FORBIDDEN: ReadonlyArray<[string, RegExp]> = [
  ['the Huawei SDK', /(^|\/)node_modules\/@huaweicloud\//],
  ['axios', /(^|\/)node_modules\/axios\//],
  ['lodash', /(^|\/)node_modules\/lodash(\.[a-z]+)?\//],
  ['moment', /(^|\/)node_modules\/moment(-timezone)?\//],
  ['fast-check', /(^|\/)node_modules\/(fast-check|pure-rand)\//],
  ['vitest', /(^|\/)node_modules\/(vitest|@vitest\/|vite\/|tinyspy)/],
  ['fauxqs', /(^|\/)node_modules\/fauxqs\//],
  ['esbuild', /(^|\/)node_modules\/esbuild\//],
  ['the emulator', /^emulator\//],
  ['tests', /^test\//],
  ['the fuzz run', /^fuzz\//],
  ['the local run (fixture credentials)', /^local\//],
  ['benchmarks', /^bench\//],
];

describe.each(BUNDLES.filter(([, builder]) => builder !== undefined))(
  'the deployed %s bundle',
  (name, _builder, entry) => {
    const inputs = () => built.get(name)?.inputs ?? [];
    const outputs = () => built.get(name)?.outputs ?? [];

    it('is built from its handler and lib/', () => {
      expect(inputs()).toContain(entry);
      expect(inputs().some((i) => i.startsWith('lib/'))).toBe(true);
    });

    it.each(FORBIDDEN)('holds nothing from %s', (_what, pattern) => {
      expect(inputs().filter((input) => pattern.test(input))).toEqual([]);
    });

    it('only holds packages the function depends on at run time', () => {
      const runtime = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> };
      const packages = new Set(
        inputs()
          .map((i) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(i)?.[1])
          .filter((p): p is string => p !== undefined),
      );
      const direct = Object.keys(runtime.dependencies);
      const unexpected = [...packages].filter(
        (p) => !direct.includes(p) && !/^@(aws-sdk|smithy|aws-crypto|aws)\//.test(p) && !ALLOWED_TRANSITIVE.has(p),
      );
      expect(unexpected).toEqual([]);
    });

    it('holds no CreateKey, and DeleteAlias only where ON_KEY_DELETION needs it', () => {
      // CreateKey lives in test/support/kms-test-client.ts: no deployed function can create a key.
      // DeleteAlias is production code since ON_KEY_DELETION=release (issue 12 docs/huawei-kms.md#alias-rules); it ships with
      // the KMS client of the functions that use it, and IAM (kms:alias:delete, granted only for
      // `release`) is what bounds it (docs/operations.md section 11).
      const texts = outputs().map((file) => readFileSync(file, 'utf8'));
      expect(texts.length).toBeGreaterThan(0);
      for (const text of texts) {
        expect(text).not.toContain('create-key');
        if (name === 'ingest') expect(text).not.toContain('deleteAlias');
      }
    });

    it('loads no more at init than its cold-start budget allows (the SQS handler)', () => {
      if (name !== 'create-key-alias') return;
      // What a cold start loads is handler.mjs; chunks load on first use. docs/performance.md
      // section 1 measures it; this catches an import that drags a whole package into the entry
      // (reaching zod's core through the `z.core` namespace took it from 178 KB to 546 KB).
      const entryFile = outputs().find((file) => file.endsWith('/handler.mjs'));
      expect(entryFile).toBeDefined();
      expect(readFileSync(entryFile as string).length).toBeLessThan(ENTRY_BUDGET_BYTES);
      const entryInputs = built.get(name)?.entryInputs ?? [];
      expect(entryInputs.some((input) => input.startsWith('lib/'))).toBe(true);
      const zodExtras = entryInputs.filter((input) =>
        /node_modules\/zod\/v4\/(classic|locales\/(?!en\.js))/.test(input),
      );
      expect(zodExtras).toEqual([]);
    });

    it('contains no fixture credential and no credential-shaped text', () => {
      const texts = outputs().map((file) => readFileSync(file, 'utf8'));
      expect(texts.length).toBeGreaterThan(0);
      // Runs of 12, not 8: the fixture secrets are made of words ("Permanent", "Secret",
      // "security-token") that the AWS SDK's own strings also contain.
      expect(
        findSecretLeaks(
          texts,
          FIXTURE_SECRETS.map((s) => s.value),
          { minLength: 12, ignore: BENIGN_FRAGMENTS },
        ),
      ).toEqual([]);
      expect(findCredentialPatterns(texts)).toEqual([]);
    });
  },
);

/** The minified handler.mjs of create-key-alias: 178 KB at the end of issue 9's cold-start work. */
const ENTRY_BUDGET_BYTES = 200_000;

/** Transitive run-time dependencies of the direct ones (AWS SDK helpers, p-* helpers). */
const ALLOWED_TRANSITIVE = new Set([
  '@middy/util',
  'tslib',
  'fast-xml-parser',
  'strnum',
  'bowser',
  'uuid',
  'yocto-queue',
  'is-network-error',
  'is-plain-obj',
]);
