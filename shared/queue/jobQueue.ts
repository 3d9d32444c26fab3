import { CallError } from '../http/callError.js';
import { channelGroup, notifyJobKey } from '../messages/jobId.js';
import { NotifyJob, PollJob, ScanJob } from '../messages/jobs.js';
import type { SweepJob } from '../messages/sweepJob.js';
import { sha256Hex } from '../vendors/encoding.js';
import { messageBody } from './messageBody.js';
import type { QueueName, QueueUrls } from './queueUrls.js';
import { batchesOf } from './sendBatches.js';
import type { SendMessageBatchRequestEntry, SqsClient } from './sqsClient.js';
import { delaySecondsOf, MAX_VISIBILITY_SECONDS } from './sqsLimits.js';

const SEND_ATTEMPTS = 4;

/** The `delivery` attribute of a dead letter that may have been posted before its reply was lost. */
export const DELIVERY_UNKNOWN = 'may have been delivered';

/** Sends the jobs between the functions; each job is checked against its schema on the way out. */
export const createJobQueue = (sqs: SqsClient, urls: QueueUrls) => {
  /** SQS's client faults that retrying cannot fix (a refused message) become CallErrors of kind `invalid`. */
  const send = async <T>(request: Promise<T>): Promise<T> => {
    try {
      return await request;
    } catch (err) {
      const fault = err as { $fault?: string; $retryable?: unknown; name?: string };
      if (fault.$fault === 'client' && !fault.$retryable) {
        throw new CallError({ kind: 'invalid', code: fault.name ?? 'SenderFault', message: `SQS refused the message: ${fault.name ?? 'client error'}` });
      }
      throw err;
    }
  };

  /**
   * Sends in batches of 10 (SQS's most). Entries SQS refuses are sent again, alone, a few times: throwing would make
   * the caller's records come back and resend the entries that did go through (a second scan, a second chat post).
   */
  const sendBatch = async (url: string, entries: SendMessageBatchRequestEntry[]): Promise<void> => {
    for (const batch of batchesOf(entries)) {
      let pending = batch;
      for (let attempt = 1; pending.length > 0; attempt++) {
        const res = await send(sqs.sendMessageBatch({ QueueUrl: url, Entries: pending }));
        const failed = new Set((res.Failed ?? []).map((f) => f.Id));
        const refused = (res.Failed ?? []).filter((f) => f.SenderFault);
        if (refused.length > 0 || (failed.size > 0 && attempt >= SEND_ATTEMPTS)) {
          const codes = [...new Set((res.Failed ?? []).map((f) => f.Code))].join(', ');
          const message = `SQS refused ${failed.size} message(s): ${codes}`;
          // A message SQS refuses for what it holds fails the same way every time: not worth a redelivery.
          throw refused.length > 0 ? new CallError({ kind: 'invalid', code: refused[0]!.Code ?? 'SenderFault', message }) : new Error(message);
        }
        pending = pending.filter((e) => failed.has(e.Id));
        if (pending.length > 0) await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
      }
    }
  };

  /** The intake queue is FIFO: one message group per digest, deduplicated on what `key` names. */
  const sendToIntake = (jobs: [ScanJob | NotifyJob, string][]) =>
    sendBatch(
      urls.intake,
      jobs.map(([job, key], i) => ({
        Id: String(i),
        MessageBody: messageBody(job),
        MessageGroupId: job.image.digest.slice(7),
        MessageDeduplicationId: sha256Hex(key),
      })),
    );

  return {
    /**
     * New pushes, to the intake queue: one group per digest, deduplicated on the jobId, which stands for (route,
     * scanner, repository, digest, tag) within one 5-minute window (see jobIdFor). Another tag of the same image passes, and startScan merges the two into one scan; the
     * same digest pushed to another repository is another image.
     */
    sendScanJobs: (jobs: ScanJob[]) => sendToIntake(jobs.map((job) => [ScanJob.parse(job), job.jobId])),

    /**
     * A registry's own scan results, to the intake queue too: a webhook the registry delivers twice is dropped there
     * (deduplicated on the jobId, which stands for route, image, outcome and finish time, and the channel), and startScan passes the rest to notify.
     */
    sendResults: (jobs: NotifyJob[]) => sendToIntake(jobs.map((job) => [NotifyJob.parse(job), `${job.jobId}|${job.channel}`])),

    /**
     * A sweep or a part of one (checked by the sender: its schema stays out of the webhook function), to the intake
     * queue: deduplicated on the sweep's scheduled time and part, each part its own group.
     */
    sendSweeps: (jobs: SweepJob[]) =>
      sendBatch(
        urls.intake,
        jobs.map((job, i) => ({
          Id: String(i),
          MessageBody: messageBody(job),
          MessageGroupId: `sweep-${job.part ?? 'list'}`,
          MessageDeduplicationId: sha256Hex(`sweep|${job.scheduledAt}|${job.part ?? 'list'}`),
        })),
      ),

    /** Scan jobs ready to start, to the batching scan queue; a delay makes a refused start wait its turn. */
    queueScans: (jobs: ScanJob[], delaySeconds = 0) =>
      sendBatch(
        urls.scan,
        jobs.map((job, i) => ({
          Id: String(i),
          MessageBody: messageBody(ScanJob.parse(job)),
          ...(delaySeconds > 0 ? { DelaySeconds: delaySecondsOf(delaySeconds) } : {}),
        })),
      ),

    sendPoll: async (job: PollJob, delaySeconds: number) => {
      await send(
        sqs.sendMessage({
          QueueUrl: urls.poll,
          MessageBody: messageBody(PollJob.parse(job)),
          DelaySeconds: delaySecondsOf(delaySeconds),
        }),
      );
    },

    /**
     * The notify queue is FIFO with one message group per channel, so one invocation at a time posts to a channel and
     * a wait it asked for holds all its messages (see holdNotify). Deduplicated on the channel and the scan's result
     * (see notifyJobKey): the same result reported twice within SQS's 5 minutes, say by a registry's event and by
     * the timer, is posted once.
     */
    sendNotify: (jobs: NotifyJob[]) =>
      sendBatch(
        urls.notify,
        jobs.map((job, i) => ({
          Id: String(i),
          MessageBody: messageBody(NotifyJob.parse(job)),
          MessageGroupId: channelGroup(job.channel),
          MessageDeduplicationId: sha256Hex(notifyJobKey(job)),
        })),
      ),

    /**
     * Keeps received notify messages invisible for `seconds` from now: their channel's group, FIFO, delivers nothing
     * else until they come back. The invocation then reports them as failures, so Lambda does not delete them.
     */
    holdNotify: async (receiptHandles: string[], seconds: number) => {
      const timeout = Math.max(0, Math.min(MAX_VISIBILITY_SECONDS, Math.ceil(seconds)));
      const entries = receiptHandles.map((handle, i) => ({ Id: String(i), ReceiptHandle: handle, VisibilityTimeout: timeout }));
      for (const batch of batchesOf(entries)) {
        const res = await send(sqs.changeMessageVisibilityBatch({ QueueUrl: urls.notify, Entries: batch }));
        if ((res.Failed ?? []).length > 0) throw new Error(`SQS kept ${res.Failed!.length} message(s) at their old visibility: ${res.Failed![0]!.Code}`);
      }
    },

    /** For a job that cannot succeed however often it is retried: straight to its queue's DLQ, with the reason. */
    sendToDeadLetter: async (queue: QueueName, body: string, reason: string, opts: { mayHaveBeenDelivered?: boolean } = {}) => {
      const url = { intake: urls.intakeDlq, scan: urls.scanDlq, poll: urls.pollDlq, notify: urls.notifyDlq }[queue];
      const fifo = url.endsWith('.fifo');
      await send(
        sqs.sendMessage({
          QueueUrl: url,
          MessageBody: body,
          MessageAttributes: {
            reason: { DataType: 'String', StringValue: reason.slice(0, 1000) },
            // A chat post whose reply was lost may have arrived: redriving it could post it twice.
            ...(opts.mayHaveBeenDelivered ? { delivery: { DataType: 'String', StringValue: DELIVERY_UNKNOWN } } : {}),
          },
          ...(fifo ? { MessageGroupId: 'dead-letter', MessageDeduplicationId: sha256Hex(`${body}|${reason}`) } : {}),
        }),
      );
    },
  };
};
export type JobQueue = ReturnType<typeof createJobQueue>;
