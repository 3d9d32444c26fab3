import { createServer, type Server } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';

type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResultV2>;

/** Reads at most this much of a body; the handler itself answers 413 past 256 KiB, as behind API Gateway. */
const READ_LIMIT = 2 * 1024 * 1024;

/** Plays API Gateway's HTTP API: `POST /webhooks/{source}` as a payload-format-2.0 event to the onPush handler. */
export const startHttpFront = async (handler: HttpHandler, port: number, host = '127.0.0.1'): Promise<{ server: Server; url: string }> => {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://local');
    const match = /^\/webhooks\/([^/]+)\/?$/.exec(url.pathname);
    const send = (status: number, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) => {
      res.writeHead(status, headers).end(body);
    };
    if (!match || req.method !== 'POST') return send(404, JSON.stringify({ message: 'Not Found' }));

    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > READ_LIMIT) return send(413, JSON.stringify({ message: 'Request Entity Too Large' }));
      chunks.push(chunk as Buffer);
    }
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]));
    const event = {
      version: '2.0',
      routeKey: 'POST /webhooks/{source}',
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      headers,
      queryStringParameters: url.search ? Object.fromEntries(url.searchParams) : undefined,
      pathParameters: { source: decodeURIComponent(match[1]!) },
      body: Buffer.concat(chunks).toString('utf8'),
      isBase64Encoded: false,
      requestContext: {
        http: { method: 'POST', path: url.pathname, protocol: 'HTTP/1.1', sourceIp: req.socket.remoteAddress ?? '', userAgent: headers['user-agent'] ?? '' },
        requestId: crypto.randomUUID(),
        routeKey: 'POST /webhooks/{source}',
        stage: '$default',
        timeEpoch: Date.now(),
      },
    } as unknown as APIGatewayProxyEventV2;
    try {
      const out = (await handler(event, {} as Context)) as { statusCode: number; headers?: Record<string, string>; body?: string };
      send(out.statusCode, out.body ?? '', out.headers ?? {});
    } catch (err) {
      send(500, JSON.stringify({ message: 'Internal Server Error' }));
      process.stderr.write(`onPush failed: ${(err as Error).message}\n`);
    }
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  return { server, url: `http://${host}:${actualPort}` };
};
