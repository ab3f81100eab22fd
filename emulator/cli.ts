// Runs the emulator as a process for `npm start`, chaos and benchmark runs:
//   node emulator/cli.ts [--port N] [--latency MS] [--rate-limit N] [--seed S] [--chaos RATE]
// Seeds a few keys in the default project, prints one JSON line (URL + default credentials) on
// stdout, and runs until SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import { DEFAULT_EMULATOR_ACCOUNT, startKmsEmulator, type KmsEmulatorOptions } from './kms-emulator.ts';

function numberArg(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} needs a non-negative number, got "${value}"`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      latency: { type: 'string' },
      'rate-limit': { type: 'string' },
      seed: { type: 'string' },
      chaos: { type: 'string' },
    },
    strict: true,
  });
  const port = numberArg('port', values.port);
  const latencyMs = numberArg('latency', values.latency);
  const perSecond = numberArg('rate-limit', values['rate-limit']);
  const chaosRate = numberArg('chaos', values.chaos);
  const seed = values.seed === undefined ? 1 : /^\d+$/.test(values.seed) ? Number(values.seed) : values.seed;

  const options: KmsEmulatorOptions = { seed };
  if (port !== undefined) options.port = port;
  if (latencyMs !== undefined) options.latencyMs = latencyMs;
  if (perSecond !== undefined) options.rateLimit = { perSecond };
  const emulator = await startKmsEmulator(options);
  if (chaosRate !== undefined && chaosRate > 0) emulator.faults.chaos({ seed, rate: chaosRate });

  const account = DEFAULT_EMULATOR_ACCOUNT;
  const pid = account.projectId;
  const seeded = [
    emulator.state.createKey(pid, { key_alias: 'app-data-key' }),
    emulator.state.createKey(pid, { key_alias: 'signing-key', key_spec: 'RSA_2048' }),
    emulator.state.createKey(pid, { key_alias: 'retired-key', key_state: '3' }),
    emulator.state.createKey(pid, { key_alias: 'obs/default', default_key_flag: '1' }),
  ];

  const line = {
    url: emulator.url,
    kmsEndpoint: emulator.url,
    iamEndpoint: emulator.url,
    smnEndpoint: emulator.url,
    ctsEndpoint: emulator.url,
    smnSigningCertUrl: emulator.smn.certificateUrl(account.region),
    region: account.region,
    domainId: account.domainId,
    domainName: account.domainName,
    projectId: pid,
    projects: account.projects,
    ak: account.permanent.ak,
    sk: account.permanent.sk,
    temporary: account.temporary,
    user: account.user,
    agencyName: account.agencyName,
    seededKeys: seeded.map((k) => ({ key_id: k.key_id, key_alias: k.key_alias, key_state: k.key_state })),
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);

  const shutdown = (): void => {
    void emulator.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`kms emulator: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
