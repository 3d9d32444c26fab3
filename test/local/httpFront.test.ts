import { connect } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTarget, queryParameters, startHttpFront } from '../../local/httpFront.js';

const events: APIGatewayProxyEventV2[] = [];
let front: Awaited<ReturnType<typeof startHttpFront>>;
let port: number;

beforeAll(async () => {
  front = await startHttpFront(
    async (event) => {
      events.push(event);
      if (event.pathParameters?.source === 'boom') throw new Error('handler fault');
      if (event.pathParameters?.source === 'slow') await new Promise((r) => setTimeout(r, 200));
      return { statusCode: 202, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ source: event.pathParameters?.source }) };
    },
    0,
    { headersTimeoutMs: 400, requestTimeoutMs: 800 },
  );
  port = Number(new URL(front.url).port);
});
afterAll(async () => {
  front.server.closeAllConnections();
  await new Promise((r) => front.server.close(r));
});

/** Sends bytes on a raw socket; resolves with the status line's code (if any answer came) once the server closes or `waitMs` passes. */
const raw = (data: string | Buffer, opts: { destroyAfterWrite?: boolean; waitMs?: number } = {}) =>
  new Promise<{ status?: number; text: string; closedByServer: boolean }>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    let closedByServer = false;
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1];
      resolve({ ...(status ? { status: Number(status) } : {}), text, closedByServer });
    };
    const timer = setTimeout(done, opts.waitMs ?? 3000);
    socket.on('data', (d) => {
      text += d.toString('latin1');
    });
    socket.on('end', () => {
      closedByServer = true;
      done();
    });
    socket.on('error', done);
    socket.write(data, () => {
      if (opts.destroyAfterWrite) done();
    });
  });

const post = (target: string, body = '{}', extra = '') =>
  `POST ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n${extra}\r\n${body}`;

const alive = async () => {
  const res = await fetch(`${front.url}/webhooks/acr?token=t`, { method: 'POST', body: '{}' });
  return res.status;
};

describe('local front: request targets, as API Gateway reads them', () => {
  it.each([
    ['/webhooks/acr?token=a', { path: '/webhooks/acr', query: 'token=a' }],
    ['/webhooks/acr', { path: '/webhooks/acr', query: '' }],
    ['http://example.com/webhooks/acr?x=1', { path: '/webhooks/acr', query: 'x=1' }],
    ['//[', { path: '//[', query: '' }],
    ['*', undefined],
    ['http://[', undefined],
    ['webhooks/acr', undefined],
  ])('%j', (target, parsed) => {
    expect(parseTarget(target)).toEqual(parsed);
  });

  it('joins a repeated query parameter with commas, decodes names and values, and gives none for an empty query', () => {
    expect(queryParameters('token=a&token=b&x=%41&y')).toEqual({ token: 'a,b', x: 'A', y: '' });
    expect(queryParameters('__proto__=1&constructor=2')).toEqual(
      Object.fromEntries([
        ['__proto__', '1'],
        ['constructor', '2'],
      ]),
    );
    expect(Object.getPrototypeOf(queryParameters('__proto__=1'))).toBe(Object.prototype);
    expect(queryParameters('')).toBeUndefined();
    expect(queryParameters('%zz=%')).toEqual({ '%zz': '%' });
  });
});

describe('local front: the event it hands onPush', () => {
  it('carries repeated query parameters and headers joined with commas, as API Gateway does', async () => {
    events.length = 0;
    const res = await raw(post('/webhooks/acr?token=wrong&token=right&z=1', '{"a":1}', 'X-Dup: 1\r\nX-Dup: 2\r\nAuthorization: a\r\nAuthorization: b\r\n'));
    expect(res.status).toBe(202);
    const event = events.at(-1)!;
    expect(event.queryStringParameters).toEqual({ token: 'wrong,right', z: '1' });
    expect(event.rawQueryString).toBe('token=wrong&token=right&z=1');
    expect(event.headers['x-dup']).toBe('1,2');
    expect(event.headers.authorization).toBe('a,b');
    expect(event.body).toBe('{"a":1}');
  });

  it('decodes the {source} path parameter, and has no queryStringParameters without a query', async () => {
    events.length = 0;
    expect((await raw(post('/webhooks/%61cr'))).status).toBe(202);
    expect(events.at(-1)!.pathParameters).toEqual({ source: 'acr' });
    expect(events.at(-1)!.queryStringParameters).toBeUndefined();
  });

  it('answers 500 when the handler fails, and keeps serving', async () => {
    const res = await raw(post('/webhooks/boom'));
    expect(res.status).toBe(500);
    expect(res.text).toContain('{"message":"Internal Server Error"}');
    expect(await alive()).toBe(202);
  });

  it('survives a client that leaves while the handler runs', async () => {
    await raw(post('/webhooks/slow'), { destroyAfterWrite: true });
    await new Promise((r) => setTimeout(r, 300));
    expect(await alive()).toBe(202);
  });
});

