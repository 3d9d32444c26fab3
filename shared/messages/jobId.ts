import { sha256Hex } from '../vendors/encoding.js';
import { imageKey } from './image.js';
import type { NotifyJob, ScanJob } from './jobs.js';

/** SQS FIFO's deduplication interval. */
export const DEDUP_WINDOW_MS = 5 * 60_000;

/** What makes two pushes the same job: the route, the scanner, the image and the tag. */
export const scanJobKey = (job: Pick<ScanJob, 'route' | 'scanner' | 'image'>): string =>
  `${job.route}|${job.scanner}|${imageKey(job.image)}|${job.image.tag ?? ''}`;

/** What makes two registry results the same: the route, the image, the outcome and when the scan finished. */
export const resultJobKey = (job: Pick<NotifyJob, 'route' | 'image' | 'outcome' | 'finishedAt'>): string =>
  `${job.route}|${imageKey(job.image)}|${job.outcome.status}|${job.finishedAt}`;

/**
 * A job's id: the same for the same key within one deduplication window (UUID-shaped), so a webhook delivered twice
 * is answered with the jobId of the first, and the intake queue, which deduplicates on the jobId, drops the second.
 * Windows are fixed slots of SQS's interval: a repeat across a slot's end is a new job.
 */
export const jobIdFor = (key: string, at: Date): string => {
  const h = sha256Hex(`${key}|${Math.floor(at.getTime() / DEDUP_WINDOW_MS)}`);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((Number.parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

/**
 * What makes two notify jobs one message: the channel and the result — route, scanner, image, tag, outcome and the
 * sweep that re-scanned it, if one did — but not the jobId, which a result reached by two paths (a registry's event and the timer) does not share. An ops
 * notice is the same only as its exact copy.
 */
export const notifyJobKey = (job: NotifyJob): string => {
  const result = `${job.channel}|${job.route}|${job.scanner}|${imageKey(job.image)}|${job.image.tag ?? ''}|${job.outcome.status}|${job.rescan?.sweep ?? ''}`;
  return job.ops ? `ops|${result}|${job.jobId}|${JSON.stringify(job.outcome)}` : result;
};

/** A channel's message group on the notify queue: its key hashed, as group ids allow only some characters. */
export const channelGroup = (channel: string): string => `channel-${sha256Hex(channel).slice(0, 32)}`;
