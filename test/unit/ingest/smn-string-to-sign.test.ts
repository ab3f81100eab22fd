import { describe, expect, it } from 'vitest';
import { smnStringToSign } from '../../../lib/ingest/smn-string-to-sign.ts';

const notification = {
  kind: 'notification' as const,
  type: 'Notification',
  message: '{"a":1}',
  messageId: 'm-1',
  subject: 'hello',
  subscribeUrl: undefined,
  timestamp: '2024-07-10T09:43:44Z',
  topicUrn: 'urn:smn:cn-north-4:p:t',
};

describe('smnStringToSign()', () => {
  it('writes the notification fields in alphabetical order, name\\nvalue\\n each', () => {
    expect(smnStringToSign(notification)).toBe(
      'message\n{"a":1}\nmessage_id\nm-1\nsubject\nhello\ntimestamp\n2024-07-10T09:43:44Z\ntopic_urn\nurn:smn:cn-north-4:p:t\ntype\nNotification\n',
    );
  });

  it('drops both subject lines when the subject is absent or empty', () => {
    const expected =
      'message\n{"a":1}\nmessage_id\nm-1\ntimestamp\n2024-07-10T09:43:44Z\ntopic_urn\nurn:smn:cn-north-4:p:t\ntype\nNotification\n';
    expect(smnStringToSign({ ...notification, subject: undefined })).toBe(expected);
    expect(smnStringToSign({ ...notification, subject: '' })).toBe(expected);
  });

  it('signs subscribe_url instead of subject for confirmations', () => {
    const text = smnStringToSign({
      ...notification,
      kind: 'subscription_confirmation',
      type: 'SubscriptionConfirmation',
      subscribeUrl: 'https://console.huaweicloud.com/smn/subscription/confirm?token=t',
    });
    expect(text).toBe(
      'message\n{"a":1}\nmessage_id\nm-1\nsubscribe_url\nhttps://console.huaweicloud.com/smn/subscription/confirm?token=t\ntimestamp\n2024-07-10T09:43:44Z\ntopic_urn\nurn:smn:cn-north-4:p:t\ntype\nSubscriptionConfirmation\n',
    );
    expect(text).not.toContain('subject');
  });

  it('keeps values byte for byte, line breaks and non-ASCII included', () => {
    const text = smnStringToSign({ ...notification, message: 'línea 1\nline 2', subject: undefined });
    expect(text.startsWith('message\nlínea 1\nline 2\nmessage_id\n')).toBe(true);
  });
});
