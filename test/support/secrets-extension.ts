/**
 * A local stand-in for the AWS Parameters and Secrets Lambda Extension
 * (https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieving-secrets_lambda.html):
 * `GET /secretsmanager/get?secretId=` answers Secrets Manager's GetSecretValue JSON,
 * `GET /systemsmanager/parameters/get?name=` SSM's GetParameter JSON. Like the extension it
 * caches what it read for `cacheMs` (its SECRETS_MANAGER_TTL), so a rotation reaches the function
 * only once that cache expires. A missing secret is answered as the extension forwards the store's
 * error (400, ResourceNotFoundException / ParameterNotFound). An outage answers a status, hangs,
 * or refuses connections.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ExtensionOutage = { kind: 'status'; status: number } | { kind: 'hang' } | { kind: 'down' };

export interface SecretsExtensionOptions {
  /** How long a value read from the store is served from cache. Default 0 (always fresh). */
  cacheMs?: number;
  /** Told of every value the store holds (the suite's secret scan learns them this way). */
  onValue?: (value: string) => void;
}

export interface SecretsExtension {
  readonly port: number;
  /** `PARAMETERS_SECRETS_EXTENSION_HTTP_PORT` for the function's environment. */
  readonly env: { PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: string };
  /** Stores a secret (or SSM parameter) value, as `put-secret-value` would. */
  put(id: string, value: string): void;
  /** Ends the cache's life now: the next read gets what the store holds. */
  expireCache(): void;
  /** Starts (or with undefined ends) an outage. */
  outage(outage: ExtensionOutage | undefined): void;
  /** Requests answered so far, outages included. */
  readonly requests: number;
  stop(): Promise<void>;
}

export async function startSecretsExtension(options: SecretsExtensionOptions = {}): Promise<SecretsExtension> {
  const cacheMs = options.cacheMs ?? 0;
  const store = new Map<string, string>();
  const cache = new Map<string, { value: string; at: number }>();
  let current: ExtensionOutage | undefined;
  let requests = 0;
  const hanging = new Set<() => void>();

  const valueOf = (id: string): string | undefined => {
    const cached = cache.get(id);
    if (cached !== undefined && Date.now() - cached.at < cacheMs) return cached.value;
    const value = store.get(id);
    if (value === undefined) cache.delete(id);
    else cache.set(id, { value, at: Date.now() });
    return value;
  };

  const server: Server = createServer((req, res) => {
    requests += 1;
    if (current?.kind === 'down') {
      req.socket.destroy(); // a kept-alive connection from before the outage
      return;
    }
    if (current?.kind === 'hang') {
      hanging.add(() => res.destroy());
      return;
    }
    if (current?.kind === 'status') {
      res
        .writeHead(current.status, { 'content-type': 'text/plain' })
        .end(current.status === 429 ? 'ThrottlingException' : '');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const isSecret = url.pathname === '/secretsmanager/get';
    const id = (isSecret ? url.searchParams.get('secretId') : url.searchParams.get('name')) ?? '';
    if (!isSecret && url.pathname !== '/systemsmanager/parameters/get') {
      res.writeHead(404).end();
      return;
    }
    const value = valueOf(id);
    if (value === undefined) {
      const error = isSecret ? 'ResourceNotFoundException' : 'ParameterNotFound';
      res.writeHead(400, { 'content-type': 'text/plain' }).end(`${error}: the requested resource ${id} was not found`);
      return;
    }
    const body = isSecret
      ? { ARN: `arn:aws:secretsmanager:us-east-1:000000000000:secret:${id}`, Name: id, SecretString: value }
      : { Parameter: { Name: id, Type: 'SecureString', Value: value, Version: 1 } };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (socket) => {
    if (current?.kind === 'down') {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    env: { PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(port) },
    put(id, value) {
      // The values of a JSON document (its syntax is no secret), else the whole text.
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch {
        parsed = undefined;
      }
      if (typeof parsed === 'object' && parsed !== null) {
        for (const v of Object.values(parsed)) if (typeof v === 'string') options.onValue?.(v);
      } else {
        options.onValue?.(value);
      }
      store.set(id, value);
    },
    expireCache() {
      cache.clear();
    },
    outage(outage) {
      current = outage;
      if (outage === undefined) {
        for (const end of hanging) end();
        hanging.clear();
      }
    },
    get requests() {
      return requests;
    },
    stop: async () => {
      for (const end of hanging) end();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
