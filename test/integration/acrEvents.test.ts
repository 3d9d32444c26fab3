import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acrSimRepoId } from '../../local/simulators/acr.js';
import { pushCompletedEvent } from '../../local/simulators/acrEvents.js';
import type { Stack } from '../../local/stack.js';
import { digestOf, readEvent } from '../support/events.js';
import { eventually, messagesFor, postsFor, postWebhook, startTestStack, testConfig } from '../support/stack.js';

/**
 * ACR Enterprise Edition's EventBridge events through local mode: real HTTP to the webhook, the embedded queues, the
 * ACR simulator (which ends scans and gives their ScanCompleted event) and the chat sink.
 */
const EVENTS_SECRET = 'acr-events-integration-secret-5e2f';
const INSTANCE = { instanceId: 'cri-test00000000', region: 'cn-hangzhou' };

/** The test config plus an `acr-events` source: team-a scanned by ACR's scanner, auto-a read from ACR's own scans. */
const eventsConfig = (polling: Record<string, number>) => (sims: { acrUrl: string; chatUrl: string }) => {
  const base = testConfig(sims);
  return {
    ...base,
    sources: { ...base.sources, 'acr-ee': { type: 'acr-events', secret: EVENTS_SECRET, scanner: 'acr-hz' } },
    routes: [
      ...base.routes,
      { source: 'acr-ee', namespace: 'team-a', scanner: 'acr-hz', channels: ['sec', 'audit'] },
      { source: 'acr-ee', namespace: 'auto-a', scanner: 'registry', channels: ['sec', 'audit'] },
    ],
    polling,
  };
};

const imageOf = (namespace: string, repository: string, tag = '1.0.0') => ({
  ...INSTANCE,
  namespace,
  repository,
  repoId: acrSimRepoId(namespace, repository),
  tag,
  digest: digestOf(repository),
});
const post = (stack: Stack, body: unknown, token: string | null = EVENTS_SECRET) =>
  postWebhook(stack, body, { source: 'acr-ee', token, contentType: 'application/cloudevents+json' });
const callsFor = (stack: Stack, repo: string) => stack.acr.calls.filter((c) => c.params.RepoName === repo || c.params.RepoId?.endsWith(repo));

