import type { Logger } from '@aws-lambda-powertools/logger';
import { CallError, describeError } from '../errors.js';
import type { Outcome, PollJob, ScanJob } from '../messages.js';
import type { QueueName } from '../queue.js';
import type { Runtime } from '../runtime.js';
import { notifyJobs } from './notifyJobs.js';

/**
 * A scan or poll job whose vendor call failed. A failure that retrying cannot fix (permissions, credentials,
 * configuration) gets a failure message now and goes straight to the DLQ. A transient one is handed back to SQS
 * for redelivery; on its last delivery it gets the failure message before the queue moves it to the DLQ.
 */
export const handleJobFailure = async (
  rt: Runtime,
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
    await rt.queue.sendNotify(notifyJobs(rt, job, outcome, job.kind === 'poll' ? job.scan.startedAt : undefined));
    if (permanent) {
      await rt.queue.sendToDeadLetter(queue, body, `${code}: ${reason}`);
      return;
    }
  } else {
    log.warn('vendor call failed, SQS will redeliver the job', { ...context, reason });
  }
  throw err;
};
