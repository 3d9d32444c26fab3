import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ChatPost } from '../../local/simulators/chatSink.js';
import type { Stack } from '../../local/stack.js';
import { buildNotice, summaryNotice } from '../../shared/channels/notice.js';
import { slackChannel } from '../../shared/channels/slack.js';
import { NotifyJob } from '../../shared/messages/jobs.js';
import { createJobQueue } from '../../shared/queue/jobQueue.js';
import { jobOf } from '../support/events.js';
import { acrPush, captureOutput, eventually, postWebhook, SLACK_PATH, startTestStack, testConfig, webhookPosts } from '../support/stack.js';

/** Delivery through local mode: thresholds, rate limits and summaries, throttling, one channel apart from another. */
const OPS_PATH = '/slack/T0OPS/B0OPS/ops-secret-token';
const output = captureOutput();

const config = (sims: { acrUrl: string; chatUrl: string }) => {
  const base = testConfig(sims);
  const route = { source: 'acr', namespace: 'team-a', tag: '*', scanner: 'acr-hz' };
  return {
    ...base,
    channels: { ...base.channels, ops: { type: 'slack', url: `${sims.chatUrl}${OPS_PATH}` } },
    routes: [
      { ...route, repository: 'gate-*', minSeverity: 'critical', channels: ['audit'] },
      { ...route, repository: 'loud-*', minSeverity: 'critical', notifyOnPass: true, channels: ['audit'] },
      { ...route, repository: 'strict-*', minSeverity: 'high', channels: ['audit'] },
      { ...route, repository: '*', channels: ['sec', 'ops', 'audit'] },
    ],
    http: { timeoutMs: 3000, attempts: 3, baseDelayMs: 20, maxDelayMs: 1500 },
  };
};

/** When each post reached the sink (the sink keeps posts in arrival order). */
const arrivals: number[] = [];
let stack: Stack;
let stamper: NodeJS.Timeout;
beforeAll(async () => {
  output.start();
  // Time for a batch to run before its messages are visible again.
  stack = await startTestStack({ config, visibilityTimeoutSeconds: 6 });
  stamper = setInterval(() => {
    while (arrivals.length < stack.chat.posts.length) arrivals.push(Date.now());
  }, 5);
});
afterAll(async () => {
  clearInterval(stamper);
  await stack?.stop();
  output.stop();
});
beforeEach(async () => {
  expect(await stack.drainDeadLetters('notify')).toEqual([]);
});

const about = (repo: string) => (p: ChatPost) => p.body.includes(`/${repo}:`) || p.body.includes(`"repository":"${repo}"`);
/** Posts about a repository to one path, with when they arrived. */
const postsTo = (path: string, repo: string) =>
  stack.chat.posts.map((p, i) => ({ ...p, at: arrivals[i] ?? Date.now() })).filter((p) => p.path.startsWith(path) && about(repo)(p));
const delivered = (path: string, repo: string) => postsTo(path, repo).filter((p) => p.status < 300);
const gaps = (posts: { at: number }[]) => posts.slice(1).map((p, i) => p.at - posts[i]!.at);
const logsWith = (message: RegExp) => output.logs().filter((l) => message.test(l.message));
const allDelivered = (repo: string) =>
  eventually(
    () => delivered(SLACK_PATH, repo).length && delivered(OPS_PATH, repo).length && delivered('/webhook/', repo).length,
    30_000,
    `${repo} on every channel`,
  );

describe('minSeverity and notifyOnPass', () => {
  it('sends what reaches the threshold, failures whatever it is, a pass only with notifyOnPass; a pass under it is logged, not sent', async () => {
    // Every `findings` scan's worst is high.
    for (const repo of ['gate-api', 'strict-api', 'gate-broken', 'loud-api']) expect((await postWebhook(stack, acrPush(repo))).status).toBe(202);
    const events = await eventually(
      () => {
        const byRepo = new Map(webhookPosts(stack).map((m) => [m.image.repository, m.event]));
        return ['strict-api', 'gate-broken', 'loud-api'].every((r) => byRepo.has(r)) ? byRepo : undefined;
      },
      30_000,
      'the three messages',
    );
    expect(events.get('strict-api')).toBe('scan.completed'); // high ≥ high
    expect(events.get('gate-broken')).toBe('scan.failed'); // a failure is sent under minSeverity critical
    expect(events.get('loud-api')).toBe('scan.completed'); // high < critical, but notifyOnPass
    const pass = await eventually(() => logsWith(/^scan passed: no message sent$/).find((l) => l.route === 0), 10_000, 'the pass log');
    expect(pass).toMatchObject({ fn: 'pollStatus', minSeverity: 'critical' });
    await new Promise((r) => setTimeout(r, 1500));
    expect(stack.chat.posts.filter(about('gate-api'))).toEqual([]);
  });
});

