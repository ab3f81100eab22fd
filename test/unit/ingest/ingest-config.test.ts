import { describe, expect, it } from 'vitest';
import { loadIngestConfig } from '../../../lib/config/ingest-config.ts';
import { ConfigError } from '../../../lib/errors/app-error.ts';
import { createTestSigner } from '../../support/smn-test-signer.ts';
import { TOPIC } from './smn-fixtures.ts';

const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/kms-auto-alias-test-key-events';
const TOKEN = 'ingest-token-0123456789abcdef';
const base = { KEY_EVENTS_QUEUE_URL: QUEUE, SMN_TOPIC_URNS: TOPIC };

function errorOf(env: Record<string, string>): string {
  try {
    loadIngestConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadIngestConfig()', () => {
  it("derives SMN's certificate hosts from the topics' regions", () => {
    const other = 'urn:smn:eu-west-101:1f3a8c1e5b7d4e2a9c6b8d0e1f2a3b4c:keys';
    const config = loadIngestConfig({ ...base, SMN_TOPIC_URNS: `${TOPIC},${other}` });
    expect(config.signingCertHosts).toEqual([
      'smn.cn-north-4.myhuaweicloud.com',
      'smn.eu-west-101.myhuaweicloud.com',
      'smn.eu-west-101.myhuaweicloud.eu',
    ]);
    expect(config.subscribeHosts).toContain('console.huaweicloud.com');
    expect(config).toMatchObject({
      queueUrl: QUEUE,
      token: { kind: 'none' },
      requireTokenOnSmn: false,
      awsRegion: 'us-east-1',
    });
  });

  it('takes explicit certificate hosts, a pinned certificate with \\n line breaks, and a token', () => {
    const signer = createTestSigner();
    const config = loadIngestConfig({
      ...base,
      SMN_SIGNING_CERT_HOSTS: '127.0.0.1:8443, Localhost',
      SMN_SIGNING_CERT_PEM: signer.pem.replaceAll('\n', '\\n'),
      INGEST_TOKEN: TOKEN,
      SMN_REQUIRE_TOKEN: 'true',
    });
    expect(config.signingCertHosts).toEqual(['127.0.0.1:8443', 'localhost']);
    expect(config.signingCertPem).toBe(signer.pem);
    expect(config.token).toEqual({ kind: 'value', value: TOKEN });
    expect(config.requireTokenOnSmn).toBe(true);
  });

  it('runs the token route alone when no topic is set, with the token from a secret', () => {
    const config = loadIngestConfig({
      KEY_EVENTS_QUEUE_URL: QUEUE,
      SMN_TOPIC_URNS: '',
      INGEST_TOKEN_SECRET_ID: 'arn:secret',
    });
    expect(config.topics.urns.size).toBe(0);
    expect(config.token).toEqual({ kind: 'secret', id: 'arn:secret' });
  });

  it.each([
    [{ SMN_TOPIC_URNS: TOPIC }, /KEY_EVENTS_QUEUE_URL/],
    [{ ...base, KEY_EVENTS_QUEUE_URL: 'http://sqs.example.com/q' }, /KEY_EVENTS_QUEUE_URL: plain http/],
    [{ ...base, SQS_ENDPOINT: 'http://sqs.example.com' }, /SQS_ENDPOINT/],
    [{ ...base, SMN_TOPIC_URNS: 'arn:aws:sns:x' }, /SMN_TOPIC_URNS: entry 1/],
    [{ KEY_EVENTS_QUEUE_URL: QUEUE }, /SMN_TOPIC_URNS: no route/],
    [{ ...base, SMN_SIGNING_CERT_HOSTS: 'https://x/' }, /SMN_SIGNING_CERT_HOSTS/],
    // Set, yet naming nothing (a stray comma): every SMN delivery would be refused, or the route be off.
    [{ ...base, SMN_SIGNING_CERT_HOSTS: ' , ' }, /SMN_SIGNING_CERT_HOSTS: names no host/],
    [{ KEY_EVENTS_QUEUE_URL: QUEUE, INGEST_TOKEN: TOKEN, SMN_TOPIC_URNS: ',' }, /SMN_TOPIC_URNS: names no topic/],
    [{ ...base, SMN_SIGNING_CERT_PEM: 'not a pem' }, /SMN_SIGNING_CERT_PEM/],
    [{ ...base, INGEST_TOKEN: 'tiny-tok' }, /INGEST_TOKEN: must be at least 16/],
    [{ ...base, INGEST_TOKEN: TOKEN, INGEST_TOKEN_SECRET_ID: 's' }, /not both/],
    [{ ...base, SMN_REQUIRE_TOKEN: 'true' }, /SMN_REQUIRE_TOKEN/],
    [{ ...base, SMN_REQUIRE_TOKEN: 'maybe' }, /SMN_REQUIRE_TOKEN/],
    [{ ...base, INGEST_TOKEN_SECRET_ID: 's'.repeat(2049) }, /INGEST_TOKEN_SECRET_ID: must be at most 2048/],
    [{ ...base, LOG_LEVEL: 'loud' }, /LOG_LEVEL: must be one of debug, info, warn, error/],
    [{ ...base, SERVICE_NAME: 'a b' }, /SERVICE_NAME: letters, digits/],
  ])('fails naming the variable (%#)', (env, pattern) => {
    const message = errorOf(env as Record<string, string>);
    expect(message).toMatch(pattern);
    if ('INGEST_TOKEN' in env) expect(message).not.toContain(env.INGEST_TOKEN);
  });
});
