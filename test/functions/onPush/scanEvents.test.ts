import { describe, expect, it } from 'vitest';
import { handleWebhook } from '../../../functions/onPush/handler.js';
import type { WebhookHttpRequest } from '../../../functions/onPush/readRequest.js';
import { type Config, parseConfig } from '../../../shared/config/config.js';
import { scanJobKey } from '../../../shared/messages/jobId.js';
import { readEvent } from '../../support/events.js';
import { fakeRuntime, recordingQueue } from '../../support/runtime.js';

/** ACR Enterprise Edition events (source type `acr-events`) at the webhook: what each one queues, and what it refuses. */
const SECRET = 'acr-events-webhook-secret-0123';
const NOW = new Date('2026-11-22T06:26:40.000Z');

const config: Config = parseConfig({
  sources: { ee: { type: 'acr-events', secret: SECRET, scanner: 'acr-hz' }, acr: { secret: 'acr-trigger-secret-0123456' } },
  scanners: {
    'acr-hz': { type: 'acr', region: 'cn-hangzhou', instanceId: 'cri-demo0000000000' },
    'acr-other': { type: 'acr', region: 'cn-hangzhou', instanceId: 'cri-other000000000' },
    sas: { type: 'sas', region: 'cn-hangzhou' },
  },
  channels: { sec: { type: 'webhook', url: 'https://example.com/sec' }, audit: { type: 'webhook', url: 'https://example.com/audit' } },
  routes: [
    { source: 'ee', namespace: 'sas-*', scanner: 'sas', channels: ['sec'] },
    { source: 'ee', namespace: 'other-*', scanner: 'acr-other', channels: ['sec'] },
    { source: 'ee', namespace: 'team-*', scanner: 'acr-hz', channels: ['sec', 'audit'] },
    { source: 'ee', namespace: 'auto-*', scanner: 'registry', channels: ['audit'] },
    { source: 'acr', scanner: 'acr-hz', channels: ['sec'] },
  ],
  polling: { initialDelaySeconds: 5, maxDelaySeconds: 30, deadlineMinutes: 60 },
});

const send = async (payload: unknown, opts: { token?: string; source?: string; body?: string } = {}) => {
  const rec = recordingQueue();
  const req: WebhookHttpRequest = {
    source: opts.source ?? 'ee',
    headers: { 'content-type': 'application/cloudevents+json' },
    query: opts.token === undefined ? { token: SECRET } : { token: opts.token },
    body: opts.body ?? JSON.stringify(payload),
  };
  const res = await handleWebhook(fakeRuntime(config, rec.queue, { now: () => NOW }), req);
  return { status: res.statusCode, body: JSON.parse(res.body) as Record<string, any>, ...rec };
};

const push = (namespace = 'team-a') => {
  const event = readEvent('acr-events/push.json');
  event.data.RepoNamespaceName = namespace;
  return event;
};
const scanCompleted = (namespace = 'team-a') => {
  const event = readEvent('acr-events/scan-completed.json');
  event.data.RepoNamespaceName = namespace;
  return event;
};

describe('acr-events at the webhook', () => {
  it.each([
    ['a wrong token', 'acr-events-webhook-secret-012X'],
    ['no token', ''],
    ["another source's token", 'acr-trigger-secret-0123456'],
  ])('401 for %s: nothing is queued', async (_name, token) => {
    for (const event of [push(), scanCompleted()]) {
      const { status, body, calls } = await send(event, { token });
      expect(status).toBe(401);
      expect(body.error).toBe('missing or wrong webhook secret');
      expect(calls).toEqual([]);
    }
  });

  it('400 for a malformed event, naming the field; nothing is queued', async () => {
    const event = scanCompleted();
    delete event.data.RepoId;
    const missing = await send(event);
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatch(/^invalid acr-events payload: data\.RepoId: /);
    expect(missing.calls).toEqual([]);

    const badName = await send(push('Team-A'));
    expect(badName.status).toBe(400);
    expect(badName.body.error).toContain('image.namespace: expected lowercase letters and digits');
    expect(badName.calls).toEqual([]);
  });

  it('a PushCompleted is a push like an ACR trigger’s: one scan job for its route', async () => {
    const { status, body, sent, calls } = await send(push());
    expect(status).toBe(202);
    expect(calls).toEqual(['sendScanJobs']);
    expect(sent.scanJobs).toEqual([
      expect.objectContaining({
        route: 2,
        scanner: 'acr-hz',
        channels: ['sec', 'audit'],
        image: expect.objectContaining({ namespace: 'team-a', tag: '2.0.1' }),
      }),
    ]);
    expect(body.jobs).toEqual([{ jobId: sent.scanJobs[0]!.jobId, image: 'team-a/web:2.0.1', scanner: 'acr-hz' }]);
  });

  it('a ScanCompleted becomes a status check on the poll queue at once, carrying what the push’s scan job carries', async () => {
    const pushed = await send(push());
    const { status, sent, calls } = await send(scanCompleted());
    expect(status).toBe(202);
    expect(calls).toEqual(['sendPoll']);
    expect(sent.polls).toHaveLength(1);
    const { job, delaySeconds } = sent.polls[0]!;
    expect(delaySeconds).toBe(0);
    const scanJob = pushed.sent.scanJobs[0]!;
    expect(scanJobKey(job)).toBe(scanJobKey(scanJob));
    expect({ route: job.route, scanner: job.scanner, channels: job.channels }).toEqual({
      route: scanJob.route,
      scanner: scanJob.scanner,
      channels: scanJob.channels,
    });
    expect(job.jobId).toBe(scanJob.jobId);
    expect(job).toMatchObject({ fromEvent: true, scan: { checks: 0, handle: { repoId: 'crr-a6d6889313c23313', tag: '2.0.1' } } });
  });

  it('on a "registry" route the result is read by the scanner the source names', async () => {
    const { status, sent, body } = await send(scanCompleted('auto-a'));
    expect(status).toBe(202);
    expect(sent.polls.map((p) => ({ route: p.job.route, scanner: p.job.scanner, channels: p.job.channels }))).toEqual([
      { route: 3, scanner: 'acr-hz', channels: ['audit'] },
    ]);
    expect(body.jobs).toEqual([expect.objectContaining({ image: 'auto-a/web:2.0.1', scanner: 'acr-hz' })]);
  });

  it('checks nothing where the route scans with a scanner the event is not about, or one of another instance, and says why', async () => {
    const sas = await send(scanCompleted('sas-a'));
    expect(sas.status).toBe(202);
    expect(sas.calls).toEqual([]);
    expect(sas.body.ignored).toEqual([
      {
        image: 'sas-a/web:2.0.1',
        event: 'cr:Artifact:ScanCompleted',
        reason: 'its route scans with "sas", which this event is not about: its status checks follow that scan',
      },
    ]);
    const other = await send(scanCompleted('other-a'));
    expect(other.calls).toEqual([]);
    expect(other.body.ignored[0].reason).toBe('scanner "acr-other" reads instance cri-other000000000, not cri-demo0000000000');
    const unrouted = await send(scanCompleted('nobody'));
    expect(unrouted.calls).toEqual([]);
    expect(unrouted.body.ignored[0].reason).toBe('no route matches');
  });

  it('answers 202 to the other ACR events, listing them as ignored', async () => {
    const event = push();
    event.type = 'cr:Artifact:SigningCompleted';
    const { status, body, calls } = await send(event);
    expect(status).toBe(202);
    expect(body.ignored).toEqual([{ event: 'cr:Artifact:SigningCompleted', reason: 'not a push or scan-completed event' }]);
    expect(calls).toEqual([]);
  });
});
