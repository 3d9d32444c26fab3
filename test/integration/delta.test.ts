import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestOfGeneration } from '../../local/simulators/findings.js';
import type { Stack } from '../../local/stack.js';
import { acrPush, captureOutput, eventually, postsFor, postWebhook, startTestStack, testConfig } from '../support/stack.js';

/**
 * Every message says what changed since the previous image, through local mode: the webhook, the queues, pollStatus
 * reading both images' lists from the ACR simulator, and the chat sink. `*delta*` repositories hold different findings
 * per digest generation: the next generation fixes the first finding of each ACR level and brings one new one.
 */
let stack: Stack;
const output = captureOutput();
beforeAll(async () => {
  output.start();
  stack = await startTestStack({
    config: (sims: { acrUrl: string; chatUrl: string }) => {
      const base = testConfig(sims);
      return {
        ...base,
        routes: [
          { source: 'acr', namespace: 'team-a', repository: 'quiet-*', scanner: 'acr-hz', channels: ['sec', 'audit'], notify: 'changes' },
          ...base.routes,
        ],
        polling: { initialDelaySeconds: 0, maxDelaySeconds: 1, deadlineMinutes: 1 },
      };
    },
  });
});
afterAll(async () => {
  output.stop();
  await stack?.stop();
});

const push = (repo: string, tag: string, digest: string) => {
  const event = acrPush(repo, tag);
  event.push_data.digest = digest;
  return event;
};
const messages = (repo: string, n: number) =>
  eventually(
    () => {
      const posts = postsFor(stack, repo);
      return posts.slack.length >= n && posts.webhook.length >= n ? posts : undefined;
    },
    25_000,
    `${n} message(s) for ${repo}`,
  );

describe('what changed since the previous tag, end to end', () => {
  it('the second push of a repository says since which tag and digest, how many are new and fixed, and lists the new findings first', async () => {
    const first = digestOfGeneration(0, 'shop');
    expect((await postWebhook(stack, push('shop-delta', '1.0.0', first))).status).toBe(202);
    const one = await messages('shop-delta', 1);
    expect(JSON.stringify(one.slack[0].blocks)).toContain('No baseline: the first scanned image of this repository');
    expect(one.webhook[0].delta).toEqual({ status: 'none', reason: 'first' });

    const second = digestOfGeneration(1, 'shop');
    expect((await postWebhook(stack, push('shop-delta', '1.1.0', second))).status).toBe(202);
    const two = await messages('shop-delta', 2);
    const slack = two.slack.find((m) => m.text.includes('shop-delta:1.1.0'));
    const text = JSON.stringify(slack.blocks);
    expect(slack.text).toContain('16 vulnerabilities found, worst high · 4 new, 4 fixed');
    expect(text).toContain(`*Since*\\n1.0.0 (${first.slice(7, 19)})`);
    expect(text).toContain('New 4 (High 1 · Medium 1 · Low 1 · Unknown 1) · Fixed 4 (High 1 · Medium 1 · Low 1 · Unknown 1)');
    const list = slack.blocks.find((b: { text?: { text?: string } }) => b.text?.text?.startsWith('• '))!.text.text as string;
    const lines = list.split('\n');
    expect(lines.slice(0, 4).every((l) => l.startsWith('• _🆕 new_ '))).toBe(true);
    expect(lines[0]).toContain('CVE-2024-1003'); // High, index 3: new in generation 1
    expect(lines.slice(4).some((l) => l.includes('🆕'))).toBe(false);

    const webhook = two.webhook.find((m) => m.image.tag === '1.1.0');
    expect(webhook.delta).toMatchObject({
      status: 'compared',
      baseline: { tag: '1.0.0', digest: first },
      new: { critical: 0, high: 1, medium: 1, low: 1, unknown: 1 },
      fixed: { critical: 0, high: 1, medium: 1, low: 1, unknown: 1 },
    });
    expect(webhook.delta.newFindings.map((f: { id: string }) => f.id)).toEqual(['CVE-2024-1003', 'CVE-2024-2005', 'CVE-2024-3007', 'CVE-2024-4001']);
    expect(webhook.outcome.report.delta).toEqual(webhook.delta);
  });

  it('on a "changes" route the same digest under a new tag posts nothing; new findings post again', async () => {
    const digest = digestOfGeneration(2, 'quiet');
    await postWebhook(stack, push('quiet-delta', '2.0.0', digest));
    const first = await messages('quiet-delta', 1);
    expect(first.webhook[0].delta).toEqual({ status: 'none', reason: 'first' });

    expect((await postWebhook(stack, push('quiet-delta', 'stable', digest))).status).toBe(202);
    await eventually(
      () => output.logs().find((l) => l.message === 'nothing new: no message sent' && l.jobId && JSON.stringify(l).includes('"notify":"changes"')),
      25_000,
      'the check that finds nothing new',
    );
    await new Promise((r) => setTimeout(r, 1500));
    expect(postsFor(stack, 'quiet-delta').slack).toHaveLength(1);
    expect(postsFor(stack, 'quiet-delta').webhook).toHaveLength(1);

    await postWebhook(stack, push('quiet-delta', '2.1.0', digestOfGeneration(3, 'quiet')));
    const again = await messages('quiet-delta', 2);
    expect(again.webhook[1].delta).toMatchObject({ status: 'compared', baseline: { tag: 'stable', digest } });
    expect(again.slack[1].text).toContain('· 4 new, 4 fixed');
  });
});