describe('throttled replies', () => {
  it('a 429 with Retry-After is retried after that time, within the invocation when the wait is short', async () => {
    stack.chat.script(OPS_PATH, { status: 429, headers: { 'retry-after': '1' }, body: 'rate_limited' });
    await postWebhook(stack, acrPush('asks-a-second'));
    await allDelivered('asks-a-second');
    const ops = postsTo(OPS_PATH, 'asks-a-second');
    expect(ops.map((p) => p.status)).toEqual([429, 200]);
    expect(gaps(ops)[0]).toBeGreaterThanOrEqual(950);
    expect(gaps(ops)[0]).toBeLessThan(2500);
  });

  it('a channel throttled again and again holds the message each time for what it asked, and it is finally delivered', async () => {
    const throttled = { status: 429, headers: { 'retry-after': '1' }, body: 'rate_limited' };
    stack.chat.script(OPS_PATH, throttled, throttled, throttled);
    const { jobId } = (await postWebhook(stack, acrPush('often-throttled'))).body.jobs[0];
    await eventually(() => delivered(OPS_PATH, 'often-throttled').length, 40_000, 'the post after the throttling');
    const ops = postsTo(OPS_PATH, 'often-throttled');
    expect(ops.map((p) => p.status)).toEqual([429, 429, 429, 200]);
    // 1 s slept in the invocation; then 2 s twice, held in the queue (longer than the invocation may sleep).
    const [first, second, third] = gaps(ops);
    expect(first).toBeGreaterThanOrEqual(950);
    expect(second).toBeGreaterThanOrEqual(1950);
    expect(third).toBeGreaterThanOrEqual(1950);
    const holds = logsWith(/held until then/).filter((l) => l.channel === 'ops' && l.jobId === jobId);
    expect(holds.map((l) => l.delayMs)).toEqual([2000, 2000]);
    // The other channels got it once; nothing was dead-lettered for throttling.
    expect(delivered(SLACK_PATH, 'often-throttled')).toHaveLength(1);
    expect(delivered('/webhook/', 'often-throttled')).toHaveLength(1);
    expect(await stack.drainDeadLetters('notify')).toEqual([]);
  });

  it('once a channel asked to wait, nothing else is posted to it before then, whichever batch it comes in', async () => {
    stack.chat.script(OPS_PATH, { status: 429, headers: { 'retry-after': '4' }, body: 'rate_limited' });
    await postWebhook(stack, acrPush('wait-first'));
    const asked = await eventually(() => postsTo(OPS_PATH, 'wait-first').find((p) => p.status === 429), 20_000, 'the throttled post');
    // Results arriving while the channel waits: their own batches, on the other invocations Lambda may run.
    for (const repo of ['wait-second', 'wait-third']) await postWebhook(stack, acrPush(repo));
    for (const repo of ['wait-first', 'wait-second', 'wait-third']) await allDelivered(repo);
    const after = stack.chat.posts.map((p, i) => ({ ...p, at: arrivals[i] ?? Date.now() })).filter((p) => p.path.startsWith(OPS_PATH) && p.at > asked.at);
    expect(after.length).toBeGreaterThan(0);
    for (const post of after) expect(post.at - asked.at).toBeGreaterThanOrEqual(3950);
  });
});

describe('one channel apart from another', () => {
  it('a channel failing until SQS redelivers never causes a resend to the channels that already got the message', async () => {
    stack.chat.script(OPS_PATH, ...[1, 2, 3].map(() => ({ status: 503, body: 'service_unavailable' })));
    await postWebhook(stack, acrPush('ops-outage'));
    await allDelivered('ops-outage');
    expect(postsTo(OPS_PATH, 'ops-outage').map((p) => p.status)).toEqual([503, 503, 503, 200]);
    await new Promise((r) => setTimeout(r, 1500));
    expect(postsTo(SLACK_PATH, 'ops-outage').map((p) => p.status)).toEqual([200]);
    expect(postsTo('/webhook/', 'ops-outage').map((p) => p.status)).toEqual([200]);
  });
});

describe('rate limits: a burst for one channel', () => {
  const sample = (): NotifyJob => NotifyJob.parse(jobOf('sqs/notify-findings.json'));
  const burst = Array.from({ length: 8 }, (_, i) => {
    const job = sample();
    return { ...job, jobId: `burst-${i}`, channel: 'sec', image: { ...job.image, repository: `burst-${i}` } };
  });
  let posts: ChatPost[] = [];

  beforeAll(async () => {
    const before = stack.chat.posts.length;
    await createJobQueue(stack.queues.queueClient, stack.queues.urls).sendNotify(burst);
    await eventually(
      () => {
        const done = new Set(logsWith(/delivered$/).flatMap((l) => l.jobIds ?? [l.jobId]));
        return burst.every((j) => done.has(j.jobId));
      },
      20_000,
      'every result of the burst delivered',
    );
    posts = stack.chat.posts.slice(before).filter((p) => p.path === SLACK_PATH);
  });

  it('makes fewer posts than results, loses none, dead-letters none', async () => {
    expect(posts.length).toBeGreaterThanOrEqual(1);
    expect(posts.length).toBeLessThan(burst.length);
    expect(posts.every((p) => p.status === 200)).toBe(true);
    expect(posts.some((p) => /\d scan results/.test(p.body))).toBe(true);
    expect(await stack.drainDeadLetters('notify')).toEqual([]);
  });

  // A summary's items are drawn by each chat target's renderer (the chat branch); the check runs once Slack draws them.
  const first = buildNotice(sample(), 'ACR');
  const slackDrawsItems = slackChannel
    .render(
      { type: 'slack', url: 'https://hooks.slack.com/services/T/B/x' },
      { job: sample(), notice: summaryNotice([first, { ...first, image: 'team-a/item-two:1' }]), now: new Date() },
    )
    .body.includes('team-a/item-two:1');
  it.skipIf(!slackDrawsItems)('names every image of the burst in some post', () => {
    for (const job of burst) expect(posts.some(about(job.image.repository)), job.image.repository).toBe(true);
  });
});

describe('logs', () => {
  it('name channels by their config key: no chat URL token or receiver secret in any line of this file', () => {
    const text = output.text();
    expect(text).toContain('"channel":"ops"');
    for (const secret of ['ops-secret-token', 'xoxb-secret-token', 'audit-receiver-secret', stack.chat.url]) expect(text).not.toContain(secret);
  });
});
