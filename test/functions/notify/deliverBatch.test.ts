import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deliverNotifyBatch } from '../../../functions/notify/deliverBatch.js';
import { type NotifyRuntime, withChannels } from '../../../functions/notify/withChannels.js';
import { type ChatSink, startChatSink } from '../../../local/simulators/chatSink.js';
import { parseConfig } from '../../../shared/config/config.js';
import { NotifyJob } from '../../../shared/messages/jobs.js';
import type { JobQueue } from '../../../shared/queue/jobQueue.js';
import { withHttp } from '../../../shared/runtime/withHttp.js';
import { jobOf } from '../../support/events.js';
import { fakeRuntime } from '../../support/runtime.js';

/**
 * One notify batch against the chat sink on 127.0.0.1, with an in-memory queue that records what the function
 * holds, sends (ops notices) and dead-letters.
 */
const SLACK = '/slack/T0UNIT/B0UNIT/unit-token';
const OPS = '/slack/T0UNIT/B0OPS/ops-token';
const HOOK = '/webhook/unit';
const GCHAT = '/googlechat/v1/spaces/AAAAunit/messages';
const DING = '/dingtalk/robot/send?access_token=unit-ding';

let sink: ChatSink;
let rt: NotifyRuntime;
const resent: { jobs: NotifyJob[] }[] = [];
/** Messages made invisible for a while, by receipt handle. */
const held: { handles: string[]; seconds: number }[] = [];
const dead: { body: string; reason: string; mayHaveBeenDelivered?: boolean }[] = [];
/** The pauses a batch took to keep a channel's pace (recorded, not slept). */
const paused: number[] = [];
const log = new Logger({ serviceName: 'scanhook-test', logLevel: 'SILENT' });

const queue = {
  sendScanJobs: async () => undefined,
  sendPoll: async () => undefined,
  sendNotify: async (jobs: NotifyJob[]) => {
    resent.push({ jobs: jobs.map((j) => NotifyJob.parse(j)) });
  },
  holdNotify: async (handles: string[], seconds: number) => {
    held.push({ handles, seconds });
  },
  sendToDeadLetter: async (_queue: string, body: string, reason: string, opts: { mayHaveBeenDelivered?: boolean } = {}) => {
    dead.push({ body, reason, ...(opts.mayHaveBeenDelivered ? { mayHaveBeenDelivered: true } : {}) });
  },
} as unknown as JobQueue;

beforeAll(async () => {
  sink = await startChatSink();
  const config = parseConfig({
    sources: { acr: { secret: 'a-long-enough-webhook-secret-1234' } },
    scanners: { 'acr-hz': { type: 'acr', region: 'cn-hangzhou', instanceId: 'cri-unit' } },
    channels: {
      sec: { type: 'slack', url: `${sink.url}${SLACK}` },
      ops: { type: 'slack', url: `${sink.url}${OPS}` },
      audit: { type: 'webhook', url: `${sink.url}${HOOK}` },
      gchat: { type: 'googlechat', url: `${sink.url}${GCHAT}?key=unit-key&token=unit-token` },
      ding: { type: 'dingtalk', url: `${sink.url}${DING}` },
    },
    routes: [{ source: 'acr', scanner: 'acr-hz', channels: ['sec', 'ops', 'audit'] }],
    http: { timeoutMs: 2000, attempts: 3, baseDelayMs: 10, maxDelayMs: 1500 },
  });
  rt = withChannels(withHttp(fakeRuntime(config, queue, { maxReceiveCount: { intake: 5, scan: 5, poll: 5, notify: 10 } })), log);
});
afterAll(async () => {
  await rt?.http.close();
  await sink.close();
});
beforeEach(() => {
  sink.posts.length = 0;
  resent.length = 0;
  held.length = 0;
  dead.length = 0;
  paused.length = 0;
});

