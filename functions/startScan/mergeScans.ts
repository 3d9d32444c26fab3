import { imageKey, tagsOf } from '../../shared/messages/image.js';
import type { ScanJob } from '../../shared/messages/jobs.js';
import { messageBody } from '../../shared/queue/messageBody.js';

export interface QueuedScanJob {
  /** The record's position in the batch. */
  index: number;
  body: string;
  receiveCount: number;
  job: ScanJob;
}

/** One scan to start, standing for every record of the batch that asked for it. */
export interface Scan {
  job: ScanJob;
  /** The records it stands for: they succeed or fail together. */
  indexes: number[];
  /** The message to dead-letter if it cannot start. */
  body: string;
  receiveCount: number;
  /** The jobs merged into this one's scan (another tag of the same image): their jobId and tag. */
  joined: { jobId: string; tag?: string }[];
}

/**
 * Jobs for the same image (repository and digest) on the same route and scanner — several tags pushed with one
 * digest — become one scan whose image lists every tag, so the image is scanned once and reported in one message.
 */
export const mergeSameImage = (queued: QueuedScanJob[]): Scan[] => {
  const scans = new Map<string, Scan>();
  for (const { index, body, receiveCount, job } of queued) {
    const key = `${job.route}|${job.scanner}|${imageKey(job.image)}`;
    const scan = scans.get(key);
    if (!scan) {
      scans.set(key, { job, indexes: [index], body, receiveCount, joined: [] });
      continue;
    }
    const tags = [...new Set([...tagsOf(scan.job.image), ...tagsOf(job.image)])];
    const tag = scan.job.image.tag ?? job.image.tag;
    scan.job = { ...scan.job, image: { ...scan.job.image, ...(tag ? { tag } : {}), tags } };
    scan.body = messageBody(scan.job);
    if (job.jobId !== scan.job.jobId) scan.joined.push({ jobId: job.jobId, ...(job.image.tag ? { tag: job.image.tag } : {}) });
    scan.indexes.push(index);
    scan.receiveCount = Math.max(scan.receiveCount, receiveCount);
  }
  return [...scans.values()];
};

/** Says, for each job merged into another's scan, whose scan it joined: its own jobId is never seen again. */
export const logJoined = (log: { info(message: string, extra: Record<string, unknown>): void }, scans: Scan[]) => {
  for (const scan of scans) {
    for (const joined of scan.joined)
      log.info("tag joined another tag's scan of the same image", { jobId: joined.jobId, tag: joined.tag, joinedJobId: scan.job.jobId });
  }
};
