// A local Serverless Framework plugin (serverless.yml `plugins:`): builds the bundles before
// anything is packaged, so `osls package`, `osls deploy` and `osls deploy function` always ship
// what scripts/build.mjs makes from the sources being deployed, never a stale or missing `dist/`.
// It runs the build script as its own process (`node scripts/build.mjs --functions`: what
// `npm run build` builds, minus the operator CLI), so every function entry point the script
// builds is built here too.
// Lifecycle events: https://www.serverless.com/framework/docs/guides/plugins/custom-commands
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export default class BuildBeforePackaging {
  constructor(serverless, _options, { log } = {}) {
    this.serverless = serverless;
    this.log = log;
    /** One build per osls run, whichever hooks fire. */
    this.built = undefined;
    const build = () => (this.built ??= this.build());
    this.hooks = {
      // `package` and `deploy` (which packages first, unless given --package).
      'before:package:createDeploymentArtifacts': build,
      // `deploy function -f <name>`: packages that one function.
      'before:deploy:function:packageFunction': build,
      // `invoke local` runs the handler from dist/ too.
      'before:invoke:local:invoke': build,
    };
  }

  build() {
    const serviceDir = this.serverless.serviceDir ?? this.serverless.config.servicePath;
    const script = join(serviceDir, 'scripts', 'build.mjs');
    this.log?.notice?.('Building the bundles (node scripts/build.mjs --functions)');
    return new Promise((resolve, reject) => {
      // The Node running osls: the one `npx osls` or an npm script chose.
      const child = spawn(process.execPath, [script, '--functions'], {
        cwd: serviceDir,
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      child.on('error', reject);
      child.on('exit', (code, signal) => {
        if (code === 0) resolve();
        else {
          const ServerlessError = this.serverless.classes?.Error ?? Error;
          reject(
            new ServerlessError(`scripts/build.mjs failed (${signal ?? `exit code ${code}`}): nothing was packaged`),
          );
        }
      });
    });
  }
}
