import { describe, expect, it } from 'vitest';
import { handleWebhook } from '../../../functions/onPush/handler.js';
import { MAX_BODY_BYTES, secretMatches, type WebhookHttpRequest } from '../../../functions/onPush/readRequest.js';
import { type Config, parseConfig } from '../../../shared/config/config.js';
import { globMatches, globToRegExp } from '../../../shared/config/glob.js';
import { matchRoute } from '../../../shared/config/matchRoute.js';
import type { JobQueue } from '../../../shared/queue/jobQueue.js';
import type { Runtime } from '../../../shared/runtime/runtime.js';
import { readEvent } from '../../support/events.js';
import { fakeRuntime, recordingQueue } from '../../support/runtime.js';

const SECRET = 'acr-webhook-secret-0123456789';
const PROD_SECRET = 'prod-webhook-secret-9876543210';
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const DIGEST2 = `sha256:${'cd'.repeat(32)}`;
const NOW = new Date('2024-06-01T12:00:00.000Z');

const config: Config = parseConfig({
  sources: { acr: { secret: SECRET }, 'acr-prod': { type: 'acr', secret: PROD_SECRET } },
  scanners: {
    'acr-hz': { type: 'acr', region: 'cn-hangzhou', instanceId: 'cri-hz' },
    'acr-sh': { type: 'acr', region: 'cn-shanghai', instanceId: 'cri-sh' },
  },
  channels: {
    releases: { type: 'webhook', url: 'https://example.com/releases' },
    everything: { type: 'webhook', url: 'https://example.com/all' },
  },
  routes: [
    { source: 'acr', namespace: 'team', repository: 'api-*', tag: 'v*', scanner: 'acr-hz', channels: ['releases', 'everything'] },
    { source: 'acr', namespace: 'team', scanner: 'acr-sh', channels: ['everything'] },
    { source: 'acr-prod', namespace: 'prod*', repository: '*', tag: '*', scanner: 'acr-sh', channels: ['everything'] },
  ],
});

const recorder = (opts: { fail?: Error } = {}) => {
  const { queue, sent, calls } = recordingQueue(opts);
  return { queue, scanJobs: sent.scanJobs, notifyJobs: sent.results, calls };
};

const runtime = (queue: JobQueue, cfg: Config = config): Runtime =>
  fakeRuntime(cfg, queue, { now: () => NOW, maxReceiveCount: { intake: 3, scan: 3, poll: 3, notify: 3 } });

const acrPayload = (over: { namespace?: string; name?: string; tag?: string; digest?: string } = {}) => ({
  push_data: { digest: over.digest ?? DIGEST, pushed_at: '2024-06-01 20:00:00', tag: over.tag ?? 'v1.4.2' },
  repository: {
    name: over.name ?? 'api-gw',
    namespace: over.namespace ?? 'team',
    region: 'cn-hangzhou',
    repo_full_name: `${over.namespace ?? 'team'}/${over.name ?? 'api-gw'}`,
  },
});

const request = (over: Partial<WebhookHttpRequest> & { payload?: unknown } = {}): WebhookHttpRequest => ({
  source: 'acr',
  headers: { 'Content-Type': 'application/json' },
  query: { token: SECRET },
  body: JSON.stringify(over.payload ?? acrPayload()),
  ...over,
});

const send = async (req: WebhookHttpRequest, cfg: Config = config) => {
  const rec = recorder();
  const res = await handleWebhook(runtime(rec.queue, cfg), req);
  return { res, body: JSON.parse(res.body) as Record<string, any>, ...rec };
};

