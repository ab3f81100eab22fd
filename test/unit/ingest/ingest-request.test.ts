import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { fromHttpEventV2 } from '../../../lib/ingest/ingest-request.ts';

const event = (fields: Partial<APIGatewayProxyEventV2>): APIGatewayProxyEventV2 =>
  ({
    version: '2.0',
    routeKey: '$default',
    rawPath: '/',
    rawQueryString: '',
    headers: {},
    isBase64Encoded: false,
    requestContext: { http: { method: 'POST' } },
    ...fields,
  }) as APIGatewayProxyEventV2;

describe('fromHttpEventV2()', () => {
  it('lower-cases header names and counts body bytes in UTF-8', () => {
    const request = fromHttpEventV2(event({ headers: { 'X-SMN-Message-Type': 'Notification' }, body: 'é' }));
    expect(request).toEqual({
      method: 'POST',
      headers: { 'x-smn-message-type': 'Notification' },
      body: 'é',
      bodyBytes: 2,
    });
  });

  it('decodes a base64 body', () => {
    const request = fromHttpEventV2(
      event({ body: Buffer.from('{"a":"é"}').toString('base64'), isBase64Encoded: true }),
    );
    expect(request.body).toBe('{"a":"é"}');
    expect(request.bodyBytes).toBe(10);
  });
});
