import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../local/stack.js';
import { acrPush, postWebhook, startTestStack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

const scanQueueDepth = async () => {
  const res = await stack.queues.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: stack.queues.urls.scan,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return Number(res.Attributes?.ApproximateNumberOfMessages) + Number(res.Attributes?.ApproximateNumberOfMessagesNotVisible);
};

describe('bad webhooks get a clear 4xx and queue nothing', () => {
  it.each([
    ['an unknown source', { source: 'quay' }, acrPush('x'), 404, /unknown source "quay"/],
    ['a missing secret', { token: null }, acrPush('x'), 401, /missing or wrong webhook secret/],
    ['a wrong secret', { token: 'integration-test-secret-7c1d9X' }, acrPush('x'), 401, /missing or wrong webhook secret/],
    ['a body that is not JSON', {}, 'push_data=1', 400, /not valid JSON/],
    ['a non-JSON content type', { contentType: 'text/plain' }, acrPush('x'), 415, /content-type "text\/plain" is not JSON/],
    ['a body over 256 KiB', {}, { ...acrPush('x'), padding: 'x'.repeat(256 * 1024) }, 413, /larger than 256 KiB/],
    ['a payload without push_data', {}, { repository: acrPush('x').repository }, 400, /push_data: /],
    ['a malformed digest', {}, { ...acrPush('x'), push_data: { digest: 'sha256:abc', tag: 'v1' } }, 400, /push_data\.digest: expected "sha256:"/],
    ['a repository without a namespace', {}, { ...acrPush('x'), repository: { name: 'x', region: 'cn-hangzhou' } }, 400, /repository\.namespace/],
  ] as const)('answers %s with the status and a message that says what is wrong', async (_what, opts, body, status, message) => {
    const res = await postWebhook(stack, body, opts as Parameters<typeof postWebhook>[2]);
    expect(res.status).toBe(status);
    expect(res.body.error).toMatch(message);
  });

  it('answers 202 and lists the push under "ignored" when no route matches', async () => {
    const push = acrPush('elsewhere');
    push.repository.namespace = 'team-b';
    const res = await postWebhook(stack, push);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ accepted: 0, ignored: [{ image: 'team-b/elsewhere:1.0.0', reason: 'no route matches' }] });
  });

  it('queued nothing and called no scanner for any of them', async () => {
    await new Promise((r) => setTimeout(r, 1500));
    expect(await scanQueueDepth()).toBe(0);
    expect(stack.acr.calls).toHaveLength(0);
    expect(stack.chat.posts).toHaveLength(0);
  });
});
