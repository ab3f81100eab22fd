// API calls per key in a second account (issue 12, one deployment for many accounts): new keys
// of the `payments` account, reached through an agency the function assumes at STS with the
// central AK/SK, through the built handler. A key still costs one KMS call (CreateAlias, signed
// with the agency's temporary AK/SK); AssumeAgency runs once per instance, not per key.
// Counted from the emulator's log of the calls it received and from the audit records.
import { startFauxqs } from 'fauxqs';
import { startKmsEmulator } from '../emulator/kms-emulator.ts';
import {
  LOCAL_ACCOUNT,
  LOCAL_EMULATOR_ACCOUNT,
  PAYMENTS_ACCOUNT,
  PAYMENTS_EMULATOR_ACCOUNT,
} from '../test/support/local-account.ts';
import { functionEnv, newKeyBodies, seedKeys } from './fixtures.ts';
import { startInstance } from './instance.ts';
import { spread, type Figure } from './stats.ts';

const KEYS = 20;

export async function benchAccountCalls(options: {
  handlerPath: string;
}): Promise<{ figures: Figure[]; detail: Record<string, unknown> }> {
  const emulator = await startKmsEmulator({ accounts: [LOCAL_EMULATOR_ACCOUNT, PAYMENTS_EMULATOR_ACCOUNT] });
  const sqs = await startFauxqs({ port: 0, logger: false });
  const dlq = sqs.createQueue('bench-accounts-dlq');
  const { HUAWEICLOUD_PROJECT_ID: _project, ...env } = functionEnv({
    kmsUrl: emulator.url,
    dlqUrl: dlq.queueUrl,
    sqsEndpoint: `http://127.0.0.1:${sqs.port}`,
  });
  const accounts = JSON.stringify({
    [LOCAL_ACCOUNT.domainId]: { name: 'security', projects: { [LOCAL_ACCOUNT.projectId]: LOCAL_ACCOUNT.region } },
    [PAYMENTS_ACCOUNT.domainId]: {
      name: 'payments',
      projects: { [PAYMENTS_ACCOUNT.projectId]: PAYMENTS_ACCOUNT.region },
      agency: PAYMENTS_ACCOUNT.agency,
    },
  });
  const lines: string[] = [];
  const instance = await startInstance(
    options.handlerPath,
    { ...env, HUAWEICLOUD_ACCOUNTS: accounts, STS_ENDPOINT: emulator.url },
    (l) => lines.push(l),
  );
  try {
    // The sample bodies, moved to the payments account's project and account.
    const bodies = newKeyBodies('acct', KEYS).map((b) => ({
      keyId: b.keyId,
      body: b.body
        .replaceAll(LOCAL_ACCOUNT.projectId, PAYMENTS_ACCOUNT.projectId)
        .replaceAll(LOCAL_ACCOUNT.domainId, PAYMENTS_ACCOUNT.domainId),
    }));
    seedKeys(emulator, bodies);
    await instance.invoke(bodies.map((b) => b.body));
    const audits = lines
      .filter((l) => l.includes('"log_type":"audit"'))
      .map((l) => JSON.parse(l) as { api_calls: number; account?: string; outcome: string });
    const kms = emulator.calls.filter((c) => c.operation !== 'iamToken' && c.operation !== 'stsAssumeAgency');
    const assumed = emulator.calls.filter((c) => c.operation === 'stsAssumeAgency').length;
    const byAgency = kms.filter((c) => c.principal !== LOCAL_ACCOUNT.ak).length;
    const audited = audits.map((a) => a.api_calls);
    const created = audits.filter((a) => a.outcome === 'created' && a.account === 'payments').length;
    const met = audited.length === KEYS && audited.every((n) => n === 1) && kms.length === KEYS && byAgency === KEYS;
    return {
      figures: [
        {
          group: 'API calls per key, second account',
          name: 'new key, agency account (STS)',
          unit: 'calls',
          value: spread(audited),
          target: { text: 'exactly 1', met },
          note: `emulator: ${kms.length} KMS calls for ${KEYS} keys, ${byAgency} signed with the agency's temporary AK; ${assumed} AssumeAgency for the instance; ${created} of ${KEYS} audit records say created in account payments`,
        },
      ],
      detail: { keys: KEYS, kmsCalls: kms.length, byAgency, assumeAgency: assumed, created },
    };
  } finally {
    await instance.stop();
    await emulator.stop();
    await sqs.stop();
  }
}
