import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEventSource } from '../../local/eventSource.js';
import { type LocalQueues, startLocalQueues } from '../../local/sqs.js';
import { eventually } from '../support/stack.js';

/** The local stand-in for Lambda's SQS event source mapping: batch size and batching window. */
let queues: LocalQueues;
let stopSource: (() => Promise<void>) | undefined;
beforeAll(async () => {
  queues = await startLocalQueues({ visibilityTimeoutSeconds: { intake: 30, scan: 30, poll: 30, notify: 30 } });
});
afterEach(async () => {
  await stopSource?.();
  stopSource = undefined;
});
afterAll(async () => {
  await queues.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const send = (body: string) => queues.sqs.send(new SendMessageCommand({ QueueUrl: queues.urls.poll, MessageBody: body }));

/** Runs an event source on the poll queue (standard); returns the bodies of each batch and the time left each was handed. */
const listen = (opts: { batchSize: number; batchingWindowSeconds?: number; concurrency?: number }) => {
  const batches: { bodies: string[]; at: number; timeLeftMs: number }[] = [];
  const source = startEventSource({
    sqs: queues.sqs,
    name: 'notify',
    queueUrl: queues.urls.poll,
    queueArn: queues.arns.poll,
    handler: async (event: SQSEvent, context) => {
      batches.push({ bodies: event.Records.map((r) => r.body), at: Date.now(), timeLeftMs: context.getRemainingTimeInMillis() });
    },
    concurrency: opts.concurrency ?? 1,
    timeoutSeconds: 30,
    ...opts,
  });
  stopSource = source.stop;
  return batches;
};
/** Messages still in the queue, visible or in flight. */
const inQueue = async () => {
  const { Attributes: a } = await queues.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queues.urls.poll, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return Number(a?.ApproximateNumberOfMessages) + Number(a?.ApproximateNumberOfMessagesNotVisible);
};
const bodies = (batches: { bodies: string[] }[]) => batches.flatMap((b) => b.bodies).sort();

describe('local event source', () => {
  it('with a batching window, gathers messages that arrive apart into one batch', async () => {
    const batches = listen({ batchSize: 20, batchingWindowSeconds: 2 });
    const first = Date.now();
    for (const body of ['a', 'b', 'c']) {
      await send(body);
      await sleep(400);
    }
    await eventually(() => bodies(batches).length === 3, 10_000, 'three messages handled');
    expect(batches.map((b) => b.bodies.sort())).toEqual([['a', 'b', 'c']]);
    // Invoked once the window has passed after the first message, not before.
    expect(batches[0]!.at - first).toBeGreaterThanOrEqual(1900);
    expect(batches[0]!.timeLeftMs).toBeGreaterThan(29_000);
  });

  it('invokes as soon as the batch is full, before the window has passed, and gathers more than one receive holds', async () => {
    const batches = listen({ batchSize: 12, batchingWindowSeconds: 20 });
    const started = Date.now();
    for (let i = 0; i < 12; i++) await send(`m${String(i).padStart(2, '0')}`);
    await eventually(() => bodies(batches).length === 12, 10_000, 'twelve messages handled');
    expect(batches).toHaveLength(1);
    expect(batches[0]!.at - started).toBeLessThan(5000);
    // and all twelve were deleted afterwards (in requests of at most ten)
    await eventually(async () => (await inQueue()) === 0, 5000, 'the batch deleted');
  });

  it('without a window, hands over what one receive returns, as soon as it comes', async () => {
    const batches = listen({ batchSize: 20 });
    await send('x');
    await sleep(1500);
    await send('y');
    await eventually(() => bodies(batches).length === 2, 10_000, 'two messages handled');
    expect(batches.map((b) => b.bodies)).toEqual([['x'], ['y']]);
  });
});
