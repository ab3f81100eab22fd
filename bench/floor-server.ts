// The server side of the network floor: answers every request after `delayMs` with a body the
// size of a CreateAlias answer. Keep-alive as Node's defaults (the emulator's are the same).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const BODY = JSON.stringify({
  alias: 'alias/bench-0000',
  key_id: '00000000-0000-4000-8000-000000000000',
  domain_id: '3bab8e245e854f68af5967c00dd43127',
  alias_urn: 'kms:cn-north-4:3bab8e245e854f68af5967c00dd43127:alias:alias/bench-0000',
  create_time: '1700000000000',
  update_time: '1700000000000',
});

export async function startFloorServer(delayMs: number): Promise<{ url: string; stop(): Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const answer = () => res.writeHead(200, { 'content-type': 'application/json' }).end(BODY);
      if (delayMs > 0) setTimeout(answer, delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1.0/floor`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
