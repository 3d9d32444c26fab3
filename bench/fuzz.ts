import { type ChildProcess, fork } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DEMO_SECRET } from '../local/demoConfig.js';
import type { Stack } from '../local/stack.js';

/**
 * A bounded hostile run against local mode: malformed targets and framing, aborted, oversized and slow requests on
 * raw sockets; prototype keys as sources, names no registry produces, repeated tokens and junk bodies through fetch.
 * Every request it sends should be refused: a 2xx, a queued job, a vendor call or a chat post is a leak.
 */

/** Where to send: the webhook front and the secrets of its `acr` source and (if any) `harbor` source. */
export interface FuzzTarget {
  url: string;
  acrSecret: string;
  harborSecret?: string;
}

export interface FuzzOptions {
  /** The target; a function when it can change during the run (a restarted server). */
  target: FuzzTarget | (() => FuzzTarget);
  /** Stop after this many requests… */
  count?: number;
  /** …or after this long, whichever comes first. */
  timeLimitMs?: number;
  seed?: number;
  concurrency?: number;
  /** Clients that send their headers one byte a second; each should be cut off by the server's headers time-out. */
  slowClients?: number;
  /** How long a slow client waits to be cut off. */
  slowClientLimitMs?: number;
  /** Resolves once a server that refused a connection is back (restarted after a crash). */
  whenDown?: () => Promise<void>;
}

export type AnswerClass = '2xx' | '3xx' | '4xx' | '5xx' | 'aborted by us' | 'closed without answer' | 'no answer in time' | 'connection refused';

export interface FuzzTally {
  sent: number;
  durationMs: number;
  stoppedBy: 'count' | 'time';
  byClass: Record<AnswerClass, number>;
  byStatus: Record<string, number>;
  /** Jobs the webhook said it accepted (queued) for these requests: each one a leak. */
  acceptedJobs: number;
  /** Requests the server closed or left without an answer, by case. */
  unanswered: Record<string, number>;
  /** Requests answered 2xx or 5xx: the case and the status, the first 20. */
  unexpected: { name: string; status: number }[];
  /** Slow clients the server cut off in time, of those started. */
  slowClientsCut: number;
  slowClients: number;
  /** The server answered a plain request after the run. */
  alive: boolean;
}

type Case =
  | { kind: 'raw'; name: string; bytes: string | Buffer; abort?: boolean }
  | { kind: 'http'; name: string; method: string; path: string; headers: Record<string, string>; body?: string };

/** A small seeded PRNG (mulberry32): the same seed, the same run. */
const random = (seed: number) => {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(list: readonly T[]): T => list[int(list.length)]!;
  return { next, int, pick };
};
type Random = ReturnType<typeof random>;

const PROTO_KEYS = [
  'constructor',
  '__proto__',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__defineGetter__',
  '%5F%5Fproto%5F%5F',
  'constructor%2Fprototype',
];

/** Fragments no registry name can hold, wherever they are put: each makes a namespace, repository or tag invalid. */
const BAD_FRAGMENTS = [
  '\u0000',
  '\u001b[31m',
  '\u001b]8;;http://evil.example\u0007',
  '../',
  ' ',
  '\n',
  '\r\n',
  '\t',
  '%00',
  '$(id)',
  '`id`',
  ';rm',
  '|',
  '"',
  "'",
  '<script>',
  '\\',
  '\u202e',
  '\ufeff',
  'é',
  '😀',
  ':',
  '@',
  '#',
  '?',
  '&',
  '*',
  '{{x}}',
];
const CONTROL = ['\u0000', '\u001b[2J', '\u0007', '\n', '\u007f', '\u0085'];

const BAD_TARGETS = [
  '//[',
  '/%',
  '/webhooks/%',
  '/webhooks/%E0%A4%A',
  '/webhooks/%ff',
  '/webhooks/%C0%AF',
  '/webhooks/%uD800',
  '*',
  'http://[',
  'http://x:99999/webhooks/acr',
  '/webhooks/acr/../../x',
  '/webhooks/..%2F..%2Fetc',
  '/webhooks/acr?token=%',
  '/webhooks//acr',
  '/\\webhooks\\acr',
  'webhooks/acr',
  '?',
  `/webhooks/${'a'.repeat(4000)}`,
  '/webhooks/acr/extra/segments',
];

