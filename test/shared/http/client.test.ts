import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallError } from '../../../shared/http/callError.js';
import { createHttpClient } from '../../../shared/http/client.js';

let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.url === '/hang') return; // never answers
      res.writeHead(req.url === '/missing' ? 404 : 200, { 'content-type': 'application/json', 'X-Echo': req.headers['x-token'] ?? '' });
      res.end(JSON.stringify({ method: req.method, url: req.url, body }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(
  () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
);

describe('the undici HTTP client', () => {
  it('sends method, path with query, headers and body; returns status, lower-cased headers and text', async () => {
    const http = createHttpClient({ timeoutMs: 2000 });
    try {
      const res = await http.send({ method: 'POST', url: `${base}/hook?a=1&b=%2F`, headers: { 'X-Token': 't1' }, body: '{"x":1}' }, 'test');
      expect(res.status).toBe(200);
      expect(res.headers['x-echo']).toBe('t1');
      expect(JSON.parse(res.body)).toEqual({ method: 'POST', url: '/hook?a=1&b=%2F', body: '{"x":1}' });
      expect((await http.send({ method: 'GET', url: `${base}/missing` }, 'test')).status).toBe(404);
    } finally {
      await http.close();
    }
  });

  it('a refused connection is "unavailable" (nothing was sent) and names the target, not the URL', async () => {
    const http = createHttpClient({ timeoutMs: 2000 });
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    try {
      const err = await http.send({ method: 'POST', url: `http://127.0.0.1:${port}/secret-token-123` }, 'channel "team"').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CallError);
      expect(err).toMatchObject({ kind: 'unavailable', code: 'ECONNREFUSED' });
      expect((err as Error).message).toContain('channel "team"');
      expect((err as Error).message).not.toContain('secret-token-123');
    } finally {
      await http.close();
    }
  });

  it('no answer within the timeout is "ambiguous": the request may have been acted on', async () => {
    const http = createHttpClient({ timeoutMs: 300 });
    try {
      const err = await http.send({ method: 'POST', url: `${base}/hang`, body: 'x' }, 'test').catch((e: unknown) => e);
      expect(err).toMatchObject({ kind: 'ambiguous', code: 'UND_ERR_HEADERS_TIMEOUT' });
    } finally {
      await http.close();
    }
  });
});
