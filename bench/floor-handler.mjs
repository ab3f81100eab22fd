// The floor the batch-latency and CPU benchmarks compare the handler with: a "handler" that
// makes one plain HTTP POST per record to FLOOR_URL and reads the answer, and nothing else (no
// signing, no parsing beyond JSON.parse, no logging, no retries, no throttle). All at once
// (FLOOR_MODE=parallel, default) or one after another (sequential); with node:http and a
// keep-alive agent (FLOOR_CLIENT=http, default), with the global fetch (FLOOR_CLIENT=fetch), or
// with the KMS client's own HTTP/1.1 transport, lib/huawei/http1-transport.ts (FLOOR_CLIENT=http1).
import http from 'node:http';

const url = new URL(process.env.FLOOR_URL ?? 'http://127.0.0.1:9/');
const sequential = process.env.FLOOR_MODE === 'sequential';
const client = process.env.FLOOR_CLIENT ?? 'http';
const agent = new http.Agent({ keepAlive: true });

const viaHttp = (body) =>
  new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve(JSON.parse(text)));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });

const viaFetch = async (body) => {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return response.json();
};

// Node 24 strips the types of the TypeScript source as it imports it (only this mode loads it).
const http1 =
  client === 'http1' ? (await import('../lib/huawei/http1-transport.ts')).createHttp1Transport() : undefined;
const viaHttp1 = async (body) => {
  const response = await http1(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return JSON.parse(await response.text());
};

const post = client === 'fetch' ? viaFetch : client === 'http1' ? viaHttp1 : viaHttp;
const call = (record) => post(JSON.stringify({ key_id: record.messageId, alias: 'alias/bench' }));

export const handler = async (event) => {
  if (sequential) for (const record of event.Records) await call(record);
  else await Promise.all(event.Records.map(call));
  return { batchItemFailures: [] };
};
