// Diagnostic variant for the CPU benchmark, never deployed: the deployed handler's wiring
// (buildDeps) with KMS answered in memory instead of over HTTP, so the CPU benchmark can tell
// the function's own logic (parse, name, sign, retry policy, audit log) from its HTTP client.
import { createHandler } from '../../functions/create-key-alias/app.ts';
import { buildDeps } from '../../functions/create-key-alias/build-deps.ts';
import { loadConfig } from '../../lib/config/load-config.ts';
import { createAliasApi } from '../../lib/runtime/create-alias-api.ts';
import { createKmsFromConfig } from '../../lib/runtime/create-kms-from-config.ts';
import type { HttpTransport } from '../../lib/huawei/http-transport.ts';

const config = loadConfig(process.env);
let requests = 0;
// A CreateAlias answer, as the emulator gives it; everything before it (signing included) runs.
const inMemory: HttpTransport = async (_url, init) => {
  requests += 1;
  const { key_id: keyId, alias } = JSON.parse(init.body ?? '{}') as { key_id?: string; alias?: string };
  const body = JSON.stringify({
    alias,
    key_id: keyId,
    domain_id: 'd',
    alias_urn: `kms:cn-north-4:d:${alias}`,
    create_time: '0',
    update_time: '0',
  });
  return { status: 200, headers: { 'x-request-id': `mem-${requests}` }, text: async () => body };
};

export const handler = createHandler({
  ...buildDeps(config),
  api: createAliasApi(createKmsFromConfig(config, { fetch: inMemory as unknown as typeof fetch })),
});
