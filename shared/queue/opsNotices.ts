import type { NotifyJob } from '../messages/jobs.js';
import { type NotifySubject, notifyJobs, type ScannedBy } from '../messages/notifyJobs.js';
import type { QueueName } from './queueUrls.js';

/**
 * The notices for the config's `opsChannels` about a job that was dead-lettered: which image, which queue, and why,
 * as an error outcome (every chat target renders those). Never for a notice to an ops channel itself, so a broken
 * ops channel cannot feed on its own failures.
 */
export const opsNotices = (
  opsChannels: readonly string[],
  subject: Omit<NotifySubject, 'channels'> & { ops?: boolean | undefined },
  by: ScannedBy,
  dead: { queue: QueueName; reason: string; finishedAt: string },
): NotifyJob[] => {
  if (subject.ops) return [];
  const error = { code: 'DeadLettered', reason: `dead-lettered from the ${dead.queue} queue: ${dead.reason}` };
  return opsNoticeJobs(opsChannels, subject, by, error, dead.finishedAt);
};

/**
 * One notice per ops channel, as the error outcome every chat target renders, marked `ops` so that its own failure
 * is never reported again; none without ops channels.
 */
export const opsNoticeJobs = (
  opsChannels: readonly string[],
  subject: Omit<NotifySubject, 'channels'>,
  by: ScannedBy,
  error: { code: string; reason: string },
  finishedAt: string,
): NotifyJob[] => {
  if (opsChannels.length === 0) return [];
  const outcome = { status: 'error' as const, ...error, retryable: false };
  return notifyJobs({ ...subject, channels: [...opsChannels] }, by, outcome, { finishedAt }).map((job) => ({ ...job, ops: true }));
};
