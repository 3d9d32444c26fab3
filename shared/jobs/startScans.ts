import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSRecord } from 'aws-lambda';
import { ScanJob } from '../messages.js';
import type { ScanHandle } from '../scanners/scanner.js';
import type { WorkerRuntime } from '../workerRuntime.js';
import { handleJobFailure } from './failures.js';
import { parseRecord, receiveCount } from './records.js';

interface Entry {
  index: number;
  record: SQSRecord;
  job: ScanJob;
}

const startGroup = async (rt: WorkerRuntime, scannerKey: string, entries: Entry[]): Promise<PromiseSettledResult<ScanHandle>[]> => {
  try {
    const client = rt.scanner(scannerKey);
    const images = entries.map((e) => e.job.image);
    if (client.startMany) return await client.startMany(images);
    return await Promise.allSettled(images.map((image) => client.start(image)));
  } catch (err) {
    return entries.map(() => ({ status: 'rejected', reason: err }));
  }
};

/**
 * Starts the scans of one SQS batch. Jobs for the same scanner go to it together, so a scanner that can start
 * many images in one call does. Each started scan gets its first status check queued as a delayed message.
 */
export const startScans = async (rt: WorkerRuntime, log: Logger, records: SQSRecord[]): Promise<PromiseSettledResult<void>[]> => {
  const results: PromiseSettledResult<void>[] = records.map(() => ({ status: 'fulfilled', value: undefined }));
  const groups = new Map<string, Entry[]>();
  records.forEach((record, index) => {
    try {
      const job = parseRecord(record, ScanJob, log);
      groups.set(job.scanner, [...(groups.get(job.scanner) ?? []), { index, record, job }]);
    } catch (err) {
      results[index] = { status: 'rejected', reason: err };
    }
  });

  await Promise.all(
    [...groups].map(async ([scannerKey, entries]) => {
      const started = await startGroup(rt, scannerKey, entries);
      await Promise.all(
        entries.map(async (entry, i) => {
          const outcome = started[i];
          try {
            if (!outcome || outcome.status === 'rejected') throw outcome?.reason ?? new Error('scanner returned no result');
            const now = rt.now();
            const { polling } = rt.config;
            log.info('scan started', { jobId: entry.job.jobId, scanner: scannerKey, image: entry.job.image });
            await rt.queue.sendPoll(
              {
                ...entry.job,
                kind: 'poll',
                scan: {
                  startedAt: now.toISOString(),
                  deadline: new Date(now.getTime() + polling.deadlineMinutes * 60_000).toISOString(),
                  checks: 0,
                  handle: outcome.value,
                },
              },
              polling.initialDelaySeconds,
            );
          } catch (err) {
            try {
              await handleJobFailure(rt, log, 'scan', entry.job, entry.record.body, receiveCount(entry.record), err);
            } catch (final) {
              results[entry.index] = { status: 'rejected', reason: final };
            }
          }
        }),
      );
    }),
  );
  return results;
};