const METHODS = ['GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'HEAD', 'PROPFIND', 'post', 'P0ST'];

const insert = (rng: Random, value: string, fragment: string) => {
  const at = rng.int(value.length + 1);
  return `${value.slice(0, at)}${fragment}${value.slice(at)}`;
};

const DIGEST = `sha256:${'5a'.repeat(32)}`;
const acrPush = () => ({
  push_data: { digest: DIGEST, pushed_at: '2026-11-22 14:25:46', tag: '1.4.2' },
  repository: { name: 'fuzz-app', namespace: 'team-a', region: 'cn-hangzhou', repo_full_name: 'team-a/fuzz-app' },
});

/** An ACR push with one field that no registry would send. */
const badAcrPush = (rng: Random): { name: string; body: unknown } => {
  const push = acrPush();
  const field = rng.pick(['tag', 'name', 'namespace', 'region', 'digest', 'pushed_at', 'long-tag', 'huge-tag', 'long-name', 'upper-name'] as const);
  switch (field) {
    case 'tag':
      push.push_data.tag = insert(rng, push.push_data.tag, rng.pick([...BAD_FRAGMENTS, '/']));
      break;
    case 'name':
      push.repository.name = insert(rng, push.repository.name, rng.pick(BAD_FRAGMENTS));
      break;
    case 'namespace':
      push.repository.namespace = insert(rng, push.repository.namespace, rng.pick([...BAD_FRAGMENTS, '/']));
      break;
    case 'region':
      push.repository.region = insert(rng, push.repository.region, rng.pick(BAD_FRAGMENTS));
      break;
    case 'digest':
      push.push_data.digest = rng.pick([DIGEST.toUpperCase(), `${DIGEST}0`, `sha512:${'5a'.repeat(64)}`, `${DIGEST.slice(0, -1)}\u0000`]);
      break;
    case 'pushed_at':
      push.push_data.pushed_at = rng.next() < 0.5 ? insert(rng, push.push_data.pushed_at, rng.pick(CONTROL)) : 'x'.repeat(65 + rng.int(5000));
      break;
    case 'long-tag':
      push.push_data.tag = 'v'.repeat(129 + rng.int(1000));
      break;
    case 'huge-tag':
      push.push_data.tag = 'a'.repeat(200 * 1024);
      break;
    case 'long-name':
      push.repository.name = `${'a'.repeat(100)}/`.repeat(3).slice(0, -1);
      break;
    case 'upper-name':
      push.repository.name = 'Fuzz-App';
      break;
  }
  return { name: `acr name: ${field}`, body: push };
};

/** A Harbor push or scan result whose repository or tag no registry would send. */
const badHarborEvent = (rng: Random): { name: string; body: unknown } => {
  const type = rng.pick(['PUSH_ARTIFACT', 'SCANNING_COMPLETED', 'SCANNING_FAILED']);
  const bad = rng.pick(['repository', 'tag', 'project'] as const);
  const repo = bad === 'repository' ? insert(rng, 'fuzz/app', rng.pick(BAD_FRAGMENTS)) : 'fuzz/app';
  const project = bad === 'project' ? insert(rng, 'team-a', rng.pick([...BAD_FRAGMENTS, '/'])) : 'team-a';
  const tag = bad === 'tag' ? insert(rng, '1.4.2', rng.pick([...BAD_FRAGMENTS, '/'])) : '1.4.2';
  return {
    name: `harbor ${type}: ${bad}`,
    body: {
      type,
      occur_at: 1795328780,
      event_data: {
        resources: [
          {
            digest: DIGEST,
            tag,
            resource_url: `harbor.example.com/${project}/${repo}:1.4.2`,
            scan_overview: {
              'application/vnd.security.vulnerability.report; version=1.1': {
                scan_status: 'Success',
                severity: 'High',
                summary: { total: 1, fixable: 1, summary: { High: 1 } },
              },
            },
          },
        ],
        repository: { name: repo, namespace: project, repo_full_name: `${project}/${repo}` },
      },
    },
  };
};

const post = (target: string, body: string, extra = '') =>
  `POST ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n${extra}\r\n${body}`;

/** One hostile request, chosen by the generator. */
const hostileCase = (rng: Random, t: FuzzTarget): Case => {
  const token = encodeURIComponent(t.acrSecret);
  const json = { 'content-type': 'application/json' };
  const acrBody = JSON.stringify(acrPush());
  const family = rng.int(20);
  switch (family) {
    case 0:
    case 1:
      return { kind: 'raw', name: 'raw: bad target', bytes: post(rng.pick(BAD_TARGETS), acrBody) };
    case 2: {
      const junk = Array.from({ length: 1 + rng.int(6) }, () => `%${rng.pick(['', 'f', 'zz', 'ff', 'C0', 'E0%A4', 'D8%00', 'G1'])}`).join('');
      return { kind: 'raw', name: 'raw: bad percent-encoding', bytes: post(`/webhooks/${insert(rng, 'acr', junk)}?token=${token}`, acrBody) };
    }
    case 3: {
      const framing = [
        'POST /webhooks/acr HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n',
        'POST /webhooks/acr HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
        'POST /webhooks/acr HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab',
        'POST /webhooks/acr HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
        'POST /webhooks/acr HTTP/1.1\r\nHost: x\r\nbroken header\r\n\r\n',
        'POST /webhooks/acr HTTP/9.9\r\nHost: x\r\nContent-Length: 0\r\n\r\n',
        'POST /webhooks/acr HTTP/1.1\r\nContent-Length: 0\r\n\r\n',
        'POST /webhooks/acr HTTP/1.1\r\nHost: x\r\nX\u0001Bad: y\r\nContent-Length: 0\r\n\r\n',
        'POST /webhooks/acr HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n  folded\r\nContent-Length: 0\r\n\r\n',
        'POST /webhooks/a\u0000cr HTTP/1.1\r\nHost: x\r\n\r\n',
        'POST /webhooks/acr HTTP/1.1\nHost: x\nContent-Length: 0\n\n',
        'POST /webhooks/acr HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked, identity\r\n\r\n0\r\n\r\n',
        `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
        'POST /webhooks/acr HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\nGET /x HTTP/1.1\r\n\r\n\u0000\u0000',
      ];
      return { kind: 'raw', name: 'raw: bad framing', bytes: rng.pick(framing) };
    }
    case 4:
      return {
        kind: 'raw',
        name: 'raw: garbage',
        bytes: Buffer.from(Array.from({ length: 1 + rng.int(300) }, () => rng.int(256))),
      };
    case 5: {
      const partial = [
        `POST /webhooks/acr?token=${token} HTTP/1.1\r\nHost: x\r\nContent-Length: ${acrBody.length}\r\n\r\n${acrBody.slice(0, rng.int(acrBody.length))}`,
        'POST /webhooks/acr HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc',
        'POST /webhooks/acr HTTP/1.1\r\nHost: x\r\nContent-Le',
        `POST /webhooks/acr?token=${token} HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n`,
      ];
      return { kind: 'raw', name: 'raw: client aborts', bytes: rng.pick(partial), abort: true };
    }
    case 6: {
      if (rng.int(10) === 0) {
        const chunk = 'a'.repeat(64 * 1024);
        const body = Array.from({ length: 34 }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`).join('');
        return {
          kind: 'raw',
          name: 'raw: oversized streamed body',
          bytes: `POST /webhooks/acr HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${body}`,
        };
      }
      return { kind: 'raw', name: 'raw: oversized declared body', bytes: 'POST /webhooks/acr HTTP/1.1\r\nHost: x\r\nContent-Length: 3000000\r\n\r\n{' };
    }
    case 7:
      return {
        kind: 'raw',
        name: 'raw: wrong method',
        bytes: `${rng.pick(METHODS)} ${rng.pick(['/webhooks/acr', '/', '/webhooks', '/health'])}?token=${token} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      };
    case 8:
      return {
        kind: 'http',
        name: 'fetch: prototype key as source',
        method: 'POST',
        path: `/webhooks/${rng.pick(PROTO_KEYS)}?token=${token}`,
        headers: json,
        body: acrBody,
      };
    case 9:
    case 10:
    case 11:
    case 12: {
      const bad = badAcrPush(rng);
      return { kind: 'http', name: `fetch: ${bad.name}`, method: 'POST', path: `/webhooks/acr?token=${token}`, headers: json, body: JSON.stringify(bad.body) };
    }
    case 13:
    case 14: {
      if (!t.harborSecret) return hostileCase(rng, t);
      const bad = badHarborEvent(rng);
      return {
        kind: 'http',
        name: `fetch: ${bad.name}`,
        method: 'POST',
        path: '/webhooks/harbor',
        headers: { ...json, authorization: t.harborSecret },
        body: JSON.stringify(bad.body),
      };
    }
    case 15: {
      const query = rng.pick([
        `token=wrong&token=${token}`,
        `token=${token}&token=wrong`,
        `token=${token}&token=${token}`,
        `token=${token},x`,
        `token[]=${token}`,
      ]);
      return { kind: 'http', name: 'fetch: repeated token', method: 'POST', path: `/webhooks/acr?${query}`, headers: json, body: acrBody };
    }
    case 16: {
      const bodies = [
        '',
        'null',
        '[]',
        '"x"',
        '{"__proto__":{"push_data":{}}}',
        '{"constructor":{"prototype":{"x":1}}}',
        '['.repeat(100_000),
        `{"push_data":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`,
        Buffer.from(Array.from({ length: 200 }, () => rng.int(256))).toString('latin1'),
        '{"push_data": {"digest": 1e999, "tag": []}}',
      ];
      return { kind: 'http', name: 'fetch: junk body', method: 'POST', path: `/webhooks/acr?token=${token}`, headers: json, body: rng.pick(bodies) };
    }
    case 17:
      return {
        kind: 'http',
        name: 'fetch: wrong content type',
        method: 'POST',
        path: `/webhooks/acr?token=${token}`,
        headers: {
          'content-type': rng.pick([
            'text/plain',
            'application/x-www-form-urlencoded',
            'multipart/form-data; boundary=x',
            'application/jsonx',
            'application/json-patch+json',
          ]),
        },
        body: acrBody,
      };
    case 18:
      return {
        kind: 'http',
        name: 'fetch: wrong or missing secret',
        method: 'POST',
        path: `/webhooks/${rng.pick(['acr', 'harbor', 'swr'])}${rng.next() < 0.5 ? '' : `?token=${encodeURIComponent(insert(rng, t.acrSecret, 'x'))}`}`,
        headers: { ...json, ...(rng.next() < 0.5 ? { authorization: 'Bearer nope' } : {}) },
        body: acrBody,
      };
    default:
      return {
        kind: 'raw',
        name: 'raw: upgrade / expect',
        bytes: post(
          `/webhooks/acr?token=wrong`,
          acrBody,
          rng.pick(['Upgrade: websocket\r\nConnection: Upgrade\r\n', 'Expect: 200-ok\r\n', 'Expect: 100-continue\r\n']),
        ),
      };
  }
};

interface Answer {
  status?: number;
  accepted?: number;
  klass: AnswerClass;
}

const classOf = (status: number): AnswerClass => (status >= 500 ? '5xx' : status >= 400 ? '4xx' : status >= 300 ? '3xx' : '2xx');

/** Writes the bytes and reads the status line, or how the connection ended without one. */
export const sendRaw = (url: URL, bytes: string | Buffer, abort: boolean, timeoutMs = 8000): Promise<Answer> =>
  new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    let text = '';
    let settled = false;
    const finish = (answer: Answer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => finish({ klass: 'no answer in time' }), timeoutMs);
    socket.on('data', (d) => {
      text += d.toString('latin1');
      // A 100 Continue is not the answer; the final status follows it.
      const final = text.replace(/^(HTTP\/1\.[01] 1\d\d[^\r]*\r\n(?:[^\r]+\r\n)*\r\n)+/, '');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(final)?.[1];
      if (status && !status.startsWith('1') && final.includes('\r\n\r\n')) finish({ status: Number(status), klass: classOf(Number(status)) });
    });
    socket.on('close', () => finish({ klass: 'closed without answer' }));
    socket.on('error', (err: NodeJS.ErrnoException) => finish({ klass: err.code === 'ECONNREFUSED' ? 'connection refused' : 'closed without answer' }));
    socket.on('connect', () => {
      socket.write(bytes, () => {
        if (abort) finish({ klass: 'aborted by us' });
      });
    });
  });

const sendHttp = async (base: string, c: Extract<Case, { kind: 'http' }>): Promise<Answer> => {
  try {
    const res = await fetch(`${base}${c.path}`, {
      method: c.method,
      headers: c.headers,
      ...(c.body === undefined ? {} : { body: c.body }),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    let accepted: number | undefined;
    try {
      accepted = (JSON.parse(text) as { accepted?: number }).accepted;
    } catch {}
    return { status: res.status, klass: classOf(res.status), ...(typeof accepted === 'number' ? { accepted } : {}) };
  } catch (err) {
    const code = ((err as Error).cause as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ECONNREFUSED') return { klass: 'connection refused' };
    return { klass: (err as Error).name === 'TimeoutError' ? 'no answer in time' : 'closed without answer' };
  }
};

/** A client that sends a request line and then one header byte a second: cut off by the server, or not within `limitMs`. */
const slowClient = (url: URL, limitMs: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    const bytes = 'X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
    let i = 0;
    const drip = setInterval(() => {
      if (socket.writable) socket.write(bytes[i++ % bytes.length]!);
    }, 1000);
    const end = (cut: boolean) => {
      clearInterval(drip);
      clearTimeout(limit);
      socket.destroy();
      resolve(cut);
    };
    const limit = setTimeout(() => end(false), limitMs);
    socket.on('connect', () => socket.write('POST /webhooks/acr HTTP/1.1\r\nHost: x\r\n'));
    socket.on('close', () => end(true));
    socket.on('error', () => end(true));
    socket.resume(); // the server's 408, read so that its close arrives
  });

export const isAlive = async (url: string): Promise<boolean> => {
  try {
    const res = await fetch(`${url}/webhooks/acr`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(5000) });
    await res.text();
    return res.status === 401 || res.status === 404;
  } catch {
    return false;
  }
};

/** Sends hostile requests to `target` until `count` are sent or `timeLimitMs` has passed, and tallies the answers. */
export const runFuzz = async (opts: FuzzOptions): Promise<FuzzTally> => {
  const target = typeof opts.target === 'function' ? opts.target : () => opts.target as FuzzTarget;
  const count = opts.count ?? 3000;
  const timeLimitMs = opts.timeLimitMs ?? 60_000;
  const rng = random(opts.seed ?? 1);
  const started = Date.now();
  const tally: FuzzTally = {
    sent: 0,
    durationMs: 0,
    stoppedBy: 'count',
    byClass: {
      '2xx': 0,
      '3xx': 0,
      '4xx': 0,
      '5xx': 0,
      'aborted by us': 0,
      'closed without answer': 0,
      'no answer in time': 0,
      'connection refused': 0,
    },
    byStatus: {},
    acceptedJobs: 0,
    unanswered: {},
    unexpected: [],
    slowClientsCut: 0,
    slowClients: opts.slowClients ?? 0,
    alive: false,
  };
  const slowLimit = opts.slowClientLimitMs ?? 15_000;
  const slow = Array.from({ length: tally.slowClients }, () => slowClient(new URL(target().url), slowLimit));

  const worker = async () => {
    for (;;) {
      if (tally.sent >= count) return;
      if (Date.now() - started >= timeLimitMs) {
        tally.stoppedBy = 'time';
        return;
      }
      tally.sent++;
      const t = target();
      const c = hostileCase(rng, t);
      const answer = c.kind === 'raw' ? await sendRaw(new URL(t.url), c.bytes, c.abort ?? false) : await sendHttp(t.url, c);
      tally.byClass[answer.klass]++;
      if (answer.status !== undefined) {
        tally.byStatus[answer.status] = (tally.byStatus[answer.status] ?? 0) + 1;
        if ((answer.status < 400 || answer.status >= 500) && tally.unexpected.length < 20) tally.unexpected.push({ name: c.name, status: answer.status });
      }
      tally.acceptedJobs += answer.accepted ?? 0;
      if (answer.klass === 'connection refused' && opts.whenDown) {
        // The crash is noticed a moment after its sockets close.
        await new Promise((r) => setTimeout(r, 300));
        await opts.whenDown();
      }
      if (answer.klass === 'closed without answer' || answer.klass === 'no answer in time') tally.unanswered[c.name] = (tally.unanswered[c.name] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency ?? 16 }, worker));
  tally.slowClientsCut = (await Promise.all(slow)).filter(Boolean).length;
  tally.durationMs = Date.now() - started;
  tally.alive = await isAlive(target().url);
  return tally;
};

/** What local mode reports about itself: its memory and everything the hostile requests may have reached. */
export interface StackStats {
  rssBytes: number;
  vendorCalls: Record<string, number>;
  chatPosts: number;
  queuedMessages: number;
}

export const stackStats = async (stack: Stack): Promise<StackStats> => {
  return {
    rssBytes: process.memoryUsage().rss,
    vendorCalls: { ACR: stack.acr.calls.length, 'Security Center': stack.sas.calls.length, 'SWR EE': stack.swr.calls.length, HSS: stack.hss.calls.length },
    chatPosts: stack.chat.posts.length,
    queuedMessages: await stack.queues.queued(),
  };
};

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

export const formatTally = (t: FuzzTally): string[] => {
  const noAnswer = t.byClass['aborted by us'] + t.byClass['closed without answer'] + t.byClass['no answer in time'] + t.byClass['connection refused'];
  return [
    `  requests: ${t.sent} in ${(t.durationMs / 1000).toFixed(1)} s (stopped by ${t.stoppedBy})`,
    `  answers by class: 2xx ${t.byClass['2xx']} · 3xx ${t.byClass['3xx']} · 4xx ${t.byClass['4xx']} · 5xx ${t.byClass['5xx']} · no answer ${noAnswer} (aborted by us ${t.byClass['aborted by us']}, closed by the server ${t.byClass['closed without answer']}, timed out ${t.byClass['no answer in time']}, refused ${t.byClass['connection refused']})`,
    `  by status: ${Object.entries(t.byStatus)
      .map(([s, n]) => `${s} ×${n}`)
      .join(' · ')}`,
    `  slow-header clients cut off by the server: ${t.slowClientsCut} of ${t.slowClients}`,
    ...(Object.keys(t.unanswered).length
      ? [
          `  closed or left without an answer: ${Object.entries(t.unanswered)
            .map(([name, n]) => `${name} ×${n}`)
            .join(' · ')}`,
        ]
      : []),
    ...(t.unexpected.length ? [`  unexpected answers: ${t.unexpected.map((u) => `${u.name} → ${u.status}`).join('; ')}`] : []),
  ];
};

// ---- `npx tsx bench/fuzz.ts`: local mode in a child process (a crash is seen, counted and restarted), the run against it.

/** The child: the demo stack as `npm start` runs it, on free ports, answering the parent's questions. */
const serve = async () => {
  process.stdout.write = (() => true) as typeof process.stdout.write; // the functions log every refused webhook
  const { startStack } = await import('../local/stack.js');
  const stack = await startStack({ port: 0, env: { ...process.env, SCANHOOK_CONFIG: '' } });
  process.on('message', async (message) => {
    if (message === 'stats') process.send?.({ type: 'stats', stats: await stackStats(stack) });
  });
  process.send?.({ type: 'ready', url: stack.url });
};

interface Child {
  process: ChildProcess;
  url: string;
  stderr: string[];
}

const startChild = (): Promise<Child> =>
  new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--serve'], { execArgv: process.execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const stderr: string[] = [];
    child.on('error', () => {});
    child.stderr?.on('data', (d: Buffer) => {
      stderr.push(d.toString('utf8'));
      if (stderr.length > 50) stderr.shift();
    });
    const onReady = (m: any) => {
      if (m?.type === 'ready') {
        child.off('message', onReady);
        resolve({ process: child, url: m.url, stderr });
      }
    };
    child.on('message', onReady);
    child.once('exit', (code) => reject(new Error(`local mode did not start (exit ${code}): ${stderr.join('').slice(-500)}`)));
  });

const askStats = (child: Child): Promise<StackStats> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('local mode did not report its stats')), 10_000);
    const onStats = (m: any) => {
      if (m?.type !== 'stats') return;
      clearTimeout(timer);
      child.process.off('message', onStats);
      resolve(m.stats as StackStats);
    };
    child.process.on('message', onStats);
    if (!child.process.connected) return reject(new Error('local mode is gone'));
    child.process.send('stats', (err) => {
      if (err) reject(err);
    });
  });

/** Where a crash happened: the first line of its error and the first frame in this repository. */
const crashLine = (stderr: string) => {
  const lines = stderr.split('\n').map((l) => l.trim());
  const error =
    lines.find((l) => /^(\w*Error|Error)\b|^Uncaught|^node:internal/.test(l) && !l.startsWith('node:internal')) ?? lines.find((l) => l !== '') ?? '';
  const frame = lines.find((l) => l.startsWith('at ') && /\/(local|functions|shared)\//.test(l)) ?? '';
  return `${error.slice(0, 160)}${frame ? ` ${frame.replace(/^at .*\((.*)\)$/, '$1').replace(/^.*\/(local|functions|shared)\//, '$1/')}` : ''}`;
};

/** A valid push, to show the counters count: the ms it took to reach the ACR simulator, or 0 if it did not in 15 s. */
const controlPush = async (child: Child): Promise<number> => {
  const started = Date.now();
  const calls = async () => (await askStats(child)).vendorCalls.ACR ?? 0;
  const before = await calls();
  const push = {
    push_data: { digest: `sha256:${'c0'.repeat(32)}`, pushed_at: '2026-11-22 14:25:46', tag: '1.0.0' },
    repository: { name: 'fuzz-control', namespace: 'team-a', region: 'cn-hangzhou', repo_full_name: 'team-a/fuzz-control' },
  };
  const res = await fetch(`${child.url}/webhooks/acr?token=${encodeURIComponent(DEMO_SECRET)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(push),
  });
  if (res.status !== 202) return 0;
  while (Date.now() - started < 15_000) {
    if ((await calls()) > before) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 200));
  }
  return 0;
};

