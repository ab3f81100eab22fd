#!/usr/bin/env node
// The `kms-auto-alias` command. The CLI is TypeScript run as-is by Node's type stripping
// (Node 22.18+ / 24), so there is no build step; on an older Node say so instead of failing
// with a syntax error. npm scripts and npx put node_modules/.bin (Node 24) first on PATH.
if (!process.features?.typescript) {
  process.stderr.write(
    `kms-auto-alias needs Node.js 22.18+ or 24 (TypeScript type stripping); this is ${process.version}.\n` +
      "Run it through npm (npx kms-auto-alias, npm run cli -- ...), which uses the project's Node 24.\n",
  );
  process.exit(2);
}
const { runAsProcess } = await import('../cli/main.ts');
await runAsProcess();
