import { describe, expect, it } from 'vitest';
import { REDACTED, registerSecret } from '../../../lib/audit/secret-registry.ts';
import type { DlqRecord } from '../../../lib/dlq/build-dlq-record.ts';
import type { DlqPublisher } from '../../../lib/dlq/create-dlq-publisher.ts';
import { BODY_REDACTED_ATTRIBUTE, sendToDlq } from '../../../lib/dlq/send-to-dlq.ts';

describe('sendToDlq()', () => {
  it('masks every registered secret in the attributes, and keeps the body byte for byte', async () => {
    const secret = 'dlq"secret\\value-0001';
    registerSecret(secret);
    const sent: DlqRecord[] = [];
    const publisher: DlqPublisher = {
      publish: async (record) => {
        sent.push(record);
        return 'm-1';
      },
    } as DlqPublisher;
    const body = '{"type":"kms.key.created","note":"the sender\\u0027s own text"}';
    const record: DlqRecord = {
      body,
      attributes: {
        'kms_auto_alias.reason': { DataType: 'String', StringValue: 'failed:iam_auth' },
        'kms_auto_alias.detail': {
          DataType: 'String',
          StringValue: JSON.stringify({ message: `IAM said: ${secret}` }),
        },
      },
    };
    await expect(sendToDlq(publisher, () => record, 1_000)).resolves.toEqual({ messageId: 'm-1' });
    expect(sent[0]?.body).toBe(body);
    const detail = sent[0]?.attributes['kms_auto_alias.detail']?.StringValue ?? '';
    // The detail is JSON text: the secret is in it JSON-escaped, and masked in that form too.
    expect(detail).toContain(REDACTED);
    expect(detail).not.toContain('value-0001');
    expect(sent[0]?.attributes['kms_auto_alias.reason']?.StringValue).toBe('failed:iam_auth');
  });
});

describe('sendToDlq() with a secret in the body', () => {
  it('masks it in the body, keeps the body JSON, and marks the record', async () => {
    // A CTS trace names the caller's access key; a key created with this function's own AK puts it there.
    const ak = 'BODYSECRETAK00000001';
    registerSecret(ak);
    const sent: DlqRecord[] = [];
    const publisher = {
      publish: async (record: DlqRecord) => {
        sent.push(record);
        return 'm-2';
      },
    } as DlqPublisher;
    const body = JSON.stringify({ trace_name: 'createKey', user: { name: 'ops', access_key_id: ak } });
    const record: DlqRecord = {
      body,
      attributes: { 'kms_auto_alias.reason': { DataType: 'String', StringValue: 'conflict' } },
    };
    await expect(sendToDlq(publisher, () => record, 1_000)).resolves.toEqual({ messageId: 'm-2' });
    expect(sent[0]?.body).not.toContain(ak);
    expect(JSON.parse(sent[0]?.body ?? '')).toEqual({
      trace_name: 'createKey',
      user: { name: 'ops', access_key_id: REDACTED },
    });
    expect(sent[0]?.attributes[BODY_REDACTED_ATTRIBUTE]).toEqual({ DataType: 'String', StringValue: 'true' });
  });

  it('leaves a body without a secret byte for byte, unmarked', async () => {
    const sent: DlqRecord[] = [];
    const publisher = {
      publish: async (record: DlqRecord) => {
        sent.push(record);
        return 'm-3';
      },
    } as DlqPublisher;
    const body = '{"user":{"access_key_id":"SOMEONEELSESAK000001"}}';
    await sendToDlq(publisher, () => ({ body, attributes: {} }), 1_000);
    expect(sent[0]).toEqual({ body, attributes: {} });
  });
});
