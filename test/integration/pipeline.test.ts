import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../local/stack.js';
import { acrPush, eventually, postsFor, postWebhook, SLACK_PATH, startTestStack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

const waitForMessages = (repo: string, n = 1) =>
  eventually(
    () => {
      const posts = postsFor(stack, repo);
      return posts.slack.length >= n && posts.webhook.length >= n ? posts : undefined;
    },
    20_000,
    `messages for ${repo}`,
  );

describe('push → scan → status checks → messages, through local mode', () => {
  it('scans a pushed image and posts its findings to Slack and the HTTP receiver', async () => {
    const push = acrPush('api-gw', '1.4.2');
    const res = await postWebhook(stack, push);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ accepted: 1, ignored: [] });

    const { slack, webhook } = await waitForMessages('api-gw');
    const text = JSON.stringify(slack[0].blocks);
    expect(slack[0].text).toContain('team-a/api-gw:1.4.2');
    expect(text).toContain(push.push_data.digest.slice(7, 19));
    expect(text).toContain('Alibaba Cloud ACR (acr-hz)');
    expect(text).toContain('High 3 · Medium 5 · Low 7 · Unknown 1');
    expect(text).toMatch(/CVE-2024-1000.*openssl.*1\.0\.0` → `1\.0\.1/);
    expect(text).toContain('https://cr.console.aliyun.com/cn-hangzhou/instance/cri-test00000000/repository/');
    expect(text).toMatch(/Scan took/);

    expect(webhook[0]).toMatchObject({
      v: 1,
      event: 'scan.completed',
      image: { namespace: 'team-a', repository: 'api-gw', tag: '1.4.2', digest: push.push_data.digest, region: 'cn-hangzhou' },
      scanner: { name: 'acr-hz', type: 'acr' },
      worstSeverity: 'high',
      outcome: { status: 'complete', report: { counts: { critical: 0, high: 3, medium: 5, low: 7, unknown: 1 }, total: 16 } },
    });
    expect(webhook[0].outcome.report.findings[0]).toMatchObject({
      id: 'CVE-2024-1000',
      severity: 'high',
      package: 'openssl',
      installedVersion: '1.0.0',
      fixedVersion: '1.0.1',
    });
    // The receiver's own header is passed on.
    expect(stack.chat.delivered('/webhook/')[0]!.headers.authorization).toBe('Bearer audit-receiver-secret');

    const calls = stack.acr.calls.filter((c) => c.params.RepoId?.length || c.action === 'GetRepository');
    expect(calls.filter((c) => c.action === 'CreateRepoTagScanTask')).toHaveLength(1);
    expect(calls.filter((c) => c.action === 'CreateRepoTagScanTask')[0]!.params).toMatchObject({ Tag: '1.4.2', Digest: push.push_data.digest });
    expect(stack.acr.count('GetRepoTagScanStatus')).toBeGreaterThanOrEqual(3);
    expect(stack.acr.calls.every((c) => c.status === 200)).toBe(true);
  });

  it('says so when the image is clean', async () => {
    await postWebhook(stack, acrPush('billing-clean'));
    const { slack, webhook } = await waitForMessages('billing-clean');
    expect(slack[0].text).toContain('No vulnerabilities found');
    expect(webhook[0]).toMatchObject({ event: 'scan.completed', worstSeverity: null, outcome: { report: { total: 0 } } });
  });

  it('posts a failure message when ACR reports the scan FAILED', async () => {
    await postWebhook(stack, acrPush('report-broken'));
    const { slack, webhook } = await waitForMessages('report-broken');
    expect(slack[0].text).toContain('Scan failed');
    expect(webhook[0]).toMatchObject({ event: 'scan.failed', outcome: { status: 'failed' } });
  });

  it('posts a time-out message when the scan outlives the deadline', async () => {
    await postWebhook(stack, acrPush('never-slow'));
    const { slack, webhook } = await waitForMessages('never-slow');
    expect(slack[0].text).toContain('stopped waiting');
    expect(webhook[0]).toMatchObject({ event: 'scan.timed_out', outcome: { status: 'timed_out' } });
    expect(webhook[0].outcome.waitedSeconds).toBeGreaterThanOrEqual(6);
  });

  it('retries throttled calls with fresh signatures and still delivers', async () => {
    await postWebhook(stack, acrPush('gw-throttled'));
    const { webhook } = await waitForMessages('gw-throttled');
    expect(webhook[0]).toMatchObject({ event: 'scan.completed' });
    const throttled = stack.acr.calls.filter((c) => c.status === 400 && c.params.RepoNamespaceName === 'team-a' && c.params.RepoName === 'gw-throttled');
    expect(throttled).toHaveLength(2);
  });

  it('retries 5xx answers and still delivers', async () => {
    await postWebhook(stack, acrPush('gw-flaky'));
    const { webhook } = await waitForMessages('gw-flaky');
    expect(webhook[0]).toMatchObject({ event: 'scan.completed' });
    expect(stack.acr.calls.filter((c) => c.status === 503).length).toBeGreaterThanOrEqual(2);
  });

  it('turns a permission error into a failure message naming the code, and dead-letters the job', async () => {
    await postWebhook(stack, acrPush('vault-denied'));
    const { slack, webhook } = await waitForMessages('vault-denied');
    expect(slack[0].text).toContain('NoPrivilege');
    expect(webhook[0]).toMatchObject({ event: 'scan.error', outcome: { status: 'error', code: 'NoPrivilege', retryable: false } });
    // Not retried: exactly one create call answered 403.
    expect(stack.acr.calls.filter((c) => c.action === 'CreateRepoTagScanTask' && c.status === 403)).toHaveLength(1);
    const dead = await eventually(() => stack.drainDeadLetters('scan').then((m) => (m.length ? m : undefined)), 5000, 'scan DLQ');
    expect(JSON.parse(dead[0]!.body).image.repository).toBe('vault-denied');
    expect(dead[0]!.reason).toContain('NoPrivilege');
  });

  it('a digest pushed under two tags, its webhook retried: the retry starts nothing, and the messages name both tags', async () => {
    const first = acrPush('twice-pushed', '3.0.0', 'same-digest');
    const second = acrPush('twice-pushed', 'latest', 'same-digest');
    expect((await postWebhook(stack, first)).status).toBe(202);
    expect((await postWebhook(stack, second)).status).toBe(202);
    expect((await postWebhook(stack, first)).status).toBe(202); // the registry retrying its webhook
    await waitForMessages('twice-pushed');
    await new Promise((r) => setTimeout(r, 1500));
    // ACR starts at once, one image per call: tags that reach the intake queue together are one scan, later ones
    // their own (with the tag they name), and a repeated webhook none.
    const creates = stack.acr.calls.filter(
      (c) => c.action === 'CreateRepoTagScanTask' && c.status === 200 && (c.params.Digest ?? '').endsWith(first.push_data.digest.slice(7)),
    );
    expect(creates.length).toBeGreaterThanOrEqual(1);
    expect(new Set(creates.map((c) => c.params.Tag)).size).toBe(creates.length);
    const { webhook } = postsFor(stack, 'twice-pushed');
    expect(webhook).toHaveLength(creates.length);
    expect([...new Set(webhook.flatMap((m) => m.image.tags ?? [m.image.tag]))].sort()).toEqual(['3.0.0', 'latest']);
  });

  it('scans the same digest pushed to two repositories (a promotion) as two images, each with its message', async () => {
    const digestSeed = 'promoted-build';
    expect((await postWebhook(stack, acrPush('promo-staging', '2.0.0', digestSeed))).status).toBe(202);
    expect((await postWebhook(stack, acrPush('promo-prod', '2.0.0', digestSeed))).status).toBe(202);
    await waitForMessages('promo-staging');
    await waitForMessages('promo-prod');
    const started = stack.acr.calls.filter((c) => c.action === 'CreateRepoTagScanTask' && c.status === 200).map((c) => c.params.RepoId);
    expect(new Set(started).size).toBeGreaterThanOrEqual(2);
  });

  it('retries a Slack 429 after Retry-After, without resending to the channel that already got it', async () => {
    stack.chat.script(SLACK_PATH, { status: 429, headers: { 'retry-after': '1' }, body: 'rate_limited' });
    const started = Date.now();
    await postWebhook(stack, acrPush('slack-busy'));
    const { slack, webhook } = await waitForMessages('slack-busy');
    expect(slack).toHaveLength(1);
    expect(webhook).toHaveLength(1);
    const attempts = stack.chat.posts.filter((p) => p.path === SLACK_PATH && p.body.includes('slack-busy'));
    expect(attempts.map((p) => p.status)).toEqual([429, 200]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });
});

describe('any text a scanner returns travels the queues, as real SQS accepts it', () => {
  it('1 024 findings full of emoji, CJK, control characters and an unpaired surrogate reach chat', async () => {
    const res = await postWebhook(stack, acrPush('emoji-app', '2.0.0'));
    expect(res.status).toBe(202);

    const { slack, webhook } = await waitForMessages('emoji-app');
    expect(webhook[0].outcome.report.total).toBe(1024);
    expect(webhook[0].outcome.report.findings[0].package).toMatch(/^📦openssl-组件/);
    expect(JSON.stringify(slack[0].blocks)).toContain('📦');
    expect(await stack.drainDeadLetters('poll')).toEqual([]);
    expect(await stack.drainDeadLetters('notify')).toEqual([]);
  });
});
