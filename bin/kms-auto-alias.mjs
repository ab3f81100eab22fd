#!/usr/bin/env node
// The `kms-auto-alias` command.
// - Installed from the npm package (`npm install -g kms-auto-alias-<version>.tgz`): runs the
//   built JavaScript in dist/cli/ (scripts/build.mjs), on any Node the package's `engines` allows.
// - In a clone: runs the TypeScript sources as they are, through Node's type stripping, so an
//   edit is never shadowed by an old build. npm scripts and npx put node_modules/.bin (the
//   registry's Node 24, where installable) first on PATH.
import { existsSync } from 'node:fs';

const sources = new URL('../cli/main.ts', import.meta.url);
const built = new URL('../dist/cli/kms-auto-alias.mjs', import.meta.url);

if (existsSync(sources)) {
  if (!process.features?.typescript) {
    process.stderr.write(
      `kms-auto-alias from a clone needs Node.js 22.18+ (TypeScript type stripping); this is ${process.version}.\n` +
        "Run it through npm (npx kms-auto-alias, npm run cli -- ...), which uses the project's Node, or install the package (npm pack).\n",
    );
    process.exit(2);
  }
  const { runAsProcess } = await import(sources.href);
  await runAsProcess();
} else if (existsSync(built)) {
  const { runAsProcess } = await import(built.href);
  await runAsProcess();
} else {
  process.stderr.write('kms-auto-alias: dist/cli/kms-auto-alias.mjs is missing; reinstall the package.\n');
  process.exit(2);
}