const sample = (): NotifyJob => NotifyJob.parse(jobOf('sqs/notify-findings.json'));
const job = (channel: string, repository: string, over: Partial<NotifyJob> = {}): NotifyJob => {
  const base = sample();
  return { ...base, jobId: `job-${repository}`, channel, image: { ...base.image, repository }, ...over };
};
let seq = 0;
/** A record as Lambda hands it over; sent a minute ago unless `sentAgoMs` says otherwise. */
const record = (body: unknown, receiveCount = 1, sentAgoMs = 60_000): SQSRecord => {
  const id = ++seq;
  return {
    messageId: `m-${id}`,
    receiptHandle: `rh-${id}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: String(Date.now() - sentAgoMs) },
  } as unknown as SQSRecord;
};
const handlesOf = (records: SQSRecord[]) => records.map((r) => r.receiptHandle);
const run = (records: SQSRecord[], timeLeftMs?: () => number) =>
  deliverNotifyBatch(rt, log, records, timeLeftMs, async (ms) => {
    paused.push(ms);
  });
const postsTo = (prefix: string) => sink.posts.filter((p) => p.path.startsWith(prefix));
const statuses = (results: PromiseSettledResult<void>[]) => results.map((r) => r.status);

describe('rate limits: one batch posts at most what a channel may take, and combines the rest', () => {
  it('a burst for one Slack channel becomes one summary post; nothing is dropped, nothing re-sent', async () => {
    const repos = ['api', 'web', 'worker', 'cron', 'gateway'];
    const results = await run(repos.map((r) => record(job('sec', r))));
    expect(statuses(results)).toEqual(repos.map(() => 'fulfilled'));
    expect(postsTo(SLACK)).toHaveLength(1);
    expect(postsTo(SLACK)[0]!.body).toContain('5 scan results');
    expect(resent).toEqual([]);
    expect(dead).toEqual([]);
  });

  it('a target with no known limit gets every result singly; each channel is counted apart', async () => {
    const results = await run([record(job('audit', 'a')), record(job('sec', 'b')), record(job('audit', 'c')), record(job('audit', 'd'))]);
    expect(statuses(results)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(
      postsTo(HOOK)
        .map((p) => JSON.parse(p.body).image.repository)
        .sort(),
    ).toEqual(['a', 'c', 'd']);
    expect(postsTo(SLACK)).toHaveLength(1);
    expect(postsTo(SLACK)[0]!.body).toContain('team-a/b:1.4.2');
  });

  it('a summary that cannot be delivered dead-letters every result it combined, with the reason', async () => {
    sink.script(SLACK, { status: 404, body: 'channel_not_found' });
    const jobs = [job('sec', 'x'), job('sec', 'y'), job('sec', 'z')];
    const results = await run(jobs.map((j) => record(j)));
    expect(statuses(results)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect(postsTo(SLACK)).toHaveLength(1);
    expect(dead.map((d) => JSON.parse(d.body).image.repository)).toEqual(['x', 'y', 'z']);
    for (const d of dead) expect(d.reason).toBe('summary of 3 results: channel_not_found: Slack answered 404 channel_not_found');
    expect(resent).toEqual([]);
  });
});

describe('a channel keeps its pace from one batch to the next: the batch stays on after its posts, its group locked', () => {
  it('DingTalk (20 a minute) gets one post a batch, then 3 s; Slack 1 s; a target with no limit no pause', async () => {
    const results = await run([record(job('ding', 'd1'), 2), record(job('ding', 'd2'), 2), record(job('ding', 'd3'), 2), record(job('audit', 'a1'))]);
    expect(statuses(results)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(postsTo(DING)).toHaveLength(1);
    expect(postsTo(DING)[0]!.body).toContain('3');
    for (const repo of ['d1', 'd2', 'd3']) expect(postsTo(DING)[0]!.body).toContain(`team-a/${repo}:`);
    expect(paused).toEqual([3000]);

    paused.length = 0;
    await run([record(job('sec', 's1'))]);
    expect(paused).toEqual([1000]);
  });

  it('a batch that posted nothing to the channel does not pause: results held to gather a burst, a channel asked to wait', async () => {
    await run([record(job('ding', 'fresh'), 1, 100)]);
    expect(sink.posts).toEqual([]);
    expect(paused).toEqual([]);

    sink.script(SLACK, { status: 429, headers: { 'retry-after': '60' }, body: 'rate_limited' });
    await run([record(job('sec', 'waits'), 2)]);
    expect(paused).toEqual([]);
  });

  it('never pauses past the time the invocation has left', async () => {
    await run([record(job('ding', 'tight'), 2)], () => 3200);
    expect(postsTo(DING)).toHaveLength(1);
    expect(paused).toEqual([2700]);
  });
});

describe('the host is told which records a post delivered, as soon as it went through', () => {
  it('a single post and a summary name exactly their records; a refused post names none', async () => {
    const told: string[][] = [];
    rt.delivered = (records) => told.push(records.map((r) => r.messageId));
    try {
      sink.script(OPS, { status: 404, body: 'channel_not_found' });
      const records = [record(job('audit', 'one')), record(job('sec', 'a')), record(job('sec', 'b')), record(job('ops', 'gone'))];
      await run(records);
      expect(told.map((ids) => ids.sort()).sort()).toEqual([[records[0]!.messageId], [records[1]!.messageId, records[2]!.messageId].sort()].sort());
    } finally {
      delete rt.delivered;
    }
  });
});

describe('throttled replies wait what was asked, doubling on repeat', () => {
  it('a short Retry-After is slept within the invocation, doubled on the second throttled reply', async () => {
    sink.script(
      SLACK,
      { status: 429, headers: { 'retry-after': '0.2' }, body: 'rate_limited' },
      { status: 429, headers: { 'retry-after': '0.2' }, body: 'rate_limited' },
    );
    const started = Date.now();
    const results = await run([record(job('sec', 'short'))]);
    expect(statuses(results)).toEqual(['fulfilled']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(600); // 200 ms, then 400 ms
    expect(postsTo(SLACK).map((p) => p.status)).toEqual([429, 429, 200]);
    expect(resent).toEqual([]);
  });

  it('a wait longer than the invocation may sleep holds the message (invisible) that long and hands it back to SQS', async () => {
    sink.script(SLACK, { status: 429, headers: { 'retry-after': '60' }, body: 'rate_limited' });
    const records = [record(job('sec', 'long'))];
    const results = await run(records);
    expect(statuses(results)).toEqual(['rejected']); // not deleted: it comes back when the hold ends
    expect(postsTo(SLACK)).toHaveLength(1);
    expect(held).toEqual([{ handles: handlesOf(records), seconds: 60 }]);
    expect(resent).toEqual([]);
    expect(dead).toEqual([]);
  });

  it('a message received before waits twice as long for each earlier receive, at most 10 minutes', async () => {
    sink.script(SLACK, { status: 429, headers: { 'retry-after': '60' }, body: 'rate_limited' });
    await run([record(job('sec', 'again'), 3)]);
    expect(held[0]!.seconds).toBe(240);

    sink.script(SLACK, { status: 429, headers: { 'retry-after': '60' }, body: 'rate_limited' });
    await run([record(job('sec', 'often'), 8)]);
    expect(held[1]!.seconds).toBe(600);
  });

  it('once a channel asks to wait, the rest of its posts in the batch are held too, unsent; other channels go on', async () => {
    sink.script(HOOK, { status: 429, headers: { 'retry-after': '30' }, body: { error: 'slow down' } });
    const records = [record(job('audit', 'h1')), record(job('audit', 'h2')), record(job('ops', 'o1')), record(job('audit', 'h3'))];
    const results = await run(records);
    expect(statuses(results)).toEqual(['rejected', 'rejected', 'fulfilled', 'rejected']);
    expect(postsTo(HOOK)).toHaveLength(1);
    expect(postsTo(OPS).map((p) => p.status)).toEqual([200]);
    expect(held).toEqual([records[0], records[1], records[3]].map((r) => ({ handles: [r!.receiptHandle], seconds: 30 })));
    expect(resent).toEqual([]);
  });

  it('a summary that is throttled holds every result it combined, waiting by the most received among them', async () => {
    sink.script(SLACK, { status: 429, headers: { 'retry-after': '5' }, body: 'rate_limited' });
    const records = [record(job('sec', 's1'), 2), record(job('sec', 's2'))];
    await run(records);
    expect(held).toEqual([{ handles: handlesOf(records), seconds: 10 }]);
  });

  it("a channel still asking to wait at a message's last receive dead-letters it, with the reason", async () => {
    sink.script(SLACK, { status: 429, headers: { 'retry-after': '60' }, body: 'rate_limited' });
    const results = await run([record(job('sec', 'tired'), 10)]);
    expect(statuses(results)).toEqual(['fulfilled']);
    expect(held).toEqual([]);
    expect(dead.map((d) => d.reason)).toEqual(["rate_limited: channel asked to wait, and this was the message's last receive"]);
  });
});

describe('a burst is gathered: a rate-limited channel holds its first results a moment', () => {
  it('fresh results on their first receive are held until a second has passed since the oldest was sent, unposted', async () => {
    const records = [record(job('sec', 'b1'), 1, 200), record(job('sec', 'b2'), 1, 100)];
    const results = await run(records);
    expect(statuses(results)).toEqual(['rejected', 'rejected']);
    expect(sink.posts).toEqual([]);
    expect(held).toEqual([{ handles: handlesOf(records), seconds: 1 }]);
  });

  it('when they come back, with the rest of the burst behind them, they are posted as one summary', async () => {
    const results = await run([record(job('sec', 'b1'), 2, 1200), record(job('sec', 'b2'), 2, 1100), record(job('sec', 'b3'), 1, 500)]);
    expect(statuses(results)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect(postsTo(SLACK)).toHaveLength(1);
    expect(postsTo(SLACK)[0]!.body).toContain('3 scan results');
    expect(held).toEqual([]);
  });

  it('a target with no known limit is never held', async () => {
    const results = await run([record(job('audit', 'now'), 1, 0)]);
    expect(statuses(results)).toEqual(['fulfilled']);
    expect(postsTo(HOOK)).toHaveLength(1);
    expect(held).toEqual([]);
  });
});

describe('what may have been posted is never sent again; what cannot succeed is dead-lettered', () => {
  it('an ambiguous reply (Slack 500) goes to the DLQ with its code, not back to the queue', async () => {
    sink.script(OPS, { status: 500, body: 'rollup_error' });
    const results = await run([record(job('ops', 'maybe')), record(job('sec', 'fine'))]);
    expect(statuses(results)).toEqual(['fulfilled', 'fulfilled']);
    expect(postsTo(OPS)).toHaveLength(1);
    expect(postsTo(SLACK)).toHaveLength(1);
    expect(dead).toHaveLength(1);
    expect(dead[0]!.reason).toBe('may have been delivered: rollup_error: Slack answered 500 rollup_error');
    expect(dead[0]!.mayHaveBeenDelivered).toBe(true);
    expect(resent).toEqual([]);
  });

  it('an outage that outlasts the retries hands only that record back to SQS', async () => {
    sink.script(OPS, ...[1, 2, 3].map(() => ({ status: 503, body: 'no_service' })));
    const results = await run([record(job('ops', 'down')), record(job('sec', 'up'))]);
    expect(statuses(results)).toEqual(['rejected', 'fulfilled']);
    expect(postsTo(OPS)).toHaveLength(3);
    expect(dead).toEqual([]);
    expect(resent).toEqual([]);
  });

  it('a channel missing from the config, and a record that is not a notify job, never stop the others', async () => {
    const results = await run([record(job('gone', 'g')), record('{"kind":"notify","v":9}'), record(job('sec', 'ok'))]);
    expect(statuses(results)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(dead.map((d) => d.reason)).toEqual(['channel "gone" is not configured']);
    expect(postsTo(SLACK)).toHaveLength(1);
  });
});

describe('SQS delivers at least once', () => {
  it('two copies of one message in a batch are posted once; only the copy kept is held, the other deleted', async () => {
    const results = await run([record(job('sec', 'twin')), record(job('sec', 'twin'))]);
    expect(statuses(results)).toEqual(['fulfilled', 'fulfilled']);
    expect(postsTo(SLACK)).toHaveLength(1);
    expect(postsTo(SLACK)[0]!.body).not.toContain('scan results'); // the result itself, not a summary

    sink.script(SLACK, { status: 429, headers: { 'retry-after': '60' }, body: 'rate_limited' });
    const records = [record(job('sec', 'twin2')), record(job('sec', 'twin2'))];
    expect(statuses(await run(records))).toEqual(['rejected', 'fulfilled']);
    expect(held).toEqual([{ handles: [records[0]!.receiptHandle], seconds: 60 }]);
  });
});

describe('the invocation never runs out of time after a post went through', () => {
  it('with too little time left for another request, posts nothing and holds the job a short while', async () => {
    const records = [record(job('sec', 'late'), 3)];
    const results = await run(records, () => 1500);
    expect(statuses(results)).toEqual(['rejected']);
    expect(sink.posts).toEqual([]);
    expect(held).toEqual([{ handles: handlesOf(records), seconds: 2 }]);
  });

  it('does not sleep a throttled wait past the time left: holds instead', async () => {
    sink.script(SLACK, { status: 429, headers: { 'retry-after': '1' }, body: 'rate_limited' });
    const started = Date.now();
    await run([record(job('sec', 'tight'))], () => 3500); // 3.5 s left − (2 s request + 1 s) leaves 0.5 s to sleep
    expect(Date.now() - started).toBeLessThan(900);
    expect(held).toEqual([{ handles: [expect.any(String)], seconds: 1 }]);
  });
});

describe('a post whose reply never came (timed out)', () => {
  it('is dead-lettered, never resent, where the target may have posted it (Slack)', async () => {
    sink.script(SLACK, { status: 200, body: 'ok', delayMs: 6000 });
    const results = await run([record(job('sec', 'slow-slack'))]);
    expect(results[0]!.status).toBe('fulfilled');
    expect(sink.posts.filter((p) => p.path.startsWith(SLACK))).toHaveLength(1);
    expect(dead).toHaveLength(1);
    expect(dead[0]!.reason).toContain('UND_ERR_HEADERS_TIMEOUT');
  });

  it('is resent with the same requestId where the target drops repeats (Google Chat)', async () => {
    sink.script(GCHAT, { status: 200, body: { name: 'spaces/AAAAunit/messages/late' }, delayMs: 6000 });
    const results = await run([record(job('gchat', 'slow-gchat'))]);
    expect(results[0]!.status).toBe('fulfilled');
    const posts = sink.posts.filter((p) => p.path.startsWith(GCHAT));
    expect(posts).toHaveLength(2);
    const ids = posts.map((p) => new URL(p.path, 'http://x').searchParams.get('requestId'));
    expect(ids[1]).toBe(ids[0]);
    expect(dead).toEqual([]);
  });
});
