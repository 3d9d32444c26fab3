import type { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { CallError } from '../../../shared/http/callError.js';
import type { NotifyJob } from '../../../shared/messages/jobs.js';
import { createJobQueue } from '../../../shared/queue/jobQueue.js';
import type { QueueUrls } from '../../../shared/queue/queueUrls.js';
import { jobOf } from '../../support/events.js';

const urls = Object.fromEntries(
  ['intake', 'scan', 'poll', 'notify', 'intakeDlq', 'scanDlq', 'pollDlq', 'notifyDlq'].map((k) => [k, `https://sqs.local/${k}`]),
) as unknown as QueueUrls;
const jobs = (n: number): NotifyJob[] => Array.from({ length: n }, (_, i) => ({ ...(jobOf('sqs/notify-findings.json') as NotifyJob), jobId: `job-${i}` }));

/** An SQS client whose SendMessageBatch refuses the entries `refuse` picks, on the attempts it is asked about. */
const sqsRefusing = (refuse: (id: string, attempt: number) => boolean) => {
  const sent: string[] = [];
  let attempt = 0;
  const client = {
    send: async (command: SendMessageBatchCommand) => {
      attempt++;
      const entries = command.input.Entries ?? [];
      const failed = entries.filter((e) => refuse(e.Id!, attempt));
      for (const e of entries) if (!failed.includes(e)) sent.push(JSON.parse(e.MessageBody!).jobId);
      return { Successful: [], Failed: failed.map((e) => ({ Id: e.Id!, Code: 'InternalError', SenderFault: false })) };
    },
  } as unknown as SQSClient;
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

describe('a message SQS refuses for what it holds', () => {
  it('fails at once as a CallError of kind invalid (no retry): its job ends in a failure notice, not a loop', async () => {
    let calls = 0;
    const client = {
      send: async (command: SendMessageBatchCommand) => {
        calls++;
        return { Successful: [], Failed: (command.input.Entries ?? []).map((e) => ({ Id: e.Id!, Code: 'InvalidMessageContents', SenderFault: true })) };
      },
    } as unknown as SQSClient;
    const err = await createJobQueue(client, urls)
      .sendNotify(jobs(1))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(CallError);
    expect(err).toMatchObject({ kind: 'invalid', code: 'InvalidMessageContents', retryable: false });
    expect(calls).toBe(1);
  });

  it('a single send refused by SQS as a client fault is a CallError of kind invalid too', async () => {
    const client = {
      send: async () => {
        throw Object.assign(new Error('Message must be shorter than 262144 bytes.'), { name: 'InvalidParameterValue', $fault: 'client' });
      },
    } as unknown as SQSClient;
    const err = await createJobQueue(client, urls)
      .sendToDeadLetter('scan', '{}', 'reason')
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toMatchObject({ kind: 'invalid', code: 'InvalidParameterValue' });
  });
});
