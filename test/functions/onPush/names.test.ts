import { describe, expect, it } from 'vitest';
import { handleWebhook } from '../../../functions/onPush/handler.js';
import type { WebhookHttpRequest } from '../../../functions/onPush/readRequest.js';
import { type Config, parseConfig } from '../../../shared/config/config.js';
import { readEvent } from '../../support/events.js';
import { fakeRuntime, recordingQueue } from '../../support/runtime.js';

const SECRET = 'acr-webhook-secret-0123456789';
const HARBOR_SECRET = 'harbor-webhook-secret-5f2a9c';
const DIGEST = `sha256:${'ab'.repeat(32)}`;

const config: Config = parseConfig({
  sources: { acr: { secret: SECRET }, harbor: { secret: HARBOR_SECRET } },
  scanners: { 'acr-hz': { type: 'acr', region: 'cn-hangzhou', instanceId: 'cri-hz' } },
  channels: { everything: { type: 'webhook', url: 'https://example.com/all' } },
  routes: [
    { source: 'acr', scanner: 'acr-hz', channels: ['everything'] },
    { source: 'harbor', scanner: 'registry', channels: ['everything'] },
    { source: 'harbor', scanner: 'acr-hz', channels: ['everything'] },
  ],
});

const acrPayload = (over: { namespace?: string; name?: string; tag?: string; region?: string } = {}) => ({
  push_data: { digest: DIGEST, pushed_at: '2024-06-01 20:00:00', tag: over.tag ?? 'v1.4.2' },
  repository: { name: over.name ?? 'api-gw', namespace: over.namespace ?? 'team', region: over.region ?? 'cn-hangzhou' },
});

const send = async (req: Partial<WebhookHttpRequest> & { payload?: unknown }) => {
  const { queue, calls } = recordingQueue();
  const res = await handleWebhook(fakeRuntime(config, queue, { now: () => new Date('2024-06-01T12:00:00Z') }), {
    source: 'acr',
    headers: { 'content-type': 'application/json' },
    query: { token: SECRET },
    body: JSON.stringify(req.payload ?? acrPayload()),
    ...req,
  });
  return { status: res.statusCode, error: (JSON.parse(res.body) as { error?: string }).error, calls };
};

describe('onPush: sources are the config own keys only', () => {
  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'])(
    'POST /webhooks/%s is an unknown source (404)',
    async (source) => {
      const { status, error, calls } = await send({ source });
      expect(status).toBe(404);
      expect(error).toBe(`unknown source "${source}"`);
      expect(calls).toEqual([]);
    },
  );
});

describe('onPush: a repeated ?token= arrives joined with a comma, as from API Gateway, and fails', () => {
  it.each([
    ['wrong then right', `wrong,${SECRET}`],
    ['right then wrong', `${SECRET},wrong`],
    ['right twice', `${SECRET},${SECRET}`],
  ])('%s: 401', async (_what, token) => {
    const { status, calls } = await send({ query: { token } });
    expect(status).toBe(401);
    expect(calls).toEqual([]);
  });
});

describe('onPush: image names are checked before anything is queued', () => {
  it.each([
    ['a NUL in the tag', { tag: 'v1\u0000' }, /^invalid acr payload: image\.tag: expected a tag of letters/],
    ['an ANSI escape in the repository', { name: 'api\u001b[31mgw' }, /^invalid acr payload: image\.repository: expected lowercase letters/],
    ['"../" in the repository', { name: '../../etc' }, /^invalid acr payload: image\.repository: /],
    ['a "/" in the namespace', { namespace: 'team/x' }, /^invalid acr payload: image\.namespace: /],
    ['a 200 KB tag', { tag: 'a'.repeat(200 * 1024) }, /^invalid acr payload: image\.tag: expected a tag of at most 128 characters$/],
    ['a region with an escape', { region: 'cn\u001bhangzhou' }, /^invalid acr payload: image\.region: /],
  ])('%s: 400 naming the field, nothing queued', async (_what, over, message) => {
    const { status, error, calls } = await send({ payload: acrPayload(over) });
    expect(status).toBe(400);
    expect(error).toMatch(message);
    expect(error!.length).toBeLessThan(300);
    expect(calls).toEqual([]);
  });

  it('accepts a nested repository and every sample push in events/', async () => {
    expect((await send({ payload: acrPayload({ name: 'tools/base' }) })).status).toBe(202);
    for (const file of ['push.json', 'push-clean.json', 'push-sas.json', 'push-scan-fails.json', 'push-to-hss-demo.json', 'push-to-swr-demo.json']) {
      expect((await send({ payload: readEvent(`acr/${file}`) })).status).toBe(202);
    }
  });

  const harbor = (payload: unknown) =>
    send({ source: 'harbor', headers: { 'content-type': 'application/json', authorization: HARBOR_SECRET }, query: {}, payload });

  it('checks a registry scan result (Harbor SCANNING_COMPLETED) the same way, naming the image among several', async () => {
    const event = readEvent('harbor/scanning-completed.json');
    expect((await harbor(event)).status).toBe(202);
    const second = { ...event.event_data.resources[0], digest: `sha256:${'cd'.repeat(32)}`, tag: 'v2' };
    const bad = {
      ...event,
      event_data: { ...event.event_data, resources: [event.event_data.resources[0], second], repository: { repo_full_name: 'team-a/API\u0000' } },
    };
    const { status, error, calls } = await harbor(bad);
    expect(status).toBe(400);
    expect(error).toMatch(/^invalid harbor payload: images\[0\]\.repository: expected lowercase letters/);
    expect(calls).toEqual([]);
  });

  it('checks a Harbor push, and accepts every Harbor sample', async () => {
    const push = readEvent('harbor/push.json');
    const badTag = structuredClone(push);
    badTag.event_data.repository.repo_full_name = 'team-a/../../x';
    badTag.event_data.repository.name = '../../x';
    const { status, error } = await harbor(badTag);
    expect(status).toBe(400);
    expect(error).toMatch(/^invalid harbor payload: image\.repository: /);
    for (const file of ['push.json', 'push-digest-only.json', 'push-multi-resource.json', 'scanning-completed.json', 'scanning-failed.json']) {
      expect((await harbor(readEvent(`harbor/${file}`))).status).toBe(202);
    }
  });
});