describe('acr-events with the timer 10 minutes away: what arrives comes from the events', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startTestStack({ config: eventsConfig({ initialDelaySeconds: 600, maxDelaySeconds: 600, deadlineMinutes: 60 }) });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const queuedAnywhere = async () => (await stack.queues.depth(stack.queues.urls.intake)) + (await stack.queues.depth(stack.queues.urls.poll));

  it('a wrong or missing token is 401 and a malformed event 400 naming the field: nothing queued, nothing called', async () => {
    const scanCompleted = readEvent('acr-events/scan-completed.json');
    for (const event of [pushCompletedEvent(imageOf('team-a', 'refused')), scanCompleted]) {
      expect(await post(stack, event, 'acr-events-integration-secret-5e2X')).toMatchObject({ status: 401, body: { error: 'missing or wrong webhook secret' } });
      expect(await post(stack, event, null)).toMatchObject({ status: 401 });
    }
    const noDigest = pushCompletedEvent(imageOf('team-a', 'refused')) as Record<string, any>;
    delete noDigest.data.Digest;
    const noDigestRes = await post(stack, noDigest);
    expect(noDigestRes.status).toBe(400);
    expect(noDigestRes.body.error).toMatch(/^invalid acr-events payload: data\.Digest: /);
    delete scanCompleted.data.RepoId;
    const noRepoId = await post(stack, scanCompleted);
    expect(noRepoId.status).toBe(400);
    expect(noRepoId.body.error).toMatch(/^invalid acr-events payload: data\.RepoId: /);

    await new Promise((r) => setTimeout(r, 1000));
    expect(await queuedAnywhere()).toBe(0);
    expect(stack.acr.calls).toEqual([]);
    expect(stack.chat.posts).toEqual([]);
  });

  it('a PushCompleted starts an ACR scan; its ScanCompleted brings the message without waiting for the timer', async () => {
    const image = imageOf('team-a', 'event-web');
    const pushed = await post(stack, pushCompletedEvent(image));
    expect(pushed).toMatchObject({ status: 202, body: { accepted: 1, jobs: [{ image: 'team-a/event-web:1.0.0', scanner: 'acr-hz' }] } });
    await eventually(() => callsFor(stack, image.repoId).some((c) => c.action === 'CreateRepoTagScanTask'), 20_000, 'the scan to start');

    const ended = await post(stack, stack.acr.finishScan('team-a/event-web', '1.0.0', INSTANCE));
    expect(ended).toMatchObject({ status: 202, body: { accepted: 1, ignored: [] } });
    const { slack, webhook } = await messagesFor(stack, 'event-web');
    expect(slack[0].text).toContain('team-a/event-web:1.0.0');
    expect(webhook[0]).toMatchObject({
      image: { namespace: 'team-a', repository: 'event-web', tag: '1.0.0', digest: image.digest },
      outcome: { status: 'complete' },
    });
    // The event's check knows no start time; the timer's first check is still 10 minutes away.
    expect(webhook[0].scanStartedAt).toBeNull();
  });

  it('a "registry" route posts ACR’s own scan, read through the source’s scanner, with no start call', async () => {
    const image = imageOf('auto-a', 'autoscan-web', '2.0.0');
    stack.acr.pushTag('auto-a/autoscan-web', image.tag, image.digest);
    const ended = await post(stack, stack.acr.finishScan('auto-a/autoscan-web', '2.0.0', INSTANCE));
    expect(ended).toMatchObject({ status: 202, body: { accepted: 1, jobs: [{ image: 'auto-a/autoscan-web:2.0.0', scanner: 'acr-hz' }] } });
    const { slack, webhook } = await messagesFor(stack, 'autoscan-web');
    expect(slack[0].text).toContain('auto-a/autoscan-web:2.0.0');
    expect(webhook[0]).toMatchObject({ outcome: { status: 'complete', report: { counts: { high: 3, medium: 5, low: 7, unknown: 1 } } } });
    const actions = callsFor(stack, image.repoId).map((c) => c.action);
    expect(actions).toContain('GetRepoTagScanStatus');
    expect(actions).not.toContain('CreateRepoTagScanTask');
    expect(stack.acr.calls.filter((c) => c.params.RepoName === 'autoscan-web')).toEqual([]);
  });
});

describe('acr-events with the usual timer', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startTestStack({ config: eventsConfig({ initialDelaySeconds: 0, maxDelaySeconds: 1, deadlineMinutes: 1 }) });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('a PushCompleted whose ScanCompleted never comes is reported by the timer', async () => {
    const pushed = await post(stack, pushCompletedEvent(imageOf('team-a', 'timer-web')));
    expect(pushed.status).toBe(202);
    const { webhook } = await messagesFor(stack, 'timer-web');
    expect(webhook[0]).toMatchObject({ outcome: { status: 'complete' }, image: { repository: 'timer-web' } });
    expect(webhook[0].scanStartedAt).toEqual(expect.any(String));
  });

  it('a scan reported by its ScanCompleted and by the timer is posted once per channel', async () => {
    const image = imageOf('team-a', 'both-web');
    expect((await post(stack, pushCompletedEvent(image))).status).toBe(202);
    await eventually(() => callsFor(stack, image.repoId).some((c) => c.action === 'CreateRepoTagScanTask'), 20_000, 'the scan to start');
    expect((await post(stack, stack.acr.finishScan('team-a/both-web', '1.0.0', INSTANCE))).status).toBe(202);
    await messagesFor(stack, 'both-web');
    // The timer checks every second: it finds the scan complete too, and its message is the same one.
    await eventually(() => callsFor(stack, image.repoId).filter((c) => c.action === 'GetRepoTagScanSummary').length >= 2, 20_000, 'both reads');
    await new Promise((r) => setTimeout(r, 2500));
    const { slack, webhook } = postsFor(stack, 'both-web');
    expect(slack).toHaveLength(1);
    expect(webhook).toHaveLength(1);
  });
});
