import type { Logger } from '@aws-lambda-powertools/logger';
import { CallError, describeError } from '../http/callError.js';
import type { Outcome, PollJob, ScanJob } from '../messages/jobs.js';
import { notifyJobs, type ScannedBy } from '../messages/notifyJobs.js';
import type { JobQueue } from './jobQueue.js';
import { opsNotices } from './opsNotices.js';
import type { QueueName } from './queueUrls.js';

/** What handling a failed job needs of the function's runtime. */
interface FailureContext {
  config: { opsChannels: readonly string[] };
  queue: JobQueue;
  maxReceiveCount: Record<QueueName, number>;
  now(): Date;
  scannedBy(scanner: string): ScannedBy;
}

/**
 * A scan or poll job whose vendor call failed. A failure that retrying cannot fix (permissions, credentials,
 * configuration) gets a failure message now and goes straight to the DLQ. A transient one is handed back to SQS
 * for redelivery; on its last delivery it gets the failure message before the queue moves it to the DLQ.
 */
export const handleJobFailure = async (
  rt: FailureContext,
  log: Logger,
  queue: QueueName,
  job: ScanJob | PollJob,
  body: string,
  attempt: number,
  err: unknown,
): Promise<void> => {
  const { code, reason } = describeError(err);
  const permanent = err instanceof CallError && !err.retryable;
  const lastTry = attempt >= rt.maxReceiveCount[queue];
  const context = { jobId: job.jobId, scanner: job.scanner, code, attempt };
  if (permanent || lastTry) {
    log.error('scan cannot proceed: sending a failure message', { ...context, reason });
    const outcome: Outcome = { status: 'error', code, reason, retryable: !permanent };
    const by = rt.scannedBy(job.scanner);
    const finishedAt = rt.now().toISOString();
    const scanStartedAt = job.kind === 'poll' ? job.scan.startedAt : undefined;
    const why = permanent ? `${code}: ${reason}` : `${code}: ${reason} (after ${attempt} tries)`;
    const ops = opsNotices(rt.config.opsChannels, job, by, { queue, reason: why, finishedAt });
    await rt.queue.sendNotify([...notifyJobs(job, by, outcome, { finishedAt, scanStartedAt }), ...ops]);
    if (permanent) {
      await rt.queue.sendToDeadLetter(queue, body, why);
      return;
    }
  } else {
    log.warn('vendor call failed, SQS will redeliver the job', { ...context, reason });
  }
  throw err;
};