/** The hostile run: local mode in a child process, `count` requests or `timeLimitMs`, whichever comes first. Returns the report's lines. */
export const hostileRun = async (opts: { count?: number; timeLimitMs?: number; seed?: number } = {}): Promise<string[]> => {
  let child = await startChild();
  const crashes: string[] = [];
  let stopping = false;
  let restarted: Promise<void> = Promise.resolve();
  // What each local mode (one per restart) last said: a crash takes its counters with it.
  const lastStats: StackStats[] = [await askStats(child)];
  const before = lastStats[0]!;
  const watch = (c: Child) => {
    c.process.once('exit', () => {
      if (stopping) return;
      crashes.push(crashLine(c.stderr.join('')));
      restarted = startChild().then((next) => {
        child = next;
        lastStats.push(before);
        watch(next);
      });
    });
  };
  watch(child);
  const poll = setInterval(() => {
    const generation = lastStats.length - 1;
    askStats(child).then(
      (stats) => {
        if (generation === lastStats.length - 1) lastStats[generation] = stats;
      },
      () => {},
    );
  }, 1000);
  const target = () => ({ url: child.url, acrSecret: DEMO_SECRET, harborSecret: DEMO_SECRET });
  const tally = await runFuzz({
    target,
    count: opts.count ?? 3000,
    timeLimitMs: opts.timeLimitMs ?? 60_000,
    seed: opts.seed ?? 1,
    slowClients: 4,
    whenDown: () => restarted,
  });
  // A job that slipped through reaches its vendor within a scan batching window.
  await new Promise((r) => setTimeout(r, 3000));
  await restarted;
  clearInterval(poll);
  lastStats[lastStats.length - 1] = await askStats(child);
  const after = lastStats.at(-1)!;
  const control = await controlPush(child);
  stopping = true;
  child.process.kill('SIGTERM');
  const sum = (f: (s: StackStats) => number) => lastStats.reduce((n, s) => n + f(s), 0);
  const vendors = Object.keys(after.vendorCalls).map((k) => [k, sum((s) => s.vendorCalls[k] ?? 0)] as const);
  return [
    `hostile run against local mode (the demo stack, as npm start runs it) · seed ${opts.seed ?? 1}`,
    ...formatTally(tally),
    `  crashes: ${crashes.length}${crashes.length ? ` (${[...new Set(crashes)].join(' | ')}; each restarted)` : ''} · answering at the end of the run: ${tally.alive ? 'yes' : 'NO'}`,
    `  invalid requests that reached a queue: ${tally.acceptedJobs} jobs accepted, ${sum((s) => s.queuedMessages)} messages in the queues and DLQs`,
    `  …or a vendor: ${vendors.reduce((n, [, v]) => n + v, 0)} calls (${vendors.map(([k, v]) => `${k} ${v}`).join(', ')}) · chat posts: ${sum((s) => s.chatPosts)}`,
    `  control: a valid push after the run ${control ? `was answered 202 and reached ACR in ${(control / 1000).toFixed(1)} s` : 'did NOT reach ACR within 15 s'}`,
    `  RSS of local mode: before ${mb(before.rssBytes)}, after ${mb(after.rssBytes)}${crashes.length ? ` (the process started after the last crash)` : ''}`,
  ];
};

const main = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (main && process.argv.includes('--serve')) await serve();
else if (main) {
  const lines = await hostileRun({ count: Number(process.env.FUZZ_COUNT ?? 3000), timeLimitMs: Number(process.env.FUZZ_SECONDS ?? 60) * 1000 });
  console.log(lines.join('\n'));
  process.exit(0);
}
