import { imageKey, tagsOf } from '../../shared/messages/image.js';
import type { ScanJob } from '../../shared/messages/jobs.js';

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
}

/**
 * Jobs for the same image (repository and digest) on the same route and scanner — several tags pushed with one
 * digest — become one scan
 * whose image lists every tag, so the image is scanned once and reported in one message.
 */
export const mergeSameImage = (queued: QueuedScanJob[]): Scan[] => {
  const scans = new Map<string, Scan>();
  for (const { index, body, receiveCount, job } of queued) {
    const key = `${job.route}|${job.scanner}|${imageKey(job.image)}`;
    const scan = scans.get(key);
    if (!scan) {
      scans.set(key, { job, indexes: [index], body, receiveCount });
      continue;
    }
    const tags = [...new Set([...tagsOf(scan.job.image), ...tagsOf(job.image)])];
    const tag = scan.job.image.tag ?? job.image.tag;
    scan.job = { ...scan.job, image: { ...scan.job.image, ...(tag ? { tag } : {}), tags } };
    scan.body = JSON.stringify(scan.job);
    scan.indexes.push(index);
    scan.receiveCount = Math.max(scan.receiveCount, receiveCount);
  }
  return [...scans.values()];
};
