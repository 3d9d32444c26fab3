import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalQueues, startLocalQueues } from '../../../local/sqs.js';
import { CallError } from '../../../shared/http/callError.js';
import type { NotifyJob, ScanJob } from '../../../shared/messages/jobs.js';
import { createJobQueue } from '../../../shared/queue/jobQueue.js';
import type { QueueUrls } from '../../../shared/queue/queueUrls.js';
import type { SendMessageBatchInput, SqsClient } from '../../../shared/queue/sqsClient.js';
import { jobOf } from '../../support/events.js';

const urls = Object.fromEntries(
  ['intake', 'scan', 'poll', 'notify', 'intakeDlq', 'scanDlq', 'pollDlq', 'notifyDlq'].map((k) => [k, `https://sqs.local/${k}`]),
) as unknown as QueueUrls;
const jobs = (n: number): NotifyJob[] => Array.from({ length: n }, (_, i) => ({ ...(jobOf('sqs/notify-findings.json') as NotifyJob), jobId: `job-${i}` }));

/**
 * An SQS client whose SendMessageBatch refuses the entries `refuse` picks, on the attempts it is asked about: SQS's
 * partial failures of its own (InternalError), which no local SQS server produces on demand.
 */
const sqsRefusing = (refuse: (id: string, attempt: number) => boolean) => {
  const sent: string[] = [];
  let attempt = 0;
  const client: SqsClient = {
    sendMessageBatch: async (input: SendMessageBatchInput) => {
      attempt++;
      const failed = input.Entries.filter((e) => refuse(e.Id, attempt));
      for (const e of input.Entries) if (!failed.includes(e)) sent.push(JSON.parse(e.MessageBody).jobId);
      return { Successful: [], Failed: failed.map((e) => ({ Id: e.Id, Code: 'InternalError', SenderFault: false })) };
    },
    sendMessage: async () => ({}),
    changeMessageVisibilityBatch: async () => ({}),
  };
  return { client, sent };
};

describe('sending a batch of jobs', () => {
  it('sends in tens and resends only what SQS refused, so nothing goes twice', async () => {
    const { client, sent } = sqsRefusing((id, attempt) => id === '3' && attempt <= 2);
    await createJobQueue(client, urls).sendNotify(jobs(12));
    expect(sent.sort()).toEqual(
      jobs(12)
        .map((j) => j.jobId)
        .sort(),
    );
  });

  it('gives up with an error naming the code when SQS keeps refusing', async () => {
    const { client } = sqsRefusing((id) => id === '1');
    await expect(createJobQueue(client, urls).sendNotify(jobs(2))).rejects.toThrow('SQS refused 1 message(s): InternalError');
  });
});

describe('a message SQS refuses for what it holds (a local SQS server)', () => {
  let queues: LocalQueues;
  beforeAll(async () => {
    queues = await startLocalQueues();
  });
  afterAll(() => queues?.stop());

  const scanJob = () => jobOf('sqs/scan.json') as ScanJob;
  const settle = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: unknown) => e,
    );

  it('a batch entry SQS refuses fails at once as a CallError of kind invalid (no retry): its job ends in a failure notice, not a loop', async () => {
    // A FIFO queue refuses an entry without a message group.
    const queue = createJobQueue(queues.queueClient, { ...queues.urls, scan: queues.urls.intake });
    const err = await settle(queue.queueScans([scanJob()]));
    expect(err).toBeInstanceOf(CallError);
    expect(err).toMatchObject({ kind: 'invalid', code: 'MissingParameter', retryable: false });
  });

  it('a single send refused by SQS as a client fault is a CallError of kind invalid too', async () => {
    const queue = createJobQueue(queues.queueClient, { ...queues.urls, scanDlq: `${queues.urls.scanDlq}-missing` });
    const err = await settle(queue.sendToDeadLetter('scan', '{}', 'reason'));
    expect(err).toBeInstanceOf(CallError);
    expect(err).toMatchObject({ kind: 'invalid', code: 'QueueDoesNotExist' });
  });

  it('a job that SQS takes is on its queue, in the same run', async () => {
    const queue = createJobQueue(queues.queueClient, queues.urls);
    await queue.queueScans([scanJob()], 0);
    const { Attributes } = await queues.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queues.urls.scan, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    expect(Number(Attributes?.ApproximateNumberOfMessages)).toBe(1);
  });
});
