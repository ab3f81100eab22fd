// The project's layering, checked by `npm test` (scripts/test.mjs runs depcruise with this file).
// A violation fails CI; test/architecture/layering.test.ts shows that a planted one is caught.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import loops make modules impossible to read, test or load in isolation.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'lib-is-the-bottom-layer',
      severity: 'error',
      comment: 'lib/ is what every function, the CLI and the tools build on; it never reaches up into them.',
      from: { path: '^lib/' },
      to: { path: '^(functions|cli|local|emulator|bench|chaos|fuzz|test|scripts|bin)/' },
    },
    {
      name: 'functions-do-not-import-each-other',
      severity: 'error',
      comment: 'Each Lambda is thin wiring over lib/; shared code belongs in lib/.',
      from: { path: '^functions/([^/]+)/' },
      to: { path: '^functions/', pathNot: '^functions/$1/' },
    },
    {
      name: 'production-code-does-not-import-tools',
      severity: 'error',
      comment: 'The emulator, local runner, benchmarks, chaos and fuzz runs and tests are never shipped.',
      // cli/demo.ts is `npm run demo:ops`, a tour on the embedded emulator, not part of the installed CLI.
      from: { path: '^(functions|lib|cli)/', pathNot: '^cli/demo\\.ts$' },
      to: { path: '^(emulator|local|bench|chaos|fuzz|test)/' },
    },
    {
      name: 'tests-take-fixtures-from-test-support',
      severity: 'error',
      comment:
        'Fixtures shared by the tests and the tools live in test/support/; tests do not borrow them from local/. ' +
        'The one exception is the test of local/ itself (npm start).',
      from: { path: '^test/', pathNot: '^test/integration/local-run\\.test\\.ts$' },
      to: { path: '^local/' },
    },
    {
      name: 'no-dev-dependencies-in-shipped-code',
      severity: 'error',
      comment: 'What a Lambda bundle or the installed CLI loads must be a runtime dependency.',
      from: { path: '^(functions|lib|cli)/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'huawei-client-does-not-retry',
      severity: 'error',
      comment:
        'lib/huawei sets the retry class of each failure where it is born; lib/retry only reads it. ' +
        'The client never imports the retry layer (callers compose withRetry).',
      from: { path: '^lib/huawei/' },
      to: { path: '^lib/retry/' },
    },
    {
      name: 'errors-are-a-leaf',
      severity: 'error',
      comment: 'Every layer imports the error types, so they import nothing of the project.',
      from: { path: '^lib/errors/' },
      to: { path: '^(lib|functions|cli)/', pathNot: '^lib/errors/' },
    },
    {
      name: 'pure-core-imports-no-io',
      severity: 'error',
      comment:
        'lib/core, lib/naming and lib/events are pure decisions, tested with plain values. Wiring to ' +
        'the network, the disk or AWS lives in lib/runtime (the composition root) and the clients it ' +
        'builds; the core sees them only as types (ports), which type-only imports allow.',
      from: { path: '^lib/(core|naming|events)/' },
      to: {
        dependencyTypesNot: ['type-only'],
        path: [
          '^lib/runtime/',
          '^lib/huawei/(kms-client|node-http-transport|iam-token-auth)\\.ts$',
          '^lib/dlq/create-dlq-publisher\\.ts$',
          '^lib/config/fetch-aws-secret\\.ts$',
          '(^|node_modules/)@aws-sdk/',
          '^(node:)?(http|https|http2|net|tls|dgram|dns|fs|fs/promises|child_process)$',
        ],
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|\\.serverless)/' },
    // TypeScript 7's compiler has no JS API that dependency-cruiser can use yet; swc parses the .ts sources.
    parser: 'swc',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
