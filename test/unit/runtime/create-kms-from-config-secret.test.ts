import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../lib/config/load-config.ts';
import { createKmsFromConfig } from '../../../lib/runtime/create-kms-from-config.ts';

// The AWS secret reader is imported on the first request (kept out of the cold start,
// docs/performance.md#1-cold-start): the credentials it reads must still sign the first call, and
// the secret is read once, not per request.
const PROJECT = '0f3a8c1e5b7d4e2a9c6b8d0e1f2a3b4c';
const KEY = '6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d';

describe('createKmsFromConfig with credentials in Secrets Manager', () => {
  it('reads the secret on the first request and signs every call with its AK', async () => {
    const secretReads: string[] = [];
    const authorizations: string[] = [];
    const fetchImpl: typeof fetch = async (input, init) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (url.startsWith('http://localhost:2773/')) {
        secretReads.push(url);
        const secret = { ak: 'SECRETSTOREAK0000001', sk: 'secret-store-sk-not-real-0000000000001' };
        return new Response(JSON.stringify({ SecretString: JSON.stringify(secret) }), { status: 200 });
      }
      authorizations.push(new Headers(init?.headers).get('authorization') ?? '');
      return new Response(JSON.stringify({ alias: 'alias/x', key_id: KEY }), { status: 201 });
    };
    const config = loadConfig({
      HUAWEICLOUD_REGION: 'cn-north-4',
      HUAWEICLOUD_PROJECT_ID: PROJECT,
      HUAWEICLOUD_CREDENTIALS_SECRET_ID: 'kms-auto-alias/huawei',
      DLQ_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/kms-key-events-dlq',
      AWS_REGION: 'us-east-1',
      AWS_SESSION_TOKEN: 'session',
    });
    const kms = createKmsFromConfig(config, { fetch: fetchImpl });
    expect(secretReads).toEqual([]);
    for (const alias of ['alias/a', 'alias/b']) {
      await kms.createAlias({ region: 'cn-north-4', projectId: PROJECT, keyId: KEY, alias });
    }
    expect(secretReads).toHaveLength(1);
    expect(secretReads[0]).toContain('secretId=kms-auto-alias%2Fhuawei');
    expect(authorizations).toHaveLength(2);
    for (const authorization of authorizations) {
      expect(authorization).toMatch(/^SDK-HMAC-SHA256 Access=SECRETSTOREAK0000001, SignedHeaders=/);
    }
  });
});
