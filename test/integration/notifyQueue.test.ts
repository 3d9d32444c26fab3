import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalQueues, startLocalQueues } from '../../local/sqs.js';
import { NotifyJob } from '../../shared/messages/jobs.js';
import { createJobQueue, type JobQueue } from '../../shared/queue/jobQueue.js';
import { jobOf } from '../support/events.js';

/** The notify queue as jobQueue sends to it, on the embedded SQS server: FIFO, a group per channel, deduplicated. */
let queues: LocalQueues;
let queue: JobQueue;
beforeAll(async () => {
  queues = await startLocalQueues({});
  queue = createJobQueue(queues.queueClient, queues.urls);
});
afterAll(() => queues.stop());

const result = NotifyJob.parse(jobOf('sqs/notify-findings.json'));
const receive = async (visibility = 30) =>
  (
    await queues.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queues.urls.notify, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: visibility }),
    )
  ).Messages ?? [];

describe('the notify queue', () => {
  it('posts one message for a result sent twice by two paths, and one for each other tag or channel', async () => {
    const repo = (tag: string, channel = 'sec') => ({ ...result, channel, image: { ...result.image, repository: 'dedup', tag } });
    await queue.sendNotify([{ ...repo('1.0'), jobId: 'by-timer' }]);
    await queue.sendNotify([{ ...repo('1.0'), jobId: 'by-event' }, repo('2.0'), repo('1.0', 'audit')]);
    const bodies = (await receive()).map((m) => JSON.parse(m.Body!) as NotifyJob);
    expect(bodies.map((j) => [j.jobId, j.image.tag, j.channel]).sort()).toEqual(
      [
        ['by-timer', '1.0', 'sec'],
        [result.jobId, '2.0', 'sec'],
        [result.jobId, '1.0', 'audit'],
      ].sort(),
    );
  });

  it('a held message keeps its channel from every receiver until the hold ends; other channels go on', async () => {
    const job = (channel: string, repository: string) => ({ ...result, channel, image: { ...result.image, repository } });
    await queue.sendNotify([job('held', 'first')]);
    const [first] = await receive();
    await queue.holdNotify([first!.ReceiptHandle!], 2);
    await queue.sendNotify([job('held', 'second'), job('free', 'other')]);
    expect((await receive()).map((m) => (JSON.parse(m.Body!) as NotifyJob).image.repository)).toEqual(['other']);
    await new Promise((r) => setTimeout(r, 2100));
    expect((await receive()).map((m) => (JSON.parse(m.Body!) as NotifyJob).image.repository)).toEqual(['first', 'second']);
  });
});
