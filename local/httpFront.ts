import { createServer, type IncomingMessage, type Server, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';

type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResultV2>;

/** Reads at most this much of a body; the handler itself answers 413 past 256 KiB, as behind API Gateway. */
const READ_LIMIT = 2 * 1024 * 1024;

export interface HttpFrontOptions {
  /** The address to listen on: 127.0.0.1 unless deliberately opened (`HOST`). */
  host?: string;
  /** Time a client has to send its request headers; then 408. */
  headersTimeoutMs?: number;
  /** Time a client has to send its whole request, body included; then 408. */
  requestTimeoutMs?: number;
}

const JSON_TYPE = { 'content-type': 'application/json' };
const messageBody = (status: number) => JSON.stringify({ message: STATUS_CODES[status] ?? 'Error' });

/**
 * A request target as API Gateway reads it: the raw path and query. Origin-form (`/path?query`) or absolute-form
 * (`http://host/path`); anything else is no target.
 */
export const parseTarget = (target: string): { path: string; query: string } | undefined => {
  let rest = target;
  if (!rest.startsWith('/')) {
    if (!/^https?:\/\//i.test(rest)) return undefined;
    try {
      const url = new URL(rest);
      rest = `${url.pathname}${url.search}`;
    } catch {
      return undefined;
    }
  }
  const cut = rest.indexOf('?');
  return cut < 0 ? { path: rest, query: '' } : { path: rest.slice(0, cut), query: rest.slice(cut + 1) };
};

/** `queryStringParameters` as API Gateway's payload 2.0 has them: decoded, a repeated name's values joined with commas. */
export const queryParameters = (query: string): Record<string, string> | undefined => {
  if (query === '') return undefined;
  const params = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(query)) {
    const seen = params.get(name);
    params.set(name, seen === undefined ? value : `${seen},${value}`);
  }
  return Object.fromEntries(params);
};

/** Header names in lower case, a repeated header's values joined with commas, as API Gateway sends them. */
const gatewayHeaders = (req: IncomingMessage): Record<string, string> =>
  Object.fromEntries(Object.entries(req.headersDistinct).map(([name, values]) => [name, (values ?? []).join(',')]));

const decodeSegment = (segment: string): string | undefined => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
};

type Body = { ok: true; body: Buffer } | { ok: false; status: 400 | 413 };

/** The request body, or why there is none to use: the client went away or broke the framing (400), or it is too large (413). */
const readBody = (req: IncomingMessage): Promise<Body> =>
  new Promise((resolve) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > READ_LIMIT) {
      resolve({ ok: false, status: 413 });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (result: Body) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > READ_LIMIT) {
        chunks.length = 0;
        settle({ ok: false, status: 413 });
      } else if (!settled) chunks.push(chunk);
    });
    req.on('end', () => settle({ ok: true, body: Buffer.concat(chunks) }));
    req.on('error', () => settle({ ok: false, status: 400 }));
    req.on('close', () => settle({ ok: false, status: 400 }));
  });

/** Answers unless the response is already under way or its socket is gone. */
const send = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = JSON_TYPE, close = false) => {
  if (res.headersSent || res.destroyed || !res.socket?.writable) return;
  try {
    res.writeHead(status, close ? { ...headers, connection: 'close' } : headers).end(body);
  } catch {
    res.destroy();
  }
};

/** A request the HTTP parser refused (bad framing, headers too large, too slow): there is no response object to use. */
const refuseRaw = (err: NodeJS.ErrnoException, socket: Duplex) => {
  const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage;
  if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const body = messageBody(status);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
};

const WEBHOOK_ROUTE = /^\/webhooks\/([^/]+)\/?$/;

const eventOf = (req: IncomingMessage, path: string, query: string, source: string, body: Buffer): APIGatewayProxyEventV2 => {
  const headers = gatewayHeaders(req);
  const queryStringParameters = queryParameters(query);
  return {
    version: '2.0',
    routeKey: 'POST /webhooks/{source}',
    rawPath: path,
    rawQueryString: query,
    headers,
    ...(queryStringParameters ? { queryStringParameters } : {}),
    pathParameters: { source },
    body: body.toString('utf8'),
    isBase64Encoded: false,
    requestContext: {
      http: { method: 'POST', path, protocol: `HTTP/${req.httpVersion}`, sourceIp: req.socket.remoteAddress ?? '', userAgent: headers['user-agent'] ?? '' },
      requestId: crypto.randomUUID(),
      routeKey: 'POST /webhooks/{source}',
      stage: '$default',
      timeEpoch: Date.now(),
    },
  } as unknown as APIGatewayProxyEventV2;
};

const handleRequest = async (handler: HttpHandler, req: IncomingMessage, res: ServerResponse) => {
  const target = parseTarget(req.url ?? '');
  if (!target) return send(res, 400, messageBody(400), JSON_TYPE, true);
  const match = WEBHOOK_ROUTE.exec(target.path);
  // API Gateway answers an unmatched route or method alike: 404.
  if (!match || req.method !== 'POST') return send(res, 404, messageBody(404));
  const source = decodeSegment(match[1]!);
  if (source === undefined) return send(res, 400, messageBody(400), JSON_TYPE, true);

  const read = await readBody(req);
  if (!read.ok) return send(res, read.status, messageBody(read.status), JSON_TYPE, true);
  try {
    const out = (await handler(eventOf(req, target.path, target.query, source, read.body), {} as Context)) as {
      statusCode: number;
      headers?: Record<string, string>;
      body?: string;
    };
    send(res, out.statusCode, out.body ?? '', out.headers ?? {});
  } catch (err) {
    send(res, 500, JSON.stringify({ message: 'Internal Server Error' }));
    process.stderr.write(`onPush failed: ${(err as Error).message}\n`);
  }
};

/**
 * Plays API Gateway's HTTP API: `POST /webhooks/{source}` as a payload-format-2.0 event to the onPush handler.
 * Whatever a client sends or does, it gets a 4xx (or its connection closed) and the server keeps serving.
 */
export const startHttpFront = async (handler: HttpHandler, port: number, opts: HttpFrontOptions = {}): Promise<{ server: Server; url: string }> => {
  const host = opts.host ?? '127.0.0.1';
  const headersTimeout = opts.headersTimeoutMs ?? 10_000;
  const server = createServer(
    {
      headersTimeout,
      requestTimeout: opts.requestTimeoutMs ?? 30_000,
      // How often the two time-outs above are checked (Node's default is 30 s).
      connectionsCheckingInterval: Math.min(1000, headersTimeout),
      keepAliveTimeout: 5000,
    },
    (req, res) => {
      res.on('error', () => res.destroy());
      req.on('error', () => {});
      handleRequest(handler, req, res).catch((err: Error) => {
        send(res, 500, JSON.stringify({ message: 'Internal Server Error' }));
        process.stderr.write(`http front failed: ${err.message}\n`);
      });
    },
  );
  server.on('clientError', refuseRaw);
  // No WebSocket route here: an upgrade request is an unmatched route.
  server.on('upgrade', (_req: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => socket.destroy());
    const body = messageBody(404);
    socket.end(`HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => process.stderr.write(`http front: ${err.message}\n`));
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return { server, url: `http://${shown}:${actualPort}` };
};
