import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSRecord } from 'aws-lambda';
import { IntakeJob } from '../../shared/messages/intakeJob.js';
import type { NotifyJob } from '../../shared/messages/jobs.js';
import type { SweepJob } from '../../shared/messages/sweepJob.js';
import { parseRecord, receiveCount } from '../../shared/queue/records.js';
import type { ScannerRuntime } from '../../shared/runtime/withScanners.js';
import { logJoined, mergeSameImage, type QueuedScanJob } from './mergeScans.js';
import { startMerged, startsInBatches } from './startScans.js';
import { runSweep } from './sweep.js';

/**
 * Records from the FIFO intake queue, whose deduplication dropped repeated webhooks; tags of one image are merged
 * into one job. A push to a scanner that starts many images in one call moves on to the scan queue, whose batching
 * window gathers those arriving close together, and so does a sweep's re-scan; any other push is started here and
 * now, with no window to wait for. A registry's own results (notify jobs) go on to the notify queue. A sweep (the
 * watch schedule's, or a part of one) runs here, each on its own. A record fails only if its forwarding, its start or
 * its sweep failed and was not reported.
 */
export const forwardIntake = async (rt: ScannerRuntime, log: Logger, records: SQSRecord[]): Promise<PromiseSettledResult<void>[]> => {
  const results: PromiseSettledResult<void>[] = records.map(() => ({ status: 'fulfilled', value: undefined }));
  const pushes: QueuedScanJob[] = [];
  const registryResults: { index: number; job: NotifyJob }[] = [];
  const sweeps: { index: number; job: SweepJob }[] = [];
  records.forEach((record, index) => {
    try {
      const job = parseRecord(record, IntakeJob, log);
      if (job.kind === 'notify') registryResults.push({ index, job });
      else if (job.kind === 'sweep') sweeps.push({ index, job });
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
  // A sweep's re-scans wait for nobody: they go through the scan queue too, whose batches start a few at a time.
  const gathered = scans.filter((s) => s.job.rescan !== undefined || startsInBatches(rt, s.job.scanner));
  const direct = scans.filter((s) => !gathered.includes(s));
  await Promise.all([
    forward(
      gathered.flatMap((s) => s.indexes),
      () => rt.queue.queueScans(gathered.map((s) => s.job)),
    ),
    startMerged(rt, log, direct, results),
    forward(
      registryResults.map((r) => r.index),
      () => rt.queue.sendNotify(registryResults.map((r) => r.job)),
    ),
    ...sweeps.map(({ index, job }) => forward([index], () => runSweep(rt, log, job))),
  ]);
  log.debug('intake forwarded', { gathered: gathered.length, started: direct.length, registryResults: registryResults.length, sweeps: sweeps.length });
  return results;
};
