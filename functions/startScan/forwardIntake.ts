import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSRecord } from 'aws-lambda';
import { IntakeJob, type NotifyJob } from '../../shared/messages/jobs.js';
import { parseRecord, receiveCount } from '../../shared/queue/records.js';
import type { Runtime } from '../../shared/runtime/runtime.js';
import { logJoined, mergeSameImage, type QueuedScanJob } from './mergeScans.js';

/**
 * Records from the FIFO intake queue, whose deduplication dropped repeated webhooks. Pushes move on to the scan
 * queue (its batching window gathers those arriving close together), tags of one image merged into one job; a
 * registry's own results (notify jobs) go on to the notify queue. A record fails only if its forwarding failed.
 */
export const forwardIntake = async (rt: Runtime, log: Logger, records: SQSRecord[]): Promise<PromiseSettledResult<void>[]> => {
  const results: PromiseSettledResult<void>[] = records.map(() => ({ status: 'fulfilled', value: undefined }));
  const pushes: QueuedScanJob[] = [];
  const registryResults: { index: number; job: NotifyJob }[] = [];
  records.forEach((record, index) => {
    try {
      const job = parseRecord(record, IntakeJob, log);
      if (job.kind === 'notify') registryResults.push({ index, job });
      else pushes.push({ index, body: record.body, receiveCount: receiveCount(record), job });
    } catch (reason) {
      results[index] = { status: 'rejected', reason };
    }
  });
  const scans = mergeSameImage(pushes);
  logJoined(log, scans);
  const forward = async (indexes: number[], send: () => Promise<void>) => {
    if (indexes.length === 0) return;
    try {
      await send();
    } catch (reason) {
      for (const i of indexes) results[i] = { status: 'rejected', reason };
    }
  };
  await Promise.all([
    forward(
      scans.flatMap((s) => s.indexes),
      () => rt.queue.queueScans(scans.map((s) => s.job)),
    ),
    forward(
      registryResults.map((r) => r.index),
      () => rt.queue.sendNotify(registryResults.map((r) => r.job)),
    ),
  ]);
  log.debug('intake forwarded', { scans: scans.length, registryResults: registryResults.length });
  return results;
};
