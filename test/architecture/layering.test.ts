import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// Runs the project's own dependency-cruiser configuration over a small tree with planted
// violations, so a rule that silently stopped matching (a renamed folder, a parser that
// no longer sees TypeScript imports) fails here rather than letting the real tree drift.
const root = resolve(import.meta.dirname, '../..');
const depcruise = join(root, 'node_modules/.bin/depcruise');
const scratch = mkdtempSync(join(tmpdir(), 'layering-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function tree(name: string, files: Record<string, string>): string {
  const dir = join(scratch, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  copyFileSync(join(root, '.dependency-cruiser.cjs'), join(dir, '.dependency-cruiser.cjs'));
  copyFileSync(join(root, 'tsconfig.json'), join(dir, 'tsconfig.json'));
  return dir;
}

function cruise(dir: string): { status: number | null; output: string } {
  const result = spawnSync(depcruise, ['functions', 'lib', '--config', '.dependency-cruiser.cjs'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, NODE_PATH: join(root, 'node_modules') },
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('the layering check', () => {
  it('passes a tree that keeps the rules', () => {
    const dir = tree('clean', {
      'lib/core/decide.ts': 'export const decide = (n: number): boolean => n > 0;\n',
      'functions/a/handler.ts':
        "import { decide } from '../../lib/core/decide.ts';\nexport const handler = () => decide(1);\n",
      'test/a.test.ts': "import { handler } from '../functions/a/handler.ts';\nhandler();\n",
    });
    const { status, output } = cruise(dir);
    expect(output).toContain('no dependency violations found');
    expect(status).toBe(0);
  });

  it('fails on lib/ importing a function, on an import loop, on one function importing another, on the client importing the retry layer', () => {
    const dir = tree('planted', {
      'lib/core/decide.ts':
        "import { handler } from '../../functions/a/handler.ts';\nexport const decide = () => handler;\n",
      'lib/huawei/a.ts': "import { b } from './b.ts';\nexport const a = (): number => b() + 1;\n",
      'lib/huawei/b.ts': "import { a } from './a.ts';\nexport const b = (): number => (Math.random() > 2 ? a() : 0);\n",
      'lib/retry/with-retry.ts': 'export const withRetry = (): number => 1;\n',
      'lib/huawei/c.ts': "import { withRetry } from '../retry/with-retry.ts';\nexport const c = () => withRetry();\n",
      'functions/a/handler.ts': 'export const handler = () => 1;\n',
      'functions/b/handler.ts': "import { handler as a } from '../a/handler.ts';\nexport const handler = () => a();\n",
    });
    const { status, output } = cruise(dir);
    expect(status).not.toBe(0);
    expect(output).toContain('lib-is-the-bottom-layer: lib/core/decide.ts → functions/a/handler.ts');
    expect(output).toMatch(/no-circular: lib\/huawei\/(a|b)\.ts/);
    expect(output).toContain('functions-do-not-import-each-other: functions/b/handler.ts → functions/a/handler.ts');
    expect(output).toContain('huawei-client-does-not-retry: lib/huawei/c.ts → lib/retry/with-retry.ts');
  });
  it('fails when the pure core imports I/O: the runtime, a KMS client, node:https or the AWS SDK', () => {
    const dir = tree('impure-core', {
      'functions/a/handler.ts': 'export const handler = () => 1;\n',
      'lib/runtime/build-runtime.ts': 'export const buildRuntime = () => ({});\n',
      'lib/huawei/kms-client.ts': 'export const createKmsClient = () => ({});\nexport type KmsClient = object;\n',
      'lib/core/wire.ts':
        "import { buildRuntime } from '../runtime/build-runtime.ts';\nexport const wire = () => buildRuntime();\n",
      'lib/core/call.ts':
        "import { createKmsClient } from '../huawei/kms-client.ts';\nexport const call = () => createKmsClient();\n",
      'lib/naming/fetch.ts': "import { request } from 'node:https';\nexport const get = () => request;\n",
      'lib/events/sqs.ts':
        "import { SQSClient } from '@aws-sdk/client-sqs';\nexport const client = () => new SQSClient({});\n",
      // A port seen only as a type is allowed: the core names what it needs, the runtime supplies it.
      'lib/core/port.ts':
        "import type { KmsClient } from '../huawei/kms-client.ts';\nexport const use = (k: KmsClient) => k;\n",
    });
    const { status, output } = cruise(dir);
    expect(status).not.toBe(0);
    expect(output).toContain('pure-core-imports-no-io: lib/core/wire.ts → lib/runtime/build-runtime.ts');
    expect(output).toContain('pure-core-imports-no-io: lib/core/call.ts → lib/huawei/kms-client.ts');
    expect(output).toMatch(/pure-core-imports-no-io: lib\/naming\/fetch\.ts → (node:)?https/);
    expect(output).toMatch(/pure-core-imports-no-io: lib\/events\/sqs\.ts → (node_modules\/)?@aws-sdk\/client-sqs/);
    expect(output).not.toContain('lib/core/port.ts');
  });
});
