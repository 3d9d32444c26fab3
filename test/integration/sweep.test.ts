import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../local/stack.js';
import { digestOf } from '../support/events.js';
import { acrPush, captureOutput, eventually, postWebhook, startTestStack, testConfig } from '../support/stack.js';

/**
 * A sweep end to end in local mode: the watched route's repositories and newest tags listed from the ACR simulator,
 * each image's last scan read, re-scanned, and a message only where a finding appeared since the last scan.
 */
let stack: Stack;
const output = captureOutput();
const DAY = 86_400_000;

beforeAll(async () => {
  output.start();
  stack = await startTestStack({
    schedule: false,
    config: (sims: { acrUrl: string; chatUrl: string }) => {
      const base = testConfig(sims);
      return {
        ...base,
        // Feishu takes 5 posts a second: a burst of re-scan results is never combined into one summary (Slack's 1 would be).
        channels: {
          ...base.channels,
          feishu: { type: 'feishu', url: `${sims.chatUrl}/feishu/open-apis/bot/v2/hook/sweep-hook` },
          ops: { type: 'webhook', url: `${sims.chatUrl}/webhook/ops` },
        },
        routes: [
          {
            source: 'acr',
            namespace: 'team-w',
            repository: '*',
            tag: 'v*',
            scanner: 'acr-hz',
            channels: ['feishu', 'audit'],
            minSeverity: 'high',
            watch: { tagsPerRepository: 2 },
          },
          ...base.routes,
        ],
        opsChannels: ['ops'],
        watch: { schedule: 'rate(1 day)', maxImagesPerSweep: 7 },
        polling: { initialDelaySeconds: 0, maxDelaySeconds: 1, deadlineMinutes: 1 },
      };
    },
  });
  const now = Date.now();
  ['app', 'api', 'throttled-lib'].forEach((repo, i) => {
    stack.acr.pushTag(`team-w/${repo}`, 'v1', digestOf(`${repo}-1`), now - (30 + i) * DAY, { scanned: true });
    stack.acr.pushTag(`team-w/${repo}`, 'v2', digestOf(`${repo}-2`), now - 12 * DAY, { scanned: true });
    stack.acr.pushTag(`team-w/${repo}`, 'v0', digestOf(`${repo}-0`), now - 90 * DAY, { scanned: true });
    stack.acr.pushTag(`team-w/${repo}`, 'latest', digestOf(`${repo}-2`), now - 12 * DAY, { scanned: true });
  });
  stack.acr.pushTag('team-w/locked', 'v1', digestOf('locked-1'), now - DAY, { scanned: true });
  stack.acr.setBehaviour('team-w/locked', { denyList: true });
  stack.acr.pushTag('team-w/Odd_名字', 'v1', digestOf('odd-1'), now - DAY, { scanned: true });
  stack.acr.pushTag('team-w/fresh', 'v1', digestOf('fresh-1'), now - 2 * DAY); // never scanned
  stack.acr.pushTag('team-w/broken-svc', 'v1', digestOf('broken-1'), now - 5 * DAY, { scanned: true }); // its re-scan fails
  stack.acr.pushTag('other/app', 'v1', digestOf('other-1'), now - DAY, { scanned: true });
  stack.acr.publishAdvisory('team-w/app', 'CVE-2031-0001');
});
afterAll(async () => {
  output.stop();
  await stack?.stop();
});

const firstSweep = new Date(Math.floor(Date.now() / 300_000) * 300_000 + 1000);
const webhook = (path: string) => stack.chat.delivered(path).map((p) => JSON.parse(p.body));
/** Scans the ACR simulator accepted to start (a throttled call is retried, not a start). */
const starts = () => stack.acr.calls.filter((c) => c.action === 'CreateRepoTagScanTask' && c.status === 200).length;
const feishu = () => stack.chat.delivered('/feishu/').map((p) => JSON.stringify(JSON.parse(p.body)));