describe('handleWebhook: refusals (nothing is queued)', () => {
  it('404 for an unknown source', async () => {
    const { res, body, calls } = await send(request({ source: 'github' }));
    expect(res.statusCode).toBe(404);
    expect(body.error).toBe('unknown source "github"');
    expect(res.headers['content-type']).toBe('application/json');
    expect(calls).toEqual([]);
  });

  it.each([
    ['no token', {}],
    ['an undefined token', { token: undefined }],
    ['a wrong token', { token: 'acr-webhook-secret-012345678X' }],
    ['a prefix of the token', { token: SECRET.slice(0, -1) }],
    ['the token plus more', { token: `${SECRET}x` }],
    ['an empty token', { token: '' }],
    ['another source’s token', { token: PROD_SECRET }],
  ])('401 for %s', async (_name, query) => {
    const { res, body, calls } = await send(request({ query }));
    expect(res.statusCode).toBe(401);
    expect(body.error).toBe('missing or wrong webhook secret');
    expect(res.body).not.toContain(SECRET);
    expect(calls).toEqual([]);
  });

  it('the token is checked before the body is even looked at', async () => {
    const { res } = await send(request({ query: {}, body: 'x'.repeat(MAX_BODY_BYTES + 10), headers: { 'content-type': 'text/plain' } }));
    expect(res.statusCode).toBe(401);
  });

  it('413 for a body over 256 KiB, counted in bytes', async () => {
    expect(MAX_BODY_BYTES).toBe(256 * 1024);
    const json = JSON.stringify(acrPayload());
    const exactly = json + ' '.repeat(MAX_BODY_BYTES - Buffer.byteLength(json));
    expect((await send(request({ body: exactly }))).res.statusCode).toBe(202);
    const over = await send(request({ body: `${exactly} ` }));
    expect(over.res.statusCode).toBe(413);
    expect(over.body.error).toBe('body larger than 256 KiB');
    expect(over.calls).toEqual([]);
    // 100 000 CJK characters: under the limit in characters, 300 000 bytes in UTF-8
    const cjk = JSON.stringify({ ...acrPayload(), note: '中'.repeat(100_000) });
    expect(cjk.length).toBeLessThan(MAX_BODY_BYTES);
    expect((await send(request({ body: cjk }))).res.statusCode).toBe(413);
  });

  it('413 applies to the decoded size of a base64 body', async () => {
    const json = JSON.stringify(acrPayload());
    const big = Buffer.from(json + ' '.repeat(MAX_BODY_BYTES)).toString('base64');
    expect((await send(request({ body: big, isBase64Encoded: true }))).res.statusCode).toBe(413);
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonp'])(
    '415 for content-type %s',
    async (type) => {
      const { res, body, calls } = await send(request({ headers: { 'content-type': type } }));
      expect(res.statusCode).toBe(415);
      expect(body.error).toBe(`content-type "${type}" is not JSON`);
      expect(calls).toEqual([]);
    },
  );

  it.each(['application/json', 'application/json; charset=utf-8', 'Application/JSON', ' application/json ;charset=UTF-8'])(
    'accepts content-type %s',
    async (type) => {
      expect((await send(request({ headers: { 'Content-Type': type } }))).res.statusCode).toBe(202);
    },
  );

  it('accepts a request with no content-type at all', async () => {
    expect((await send(request({ headers: {} }))).res.statusCode).toBe(202);
  });

  it.each([
    ['truncated JSON', '{"push_data": {'],
    ['an empty body', ''],
    ['no body', undefined],
    ['not JSON', 'hello'],
  ])('400 for %s', async (_name, body) => {
    const { res, body: reply, calls } = await send(request({ body }));
    expect(res.statusCode).toBe(400);
    expect(reply.error).toMatch(/^body is not valid JSON: /);
    expect(calls).toEqual([]);
  });

  it('400 naming the field for a payload of the wrong shape', async () => {
    const bad = await send(request({ payload: acrPayload({ digest: 'sha256:1234' }) }));
    expect(bad.res.statusCode).toBe(400);
    expect(bad.body.error).toMatch(/^invalid acr payload: /);
    expect(bad.body.error).toContain('push_data.digest: expected "sha256:" followed by 64 hex digits');
    expect(bad.calls).toEqual([]);

    const noNamespace = acrPayload() as any;
    delete noNamespace.repository.namespace;
    const missing = await send(request({ payload: noNamespace }));
    expect(missing.res.statusCode).toBe(400);
    expect(missing.body.error).toContain('repository.namespace');

    const emptyTag = await send(request({ payload: acrPayload({ tag: '' }) }));
    expect(emptyTag.res.statusCode).toBe(400);
    expect(emptyTag.body.error).toContain('push_data.tag');

    for (const payload of [[], 'string', null, {}]) {
      const r = await send(request({ payload, body: JSON.stringify(payload) }));
      expect(r.res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(r.calls).toEqual([]);
    }
  });
});

describe('handleWebhook: accepted pushes', () => {
  it('202 queues one scan job for the first matching route', async () => {
    const { res, body, scanJobs } = await send(request());
    expect(res.statusCode).toBe(202);
    expect(body.accepted).toBe(1);
    expect(body.ignored).toEqual([]);
    expect(scanJobs).toHaveLength(1);
    const job = scanJobs[0]!;
    expect(job).toMatchObject({
      kind: 'scan',
      v: 1,
      route: 0,
      scanner: 'acr-hz',
      channels: ['releases', 'everything'],
      image: {
        source: 'acr',
        region: 'cn-hangzhou',
        namespace: 'team',
        repository: 'api-gw',
        tag: 'v1.4.2',
        digest: DIGEST,
        pushedAt: '2024-06-01 20:00:00',
      },
      receivedAt: NOW.toISOString(),
    });
    expect(job.jobId).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.jobs).toEqual([{ jobId: job.jobId, image: 'team/api-gw:v1.4.2', scanner: 'acr-hz' }]);
  });

  it('a tag that misses the first route’s pattern falls through to the next route', async () => {
    const { body, scanJobs } = await send(request({ payload: acrPayload({ tag: 'latest' }) }));
    expect(body.accepted).toBe(1);
    expect(scanJobs[0]).toMatchObject({ route: 1, scanner: 'acr-sh', channels: ['everything'] });
  });

  it('a repository that misses the first route’s pattern falls through as well', async () => {
    const { scanJobs } = await send(request({ payload: acrPayload({ name: 'web', tag: 'v2' }) }));
    expect(scanJobs[0]).toMatchObject({ route: 1, image: { repository: 'web', tag: 'v2' } });
  });

  it('202 with `ignored` when no route matches, and nothing queued', async () => {
    const { res, body, calls } = await send(request({ payload: acrPayload({ namespace: 'other', name: 'x', tag: 'v1' }) }));
    expect(res.statusCode).toBe(202);
    expect(body).toEqual({ accepted: 0, ignored: [{ image: 'other/x:v1', reason: 'no route matches' }], jobs: [] });
    expect(calls).toEqual([]);
  });

  it('routes are matched per source: another source uses its own routes and secret', async () => {
    const prod = await send(request({ source: 'acr-prod', query: { token: PROD_SECRET }, payload: acrPayload({ namespace: 'prod-eu' }) }));
    expect(prod.res.statusCode).toBe(202);
    expect(prod.scanJobs).toHaveLength(1);
    expect(prod.scanJobs[0]).toMatchObject({ route: 2, image: { source: 'acr-prod' } });
    // `team` matches only acr's routes, which do not apply to acr-prod
    const none = await send(request({ source: 'acr-prod', query: { token: PROD_SECRET } }));
    expect(none.body.accepted).toBe(0);
    expect(none.body.ignored[0].reason).toBe('no route matches');
  });

  it('headers and query values may be undefined, and header names any case', async () => {
    const { res } = await send(request({ headers: { 'CONTENT-TYPE': 'application/json', 'x-absent': undefined }, query: { token: SECRET, other: undefined } }));
    expect(res.statusCode).toBe(202);
  });

  it('decodes a base64-encoded body', async () => {
    const body = Buffer.from(JSON.stringify(acrPayload({ digest: DIGEST2 }))).toString('base64');
    const { res, scanJobs } = await send(request({ body, isBase64Encoded: true }));
    expect(res.statusCode).toBe(202);
    expect(scanJobs[0]!.image.digest).toBe(DIGEST2);
  });

  it('a push repeated within the deduplication window answers with the jobId of the first; another push gets its own', async () => {
    const a = await send(request());
    const b = await send(request());
    expect(b.scanJobs[0]!.jobId).toBe(a.scanJobs[0]!.jobId);
    expect(b.body.jobs[0].jobId).toBe(a.scanJobs[0]!.jobId);
    const other = await send(request({ payload: acrPayload({ tag: 'v1.4.3' }) }));
    expect(other.scanJobs[0]!.jobId).not.toBe(a.scanJobs[0]!.jobId);
    expect(a.scanJobs[0]!.jobId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('the same push in the next deduplication window is a new job', async () => {
    const first = recorder();
    await handleWebhook(runtime(first.queue), request());
    const later = recorder();
    const rt = { ...runtime(later.queue), now: () => new Date(NOW.getTime() + 5 * 60_000) };
    await handleWebhook(rt, request());
    expect(later.scanJobs[0]!.jobId).not.toBe(first.scanJobs[0]!.jobId);
  });

  it('a queue failure is not swallowed into a 202', async () => {
    const rec = recorder({ fail: new Error('SQS down') });
    await expect(handleWebhook(runtime(rec.queue), request())).rejects.toThrow('SQS down');
    expect(rec.calls).toEqual(['sendScanJobs']);
  });
});

describe('matchRoute', () => {
  const push = { source: 'acr', namespace: 'team', repository: 'api-gw', digest: DIGEST };
  it('a digest-only push matches only routes whose tag pattern is `*`', () => {
    expect(matchRoute(config, push)).toBe(1);
    expect(matchRoute(config, { ...push, tag: 'v1' })).toBe(0);
  });
  it('-1 when nothing matches', () => {
    expect(matchRoute(config, { ...push, source: 'nope' })).toBe(-1);
    expect(matchRoute(config, { ...push, namespace: 'teams' })).toBe(-1);
  });
});

describe('secretMatches', () => {
  it('is true only for the exact secret', () => {
    expect(secretMatches(SECRET, SECRET)).toBe(true);
    expect(secretMatches(`${SECRET}`.slice(0), SECRET)).toBe(true);
    expect(secretMatches(undefined, SECRET)).toBe(false);
    expect(secretMatches('', SECRET)).toBe(false);
    expect(secretMatches(SECRET.toUpperCase(), SECRET)).toBe(false);
    expect(secretMatches(` ${SECRET}`, SECRET)).toBe(false);
  });
  it('compares different lengths without throwing', () => {
    expect(() => secretMatches('a', 'a much longer secret value')).not.toThrow();
    expect(secretMatches('a', 'a much longer secret value')).toBe(false);
    expect(secretMatches('x'.repeat(10_000), 'x')).toBe(false);
  });
  it('handles non-ASCII secrets', () => {
    expect(secretMatches('秘密-🔑-secret', '秘密-🔑-secret')).toBe(true);
    expect(secretMatches('秘密-🔑-secreT', '秘密-🔑-secret')).toBe(false);
  });
});

describe('glob', () => {
  it.each([
    ['*', 'team/api-gw', true],
    ['*', '', true],
    ['team/*', 'team/api-gw', true],
    ['team/*', 'team', false],
    ['api-*', 'api-gw', true],
    ['api-*', 'api-', true],
    ['api-*', 'web-api-gw', false],
    ['*-gw', 'api-gw', true],
    ['*-gw', 'api-gw2', false],
    ['v*.*', 'v1.2', true],
    ['v*.*', 'v12', false],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'aXXbYYc', true],
    ['a*b*c', 'acb', false],
    ['latest', 'latest', true],
    ['latest', 'latest2', false],
    ['latest', 'Latest', false],
    ['1.0', '1x0', false],
    ['v1.0+build', 'v1.0+build', true],
    ['v1.0+build', 'v1.00build', false],
    ['(a|b)', '(a|b)', true],
    ['(a|b)', 'a', false],
    ['[abc]', 'a', false],
    ['[abc]', '[abc]', true],
    ['?', 'x', false],
    ['?', '?', true],
    ['^$', '^$', true],
    ['a\\b', 'a\\b', true],
    ['**', 'anything/at/all', true],
  ])('%s vs %s → %s', (pattern, value, expected) => {
    expect(globMatches(pattern, value)).toBe(expected);
  });

  it('anchors the whole value', () => {
    expect(globToRegExp('api').test('my-api-gw')).toBe(false);
    expect(globToRegExp('*').source).toBe('^.*$');
  });
});

describe('handleWebhook: Harbor and SWR EE sources', () => {
  const HARBOR_SECRET = 'harbor-webhook-secret-5f2a9c';
  const SWR_SECRET = 'swr-webhook-secret-81d0b7e4';
  const harborConfig: Config = parseConfig({
    sources: {
      harbor: { secret: HARBOR_SECRET },
      'swr-ee': { type: 'swr', secret: SWR_SECRET, header: 'X-Scanhook-Token', region: 'cn-north-4' },
    },
    scanners: { 'acr-hz': { type: 'acr', region: 'cn-hangzhou', instanceId: 'cri-hz' } },
    channels: {
      releases: { type: 'webhook', url: 'https://example.com/releases' },
      everything: { type: 'webhook', url: 'https://example.com/all' },
    },
    routes: [
      { source: 'harbor', namespace: 'team-a', repository: 'api-gw', scanner: 'registry', channels: ['releases', 'everything'] },
      { source: 'harbor', namespace: 'team-a', scanner: 'acr-hz', channels: ['everything'] },
      { source: 'harbor', namespace: 'registry-only', scanner: 'registry', channels: ['everything'] },
      { source: 'swr-ee', scanner: 'acr-hz', channels: ['releases'] },
    ],
  });
  const sample = (sub: string, file: string): Record<string, any> => readEvent(`${sub}/${file}`);
  const harbor = (payload: unknown, headers: Record<string, string | undefined> = { authorization: HARBOR_SECRET }, contentType = 'application/json') =>
    send({ source: 'harbor', headers: { 'content-type': contentType, ...headers }, query: {}, body: JSON.stringify(payload) }, harborConfig);
  const swr = (headers: Record<string, string | undefined>, payload: unknown = sample('swr', 'push.json')) =>
    send({ source: 'swr-ee', headers: { 'content-type': 'application/json', ...headers }, query: {}, body: JSON.stringify(payload) }, harborConfig);

  describe('authentication', () => {
    it.each([
      ['the raw secret in Authorization', { authorization: HARBOR_SECRET }],
      ['Bearer <secret>', { Authorization: `Bearer ${HARBOR_SECRET}` }],
      ['bearer in any case, extra spaces', { AUTHORIZATION: `bearer   ${HARBOR_SECRET}` }],
      ['SWR-style name:value sent verbatim as Authorization', { authorization: `Authorization: ${HARBOR_SECRET}` }],
    ])('Harbor accepts %s', async (_what, headers) => {
      const { res } = await harbor(sample('harbor', 'push.json'), headers);
      expect(res.statusCode).toBe(202);
    });

    it.each([
      ['no Authorization', {}],
      ['a wrong secret', { authorization: `${HARBOR_SECRET}x` }],
      ['Bearer with a wrong secret', { authorization: `Bearer ${HARBOR_SECRET.slice(0, -1)}` }],
      ['Basic auth', { authorization: `Basic ${Buffer.from(`u:${HARBOR_SECRET}`).toString('base64')}` }],
      ['another source’s secret', { authorization: SWR_SECRET }],
      ['the secret in the query string', {}],
    ])('Harbor refuses %s with 401', async (_what, headers) => {
      const rec = recorder();
      const res = await handleWebhook(runtime(rec.queue, harborConfig), {
        source: 'harbor',
        headers: { 'content-type': 'application/json', ...headers },
        query: { token: HARBOR_SECRET },
        body: JSON.stringify(sample('harbor', 'push.json')),
      });
      expect(res.statusCode).toBe(401);
      expect(JSON.parse(res.body).error).toBe('missing or wrong webhook secret');
      expect(res.body).not.toContain(HARBOR_SECRET);
      expect(rec.calls).toEqual([]);
    });

    it.each([
      ['the configured header', { 'x-scanhook-token': SWR_SECRET }],
      ['the configured header in another case', { 'X-SCANHOOK-TOKEN': SWR_SECRET }],
      ['name:value verbatim in Authorization', { authorization: `X-Scanhook-Token:${SWR_SECRET}` }],
      ['name: value, any case, verbatim in Authorization', { authorization: `x-scanhook-token: ${SWR_SECRET}` }],
    ])('SWR with header "X-Scanhook-Token" accepts %s', async (_what, headers) => {
      const { res, scanJobs } = await swr(headers);
      expect(res.statusCode).toBe(202);
      expect(scanJobs).toHaveLength(1);
    });

    it.each([
      ['the secret in Authorization instead', { authorization: SWR_SECRET }],
      ['Bearer in Authorization instead', { authorization: `Bearer ${SWR_SECRET}` }],
      ['a wrong value in the header', { 'x-scanhook-token': `${SWR_SECRET}0` }],
      ['another header name in Authorization', { authorization: `X-Other:${SWR_SECRET}` }],
      ['the header, empty', { 'x-scanhook-token': '' }],
      ['the header undefined', { 'x-scanhook-token': undefined }],
    ])('SWR with header "X-Scanhook-Token" refuses %s with 401', async (_what, headers) => {
      const { res, calls } = await swr(headers);
      expect(res.statusCode).toBe(401);
      expect(calls).toEqual([]);
    });

    it('a header name that is also an object property is read as a header only', async () => {
      const cfg = { ...harborConfig, sources: { harbor: { type: 'harbor', secret: HARBOR_SECRET, header: 'constructor' } } };
      const ok = await send({ source: 'harbor', headers: { constructor: HARBOR_SECRET }, query: {}, body: JSON.stringify(sample('harbor', 'push.json')) }, cfg);
      expect(ok.res.statusCode).toBe(202);
      const missing = await send({ source: 'harbor', headers: {}, query: {}, body: JSON.stringify(sample('harbor', 'push.json')) }, cfg);
      expect(missing.res.statusCode).toBe(401);
    });

    it('the configured header wins over Authorization', async () => {
      expect((await swr({ 'x-scanhook-token': 'wrong-wrong-wrong', authorization: `X-Scanhook-Token:${SWR_SECRET}` })).res.statusCode).toBe(401);
    });
  });

  describe('pushes', () => {
    it('a push becomes a scan job on the first route that scans: routes taking the registry’s result are skipped', async () => {
      const { res, body, scanJobs, notifyJobs } = await harbor(sample('harbor', 'push.json'));
      expect(res.statusCode).toBe(202);
      expect(scanJobs).toHaveLength(1);
      expect(notifyJobs).toEqual([]);
      expect(scanJobs[0]).toMatchObject({
        route: 1,
        scanner: 'acr-hz',
        channels: ['everything'],
        image: { source: 'harbor', namespace: 'team-a', repository: 'api-gw', tag: '1.4.2', pushedAt: '2026-11-22T06:25:46.000Z' },
      });
      expect(body).toEqual({ accepted: 1, ignored: [], jobs: [{ jobId: scanJobs[0]!.jobId, image: 'team-a/api-gw:1.4.2', scanner: 'acr-hz' }] });
    });

    it('a CloudEvents push is accepted under application/cloudevents+json', async () => {
      const { res, scanJobs } = await harbor(sample('harbor', 'push-cloudevents.json'), undefined, 'application/cloudevents+json');
      expect(res.statusCode).toBe(202);
      expect(scanJobs[0]!.image).toMatchObject({ namespace: 'team-a', repository: 'web/frontend', tag: '2.0.0' });
    });

    it('a CloudEvents body API Gateway passed base64-encoded is decoded', async () => {
      const body = Buffer.from(JSON.stringify(sample('harbor', 'push-cloudevents.json'))).toString('base64');
      const { res, scanJobs } = await send(
        { source: 'harbor', headers: { 'content-type': 'application/cloudevents+json', authorization: HARBOR_SECRET }, query: {}, body, isBase64Encoded: true },
        harborConfig,
      );
      expect(res.statusCode).toBe(202);
      expect(scanJobs[0]!.image.repository).toBe('web/frontend');
    });

    it('415 for a CloudEvents batch, and for CloudEvents sent to an ACR source', async () => {
      const batch = await harbor(sample('harbor', 'push-cloudevents.json'), undefined, 'application/cloudevents-batch+json');
      expect(batch.res.statusCode).toBe(415);
      const acr = await send(request({ headers: { 'content-type': 'application/cloudevents+json' } }));
      expect(acr.res.statusCode).toBe(415);
    });

    it('a digest-only push is queued without a tag and matches only `tag: "*"` routes', async () => {
      const { body, scanJobs } = await harbor(sample('harbor', 'push-digest-only.json'));
      expect(scanJobs).toHaveLength(1);
      expect(scanJobs[0]!.image.tag).toBeUndefined();
      expect(body.jobs[0].image).toBe('team-a/api-gw@sha256:7f3c1d9e2a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5');
    });

    it('a multi-resource push: one scan job per digest, carrying every tag of it', async () => {
      const { body, scanJobs } = await harbor(sample('harbor', 'push-multi-resource.json'));
      expect(body.accepted).toBe(2);
      expect(scanJobs.map((j) => [j.image.tag, j.image.tags])).toEqual([
        ['3.1.0', ['3.1.0', 'latest']],
        ['3.1.0-debug', undefined],
      ]);
    });

    it('a push whose only route takes the registry’s result is ignored, saying why', async () => {
      const payload = sample('harbor', 'push.json');
      payload.event_data.repository = { name: 'x', namespace: 'registry-only', repo_full_name: 'registry-only/x' };
      const { body, calls } = await harbor(payload);
      expect(body).toEqual({
        accepted: 0,
        ignored: [{ image: 'registry-only/x:1.4.2', reason: 'its route takes the registry\'s scan result (scanner "registry")' }],
        jobs: [],
      });
      expect(calls).toEqual([]);
    });

    it('SWR EE: the configured region is put on the image; nested repository names stay whole', async () => {
      const { scanJobs } = await swr({ 'x-scanhook-token': SWR_SECRET });
      expect(scanJobs[0]).toMatchObject({
        route: 3,
        scanner: 'acr-hz',
        image: { source: 'swr-ee', region: 'cn-north-4', namespace: 'team-a', repository: 'payments/api', tag: '1.4.2' },
      });
    });

    it('400 naming the field for a bad Harbor payload, and nothing queued', async () => {
      const payload = sample('harbor', 'push.json');
      payload.event_data.resources[0].digest = 'sha256:xyz';
      const { res, body, calls } = await harbor(payload);
      expect(res.statusCode).toBe(400);
      expect(body.error).toBe('invalid harbor payload: event_data.resources[0].digest: expected "sha256:" followed by 64 hex digits');
      expect(calls).toEqual([]);
      const swrBad = await swr({ 'x-scanhook-token': SWR_SECRET }, { type: 'PUSH_ARTIFACT', event_data: { repository: { namespace: 'a', name: 'b' } } });
      expect(swrBad.res.statusCode).toBe(400);
      expect(swrBad.body.error).toMatch(/^invalid swr payload: event_data\.resources: /);
    });
  });

  describe('scan results of the registry’s own scanner', () => {
    it('a result below the route’s minSeverity is a pass: not sent, and the reply says why', async () => {
      const strict = parseConfig({
        ...harborConfig,
        routes: [{ source: 'harbor', scanner: 'registry', channels: ['releases'], minSeverity: 'critical' }],
      });
      const payload = sample('harbor', 'scanning-completed.json');
      const overview = Object.values(payload.event_data.resources[0].scan_overview)[0] as { summary: { summary: Record<string, number> } };
      overview.summary.summary = { High: 2, Low: 3 };
      const { res, body, calls } = await send(
        { source: 'harbor', headers: { 'content-type': 'application/json', authorization: HARBOR_SECRET }, query: {}, body: JSON.stringify(payload) },
        strict,
      );
      expect(res.statusCode).toBe(202);
      expect(calls).toEqual([]);
      expect(body.ignored[0].reason).toContain('minSeverity (critical)');
      overview.summary.summary = { Critical: 1 };
      const critical = await send(
        { source: 'harbor', headers: { 'content-type': 'application/json', authorization: HARBOR_SECRET }, query: {}, body: JSON.stringify(payload) },
        strict,
      );
      expect(critical.calls).toEqual(['sendResults']);
    });

    it('SCANNING_COMPLETED → one notify job per channel of the "registry" route, no scan job', async () => {
      const { res, body, scanJobs, notifyJobs, calls } = await harbor(sample('harbor', 'scanning-completed.json'));
      expect(res.statusCode).toBe(202);
      expect(calls).toEqual(['sendResults']);
      expect(scanJobs).toEqual([]);
      expect(notifyJobs.map((j) => j.channel)).toEqual(['releases', 'everything']);
      expect(new Set(notifyJobs.map((j) => j.jobId)).size).toBe(1);
      expect(notifyJobs[0]).toEqual({
        kind: 'notify',
        v: 1,
        jobId: notifyJobs[0]!.jobId,
        route: 0,
        channel: 'releases',
        scanner: 'registry',
        scannerType: 'harbor',
        scannerLabel: 'Harbor',
        image: {
          source: 'harbor',
          namespace: 'team-a',
          repository: 'api-gw',
          tag: '1.4.2',
          digest: 'sha256:dde8e930c7b6a490f728e66292bc9bce42efc9bbb5278bae40e4f30f6e00fe8c',
        },
        receivedAt: NOW.toISOString(),
        outcome: {
          status: 'complete',
          report: {
            counts: { critical: 1, high: 2, medium: 5, low: 3, unknown: 0 },
            total: 11,
            fixable: 7,
            findings: [],
            consoleUrl:
              'https://harbor.example.com/harbor/projects/team-a/repositories/api-gw/artifacts-tab/artifacts/sha256:dde8e930c7b6a490f728e66292bc9bce42efc9bbb5278bae40e4f30f6e00fe8c',
          },
        },
        scanStartedAt: '2026-11-22T06:25:50.000Z',
        finishedAt: '2026-11-22T06:26:02.000Z',
      });
      expect(body).toEqual({ accepted: 1, ignored: [], jobs: [{ jobId: notifyJobs[0]!.jobId, image: 'team-a/api-gw:1.4.2', scanner: 'registry' }] });
    });

    it('SCANNING_FAILED → failed outcome; with no scan times finishedAt is now', async () => {
      const payload = sample('harbor', 'scanning-failed.json');
      payload.event_data.repository = { name: 'api-gw', namespace: 'team-a', repo_full_name: 'team-a/api-gw' };
      delete payload.event_data.resources[0].scan_overview;
      const { notifyJobs } = await harbor(payload);
      expect(notifyJobs).toHaveLength(2);
      expect(notifyJobs[0]).toMatchObject({
        outcome: { status: 'failed', reason: "the registry's scanner reported a failed scan" },
        finishedAt: NOW.toISOString(),
      });
      expect(notifyJobs[0]).not.toHaveProperty('scanStartedAt');
    });

    it('a scan result no "registry" route matches is ignored, saying which route scans it instead', async () => {
      const payload = sample('harbor', 'scanning-failed.json'); // team-a/web/frontend: route 1 scans with acr-hz
      const { body, calls } = await harbor(payload);
      expect(calls).toEqual([]);
      expect(body.ignored).toEqual([
        { image: 'team-a/web/frontend:2.0.0', event: 'SCANNING_FAILED', reason: 'its route scans with "acr-hz" instead of taking the registry\'s result' },
      ]);
      payload.event_data.repository = { name: 'x', namespace: 'nobody', repo_full_name: 'nobody/x' };
      expect((await harbor(payload)).body.ignored).toEqual([{ image: 'nobody/x:2.0.0', event: 'SCANNING_FAILED', reason: 'no route matches' }]);
    });

    it('other event types are answered 202 and listed under `ignored`', async () => {
      const { res, body, calls } = await harbor({ type: 'PULL_ARTIFACT', occur_at: 1, event_data: sample('harbor', 'push.json').event_data });
      expect(res.statusCode).toBe(202);
      expect(body).toEqual({ accepted: 0, ignored: [{ event: 'PULL_ARTIFACT', reason: 'not a push or scan result' }], jobs: [] });
      expect(calls).toEqual([]);
    });

    it('a notify-queue failure is not swallowed into a 202', async () => {
      const rec = recorder();
      rec.queue.sendResults = async () => {
        throw new Error('SQS down');
      };
      const req = { source: 'harbor', headers: { authorization: HARBOR_SECRET }, query: {}, body: JSON.stringify(sample('harbor', 'scanning-completed.json')) };
      await expect(handleWebhook(runtime(rec.queue, harborConfig), req)).rejects.toThrow('SQS down');
    });
  });
});
