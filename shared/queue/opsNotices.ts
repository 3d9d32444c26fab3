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
  if (subject.ops || opsChannels.length === 0) return [];
  const outcome = { status: 'error' as const, code: 'DeadLettered', reason: `dead-lettered from the ${dead.queue} queue: ${dead.reason}`, retryable: false };
  return notifyJobs({ ...subject, channels: [...opsChannels] }, by, outcome, { finishedAt: dead.finishedAt }).map((job) => ({ ...job, ops: true }));
};