describe('a sweep re-scans the watched images and tells only what is new', () => {
  it('posts once per channel for each image that gained a finding, naming the re-scan; nothing for the others', async () => {
    const at = firstSweep;
    await stack.sweep(at);
    // app v1 and v2 gained CVE-2031-0001 (High); fresh was never scanned (all its High findings are new); broken-svc's re-scan fails.
    const audit = await eventually(() => (webhook('/webhook/audit').length >= 4 ? webhook('/webhook/audit') : undefined), 30_000, '4 re-scan messages');
    // The re-scans of api and throttled-lib (nothing new) and the scans of app and fresh all finish before the ops notice is looked at.
    await eventually(() => starts() >= 7 && webhook('/webhook/ops').length >= 1, 30_000, 'every re-scan and the ops notice');
    await new Promise((r) => setTimeout(r, 1500));
    const images = webhook('/webhook/audit').map((m) => `${m.image.repository}:${m.image.tag}`);
    expect(images.sort()).toEqual(['app:v1', 'app:v2', 'broken-svc:v1', 'fresh:v1']);
    // A failed re-scan is posted once, saying it was a re-scan.
    const failed = audit.filter((m) => m.event === 'scan.failed');
    expect(failed.map((m) => m.image.repository)).toEqual(['broken-svc']);
    expect(failed[0].summary).toMatch(/^Re-scan: Scan failed/);
    expect(audit.every((m) => m.rescan?.sweep === at.toISOString())).toBe(true);
    const appV2 = webhook('/webhook/audit').find((m) => m.image.repository === 'app' && m.image.tag === 'v2');
    expect(appV2.delta.new.high).toBe(1);
    expect(appV2.delta.newFindings[0].id).toBe('CVE-2031-0001');
    expect(appV2.summary).toMatch(/^Re-scan: .* · 1 new since the last scan$/);

    const posts = feishu().filter((m) => m.includes('team-w/app:v2'));
    expect(posts).toHaveLength(1);
    const text = posts[0]!;
    expect(text).toContain('Re-scan: ');
    expect(text).toContain('pushed 12 days ago');
    expect(text.indexOf('CVE-2031-0001')).toBeLessThan(text.indexOf('CVE-2024-'));
    expect(feishu()).toHaveLength(4);
    expect(feishu().filter((m) => m.includes('team-w/api') || m.includes('throttled-lib'))).toHaveLength(0);
  });

  it('lists only the newest matching tags, never another namespace, and tells ops what it could not list', async () => {
    const started = stack.acr.calls.filter((c) => c.action === 'CreateRepoTagScanTask' && c.status === 200).map((c) => c.params.Tag);
    expect(started.filter((t) => t === 'v0' || t === 'latest')).toHaveLength(0);
    expect(stack.acr.calls.some((c) => c.action === 'CreateRepoTagScanTask' && c.params.RepoId?.includes('other'))).toBe(false);
    const ops = webhook('/webhook/ops').map((m) => m.outcome.reason as string);
    const listing = ops.find((r) => r.includes('locked'));
    expect(listing).toContain('listing the tags of "team-w/locked" failed');
    expect(listing).toContain('"team-w/Odd_名字:v1": not an image name scanhook can scan');
    // 8 images found (app, api, throttled-lib × 2, fresh, broken-svc), 7 kept: the oldest pushed is left, in one line.
    expect(ops.some((r) => r.includes('1 of 8 images not re-scanned: watch.maxImagesPerSweep is 7'))).toBe(true);
    // throttled-lib's calls were throttled twice each and retried: its repository was listed and re-scanned all the same.
    expect(started).toHaveLength(7);
  });

  it('a sweep delivered twice starts nothing twice, and a second sweep within the deduplication window nothing at all', async () => {
    const first = starts();
    // Another tick in the same 5-minute slot as the first sweep's: every re-scan has the jobId it had then.
    await stack.sweep(new Date(firstSweep.getTime() + 1));
    const parts = () => output.logs().filter((l) => l.message === 'sweep part queued its re-scans').length;
    await eventually(() => parts() >= 2, 15_000, 'the second sweep');
    await new Promise((r) => setTimeout(r, 2000));
    expect(starts()).toBe(first);

    const before = starts();
    // Another schedule tick (past the deduplication window of the first sweep's re-scans), delivered twice.
    const at = new Date(Date.now() + 10 * 60_000);
    await stack.sweep(at);
    await eventually(() => starts() >= before + 7, 30_000, 'the next sweep');
    await stack.sweep(at);
    await new Promise((r) => setTimeout(r, 4000));
    expect(starts()).toBe(before + 7);
    // The failed re-scan of the next sweep is posted once more: once per image per sweep.
    await eventually(() => webhook('/webhook/audit').filter((m) => m.event === 'scan.failed').length >= 2, 15_000, 'the next failure');
    expect(webhook('/webhook/audit').filter((m) => m.event === 'scan.failed')).toHaveLength(2);
  });

  it('a push and a sweep of the same image within the deduplication window are one scan', async () => {
    const at = new Date();
    const event = acrPush('pushed-app', 'v9');
    event.repository.namespace = 'team-w';
    event.repository.repo_full_name = 'team-w/pushed-app';
    expect((await postWebhook(stack, event)).status).toBe(202);
    await eventually(() => webhook('/webhook/audit').find((m) => m.image.repository === 'pushed-app'), 15_000, 'the push message');
    const startsOf = () => stack.acr.calls.filter((c) => c.action === 'CreateRepoTagScanTask' && c.status === 200 && c.params.Tag === 'v9').length;
    expect(startsOf()).toBe(1);
    const parts = output.logs().filter((l) => l.message === 'sweep part queued its re-scans').length;
    await stack.sweep(at);
    await eventually(() => output.logs().filter((l) => l.message === 'sweep part queued its re-scans').length > parts, 15_000, 'the sweep');
    await new Promise((r) => setTimeout(r, 3000));
    // The sweep found the pushed image (the newest, so kept) and queued its re-scan: the intake queue dropped it.
    expect(
      output
        .logs()
        .filter((l) => l.message === 'sweep listed')
        .at(-1),
    ).toMatchObject({ images: 9, queued: 7 });
    expect(startsOf()).toBe(1);
    const messages = webhook('/webhook/audit').filter((m) => m.image.repository === 'pushed-app');
    expect(messages).toHaveLength(1);
    expect(messages[0].rescan).toBeUndefined();
  });
});
