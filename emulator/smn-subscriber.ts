// A local HTTP endpoint standing in for an SMN subscriber (tests, `npm run demo:ops`): records every POST (headers and JSON
// body), answers with a configurable status, and can confirm subscriptions by GETting the
// `subscribe_url` of a SubscriptionConfirmation, as SMN asks a subscriber to.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedDelivery {
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Record<string, unknown>;
  readonly raw: string;
}

export interface SmnReceiver {
  readonly url: string;
  readonly received: ReceivedDelivery[];
  /** Status answered to the next POSTs; default 200. */
  status: number;
  /** GET the subscribe_url of each SubscriptionConfirmation; default true. */
  autoConfirm: boolean;
  /** Answers of the confirmation GETs. */
  readonly confirmations: number[];
  stop(): Promise<void>;
}

export async function startSmnReceiver(): Promise<SmnReceiver> {
  const received: ReceivedDelivery[] = [];
  const confirmations: number[] = [];
  const receiver = { status: 200, autoConfirm: true };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        // recorded as {} with its raw text
      }
      received.push({ method: req.method ?? '', headers: req.headers, body, raw });
      const finish = (): void => {
        res.writeHead(receiver.status, { 'content-type': 'application/json' }).end('{}');
      };
      if (
        receiver.autoConfirm &&
        body['type'] === 'SubscriptionConfirmation' &&
        typeof body['subscribe_url'] === 'string'
      ) {
        void fetch(body['subscribe_url'])
          .then((r) => confirmations.push(r.status))
          .catch(() => confirmations.push(0))
          .finally(finish);
      } else {
        finish();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}/smn/ingest`,
    received,
    confirmations,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
}
