import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatorUrls } from '../../local/demoConfig.js';
import type { Stack } from '../../local/stack.js';
import { acrPush, eventually, postWebhook, SLACK_PATH, SOURCE_SECRET, slackPosts, startTestStack } from '../support/stack.js';

/**
 * Config faults the webhook cannot see (it never loads scanner or chat code), met by the workers as on AWS when a
 * config was deployed unchecked: each ends in a message where one can go, a dead letter with the reason, and a
 * notice to the ops channel. Nothing is silent, and nothing else is held up.
 */
const OPS_PATH = '/slack/T0OPS/B0OPS/ops-token';

const config = ({ acrUrl, chatUrl }: SimulatorUrls) => ({
  sources: { acr: { secret: SOURCE_SECRET } },
  scanners: {
    'acr-hz': { type: 'acr', region: 'cn-hangzhou', instanceId: 'cri-test00000000', endpoint: acrUrl },
    'acr-broken': { type: 'acr', region: 'Nowhere!', instanceId: 'cri-test00000000', endpoint: acrUrl },
  },
  channels: {
    sec: { type: 'slack', url: `${chatUrl}${SLACK_PATH}` },
    ops: { type: 'slack', url: `${chatUrl}${OPS_PATH}` },
    'ding-broken': { type: 'dingtalk', url: `${chatUrl}/dingtalk/robot/send` },
  },
  routes: [
    { source: 'acr', namespace: 'broken-scanner', scanner: 'acr-broken', channels: ['sec'] },
    { source: 'acr', namespace: 'broken-channel', scanner: 'acr-hz', channels: ['ding-broken', 'sec'] },
    { source: 'acr', scanner: 'acr-hz', channels: ['sec'] },
  ],
  opsChannels: ['ops'],
  polling: { initialDelaySeconds: 0, maxDelaySeconds: 1, deadlineMinutes: 0.2 },
  http: { timeoutMs: 3000, attempts: 2, baseDelayMs: 10, maxDelayMs: 100 },
});

let stack: Stack;
beforeAll(async () => {
  stack = await startTestStack({ config, checkConfig: false });
});
afterAll(async () => {
  await stack?.stop();
});

const pushTo = (namespace: string, repo: string) => {
  const push = acrPush(repo, '1.0.0');
  push.repository.namespace = namespace;
  push.repository.repo_full_name = `${namespace}/${repo}`;
  return push;
};
const opsPosts = () => stack.chat.delivered(OPS_PATH).map((p) => JSON.parse(p.body) as { text: string; blocks: unknown[] });
const deadLetters = async (queue: 'scan' | 'notify') =>
  eventually(
    async () => {
      const entries = await stack.drainDeadLetters(queue);
      return entries.length > 0 ? entries : undefined;
    },
    15_000,
    `a dead letter on the ${queue} queue`,
  );

describe('config faults in the workers are never silent', () => {
  it('a broken scanner entry: a failure message to the route, a dead letter naming the field, the ops channel told', async () => {
    expect((await postWebhook(stack, pushTo('broken-scanner', 'app'))).status).toBe(202);
    const message = await eventually(() => slackPosts(stack).find((m) => m.text.includes('broken-scanner/app')), 15_000, 'the failure message');
    expect(JSON.stringify(message)).toContain('scanners.acr-broken.region');
    const [dead] = await deadLetters('scan');
    expect(dead!.reason).toContain('scanners.acr-broken.region: expected a region id');
    const ops = await eventually(() => opsPosts().find((m) => m.text.includes('broken-scanner/app')), 15_000, 'the ops notice');
    expect(JSON.stringify(ops)).toContain('dead-lettered from the scan queue');
  });

  it('a broken channel entry: its message is dead-lettered naming the field, the route’s other channel still posts, ops told', async () => {
    expect((await postWebhook(stack, pushTo('broken-channel', 'web'))).status).toBe(202);
    await eventually(() => slackPosts(stack).find((m) => m.text.includes('broken-channel/web')), 15_000, 'the message to the working channel');
    const [dead] = await deadLetters('notify');
    expect(dead!.reason).toContain('channels.ding-broken.url');
    const ops = await eventually(() => opsPosts().find((m) => m.text.includes('broken-channel/web')), 15_000, 'the ops notice');
    expect(JSON.stringify(ops)).toContain('dead-lettered from the notify queue');
    expect(JSON.stringify(ops)).toContain('ding-broken');
  });

  it('other routes are not held up', async () => {
    expect((await postWebhook(stack, acrPush('healthy', '1.0.0'))).status).toBe(202);
    await eventually(() => slackPosts(stack).find((m) => m.text.includes('team-a/healthy:1.0.0')), 15_000, 'the healthy message');
  });
});
