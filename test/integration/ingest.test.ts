import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createIngestHandler } from '../../functions/ingest/app.ts';
import { buildIngestDeps } from '../../functions/ingest/build-deps.ts';
import { loadIngestConfig } from '../../lib/config/ingest-config.ts';
import { createLambdaContext } from '../support/lambda-context.ts';
import { type SecretsExtension, startSecretsExtension } from '../support/secrets-extension.ts';
import { defineIngestCases } from './ingest-cases.ts';
import { httpEvent, type IngestWorld, startIngestWorld } from './ingest-harness.ts';

// The ingest sources (middy handler, real SQS client, real fetch) against fauxqs and local
// HTTP servers for SMN's certificate and confirmation link.

let world: IngestWorld;
let extension: SecretsExtension;
beforeAll(async () => {
  world = await startIngestWorld();
  extension = await startSecretsExtension();
});
afterAll(async () => {
  await extension.stop();
  await world.stop();
});

function sourcesInstance(env: Record<string, string>) {
  const lines: string[] = [];
  // The SDK's default credential chain reads the process environment.
  vi.stubEnv('AWS_ACCESS_KEY_ID', env.AWS_ACCESS_KEY_ID);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', env.AWS_SECRET_ACCESS_KEY);
  const handler = createIngestHandler(buildIngestDeps(loadIngestConfig(env), { write: (l) => lines.push(l) }));
  return { invoke: (event: Parameters<typeof handler>[0]) => handler(event, createLambdaContext()), lines };
}

defineIngestCases(
  'ingest handler (sources)',
  () => world,
  async (env) => sourcesInstance(env),
);

describe('ingest handler (sources): the token from Secrets Manager (INGEST_TOKEN_SECRET_ID)', () => {
  const relayed = JSON.stringify({ cts: { service_type: 'KMS', trace_name: 'createKey', code: 200 } });

  /** An instance whose token is the secret `id`, read through the local extension. */
  const withSecret = (id: string) => {
    // The function finds the extension through its environment, as on Lambda.
    vi.stubEnv('PARAMETERS_SECRETS_EXTENSION_HTTP_PORT', extension.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT);
    const { INGEST_TOKEN: _value, ...env } = world.env({ INGEST_TOKEN_SECRET_ID: id });
    return sourcesInstance(env);
  };
  const post = async (instance: ReturnType<typeof withSecret>, token: string) => {
    const response = await instance.invoke(httpEvent({ body: relayed, headers: { 'x-ingest-token': token } }));
    return { status: response.statusCode, reason: (JSON.parse(String(response.body)) as { reason: string }).reason };
  };

  it('admits the token the secret holds, as text or {"token"}', async () => {
    await world.receiveAll();
    extension.put('token-text', 'relay-token-0123456789abcdef');
    extension.put('token-json', JSON.stringify({ token: 'relay-token-fedcba9876543210' }));
    expect(await post(withSecret('token-text'), 'relay-token-0123456789abcdef')).toEqual({
      status: 200,
      reason: 'enqueued',
    });
    expect(await post(withSecret('token-json'), 'relay-token-fedcba9876543210')).toEqual({
      status: 200,
      reason: 'enqueued',
    });
    expect(await world.receiveAll()).toHaveLength(2);
  });

  // INGEST_TOKEN must be 16–512 printable ASCII characters; a secret holding less (or JSON without
  // a usable "token") would otherwise make a guessable token, such as the JSON text itself.
  it.each([
    ['a JSON document whose token is empty', JSON.stringify({ token: '' }), JSON.stringify({ token: '' })],
    ['a JSON document without "token"', '{"INGEST_TOKEN":"x"}', '{"INGEST_TOKEN":"x"}'],
    ['a token shorter than 16 characters', 'changeme', 'changeme'],
  ])('refuses to admit anything with %s, 503 with a reason that names no value', async (_label, secret, guess) => {
    await world.receiveAll();
    const id = `weak-${Math.random().toString(16).slice(2)}`;
    extension.put(id, secret);
    const instance = withSecret(id);
    expect(await post(instance, guess)).toEqual({ status: 503, reason: 'token_unavailable' });
    expect(await world.receiveAll()).toEqual([]);
    const line = instance.lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((r) => r.log_type === 'ingest');
    expect(line).toMatchObject({ level: 'ERROR', reason: 'token_unavailable' });
    expect(String(line?.detail)).toMatch(/ingest token secret/);
    expect(String(line?.detail)).not.toContain(guess);
  });
});