describe('local front: hostile requests get a 4xx (or a closed connection) and the server keeps serving', () => {
  it.each([
    ['a percent-encoding that does not decode', post('/webhooks/%E0%A4%A'), 400],
    ['a lone "%" in the source', post('/webhooks/%'), 400],
    ['an invalid UTF-8 sequence', post('/webhooks/%ff%fe'), 400],
    ['the target "//["', post('//['), 404],
    ['the target "*"', 'OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n', 400],
    ['an absolute target that is no URL', post('http://[/webhooks/acr'), 400],
    ['an unknown route', post('/hooks/acr'), 404],
    ['GET on the webhook route', 'GET /webhooks/acr HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 404],
    ['DELETE on the webhook route', 'DELETE /webhooks/acr HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 404],
    ['a bad chunk size', 'POST /webhooks/acr HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n', 400],
    [
      'Content-Length and Transfer-Encoding together',
      'POST /webhooks/acr HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      400,
    ],
    ['two different Content-Lengths', 'POST /webhooks/acr HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab', 400],
    ['a header without a colon', 'POST /webhooks/acr HTTP/1.1\r\nHost: x\r\nbroken header\r\n\r\n', 400],
    ['a NUL in the target', 'POST /webhooks/a\u0000cr HTTP/1.1\r\nHost: x\r\n\r\n', 400],
    ['garbage', '\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003', 400],
    ['headers over the size limit', `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
    ['an upgrade to WebSocket', 'GET /webhooks/acr HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n', 404],
    ['Expect: something unknown', 'POST /webhooks/acr HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\nContent-Length: 2\r\n\r\n{}', 417],
    ['a declared body over the limit', 'POST /webhooks/acr HTTP/1.1\r\nHost: x\r\nContent-Length: 3000000\r\n\r\n{', 413],
  ])('%s', async (_what, request, status) => {
    const res = await raw(request);
    expect(res.status).toBe(status);
    expect(await alive()).toBe(202);
  });

  it('a streamed body over the limit: 413, and the connection is closed', async () => {
    const chunk = 'a'.repeat(64 * 1024);
    const body = Array.from({ length: 40 }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`).join('');
    const res = await raw(`POST /webhooks/acr HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${body}`);
    expect(res.status).toBe(413);
    expect(await alive()).toBe(202);
  });

  it('a client that closes mid-body: the handler never runs, the server keeps serving', async () => {
    events.length = 0;
    await raw('POST /webhooks/acr HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"half":', { destroyAfterWrite: true });
    await raw('POST /webhooks/acr HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc', { destroyAfterWrite: true });
    await new Promise((r) => setTimeout(r, 100));
    expect(events).toEqual([]);
    expect(await alive()).toBe(202);
  });

  it('slow headers: 408 once the headers time-out passes, and the connection is closed', async () => {
    const started = Date.now();
    const res = await raw('POST /webhooks/acr HTTP/1.1\r\nHost: x\r\n', { waitMs: 5000 });
    expect(res.status).toBe(408);
    expect(res.closedByServer).toBe(true);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('a body sent too slowly: 408 once the request time-out passes', async () => {
    const res = await raw('POST /webhooks/acr HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{', { waitMs: 5000 });
    expect(res.status).toBe(408);
  });

  it('listens on 127.0.0.1 unless told otherwise', () => {
    expect(front.url).toBe(`http://127.0.0.1:${port}`);
    expect(front.server.address()).toMatchObject({ address: '127.0.0.1' });
  });
});
