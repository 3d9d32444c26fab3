import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACR_SIM_CREDENTIALS } from '../../local/simulators/acr.js';
import type { Stack } from '../../local/stack.js';
import { acrPush, captureOutput, eventually, postsFor, postWebhook, SLACK_PATH, SOURCE_SECRET, startTestStack, testConfig } from '../support/stack.js';

/** Everything the functions log while this file runs. */
const output = captureOutput();

let stack: Stack;
beforeAll(async () => {
  output.start();
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
  output.stop();
});

describe('failures end in a message and a DLQ, never in silence', () => {
  it('a chat target that refuses the post: dead-lettered with its error code, the other channel still gets it once', async () => {
    stack.chat.script(SLACK_PATH, { status: 404, body: 'channel_not_found' });
    await postWebhook(stack, acrPush('gone-channel'));
    await eventually(() => postsFor(stack, 'gone-channel').webhook.length === 1, 20_000, 'webhook message');
    const dead = await eventually(() => stack.drainDeadLetters('notify').then((m) => (m.length ? m : undefined)), 10_000, 'notify DLQ');
    expect(dead[0]!.reason).toContain('channel_not_found');
    expect(JSON.parse(dead[0]!.body)).toMatchObject({ kind: 'notify', channel: 'sec', image: { repository: 'gone-channel' } });
    expect(stack.chat.posts.filter((p) => p.path === SLACK_PATH && p.body.includes('gone-channel'))).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 2500));
    expect(postsFor(stack, 'gone-channel').webhook).toHaveLength(1);
  });

  it('a poison message reaches the DLQ after maxReceiveCount deliveries', async () => {
    await stack.queues.sqs.send(new SendMessageCommand({ QueueUrl: stack.queues.urls.poll, MessageBody: '{"kind":"poll","v":2}' }));
    const dead = await eventually(() => stack.drainDeadLetters('poll').then((m) => (m.length ? m : undefined)), 25_000, 'poll DLQ');
    expect(dead[0]!.body).toBe('{"kind":"poll","v":2}');
  });

  it('never logs a secret: access key secret, webhook token, chat URL token, receiver header', async () => {
    const log = output.text();
    expect(log).toContain('gone-channel'); // the capture did see the functions' logs
    for (const secret of [ACR_SIM_CREDENTIALS.accessKeySecret, SOURCE_SECRET, 'xoxb-secret-token', 'audit-receiver-secret']) {
      expect(log).not.toContain(secret);
    }
  });
});

describe('configuration and credential problems', () => {
  it('missing credentials end in a failure message that says which variables to set', async () => {
    const bare = await startTestStack({ env: { ALIBABA_CLOUD_ACCESS_KEY_ID: '', ALIBABA_CLOUD_ACCESS_KEY_SECRET: '' } });
    try {
      await postWebhook(bare, acrPush('no-creds'));
      const posts = await eventually(
        () => {
          const p = postsFor(bare, 'no-creds');
          return p.webhook.length ? p : undefined;
        },
        15_000,
        'failure message',
      );
      expect(posts.webhook[0]).toMatchObject({ event: 'scan.error', outcome: { code: 'MissingCredentials' } });
      expect(posts.webhook[0].outcome.reason).toContain('ALIBABA_CLOUD_ACCESS_KEY_ID');
      expect(bare.acr.calls).toHaveLength(0);
    } finally {
      await bare.stop();
    }
  });

  it('a config error names the exact field', async () => {
    const { startStack } = await import('../../local/stack.js');
    const bad = (sims: { acrUrl: string; chatUrl: string }) => {
      const c = testConfig(sims);
      return { ...c, routes: [{ ...c.routes[0], scanner: 'acr-sh' }] };
    };
    await expect(startStack({ port: 0, config: bad })).rejects.toThrow('routes[0].scanner: unknown scanner "acr-sh"');
  });
});

describe('scanner and channel entries are checked against their plugin', () => {
  it('names the bad field of a scanner entry', async () => {
    const { startStack } = await import('../../local/stack.js');
    const bad = (sims: { acrUrl: string; chatUrl: string }) => {
      const c = testConfig(sims);
      return {
        ...c,
        scanners: { 'acr-hz': { ...c.scanners['acr-hz'], region: 'Hangzhou' } },
        channels: { ...c.channels, sec: { type: 'telegram', url: 'https://t.me/x' } },
      };
    };
    const err = await startStack({ port: 0, config: bad }).catch((e: Error) => e);
    expect(String(err)).toContain('scanners.acr-hz.region: expected a region id');
    expect(String(err)).toContain('channels.sec');
    expect(String(err)).toContain('unknown channel type');
  });
});
