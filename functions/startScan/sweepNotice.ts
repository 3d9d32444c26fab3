import { jobIdFor } from '../../shared/messages/jobId.js';
import type { NotifyJob } from '../../shared/messages/jobs.js';
import { opsNoticeJobs } from '../../shared/queue/opsNotices.js';
import { sha256Hex } from '../../shared/vendors/encoding.js';

/** A sweep's lines in one message: only so many, the rest counted. */
const MAX_LINES = 10;

/**
 * What a sweep tells the config's `opsChannels` (images skipped over the limit, what could not be listed or read): one
 * message per channel, as the error notice every chat target renders, standing for the sweep rather than an image.
 */
export const sweepNotices = (opsChannels: readonly string[], scheduledAt: string, part: string, lines: readonly string[], finishedAt: string): NotifyJob[] => {
  if (lines.length === 0) return [];
  const shown = lines.slice(0, MAX_LINES);
  const more = lines.length - shown.length;
  const reason = `${shown.join('; ')}${more > 0 ? `; and ${more} more (see the startScan log)` : ''}`;
  const subject = {
    jobId: jobIdFor(`sweep-notice|${scheduledAt}|${part}`, new Date(scheduledAt)),
    route: 0,
    scanner: 'sweep',
    image: { source: 'sweep', namespace: 'sweep', repository: scheduledAt, digest: `sha256:${sha256Hex(`${scheduledAt}|${part}`)}` },
  };
  return opsNoticeJobs(opsChannels, subject, { type: 'sweep', label: 'scanhook sweep' }, { code: 'Sweep', reason }, finishedAt);
};
