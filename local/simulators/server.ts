import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export interface SimRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: string;
}

export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
  /** Answer only after this long: a reply slower than the client's timeout. */
  delayMs?: number;
}

/** A small HTTP server on 127.0.0.1 for the vendor and chat simulators. */
export const startSimServer = async (handle: (req: SimRequest) => SimResponse | Promise<SimResponse>, port = 0) => {
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]));
    try {
      const out = await handle({
        method: req.method ?? 'GET',
        url: new URL(req.url ?? '/', 'http://sim'),
        headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      if (out.delayMs) await new Promise((r) => setTimeout(r, out.delayMs));
      if (res.destroyed) return;
      const text = typeof out.body === 'string' ? out.body : JSON.stringify(out.body);
      res.writeHead(out.status, { 'content-type': typeof out.body === 'string' ? 'text/plain' : 'application/json', ...out.headers }).end(text);
    } catch (err) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`simulator error: ${(err as Error).message}`);
    }
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
