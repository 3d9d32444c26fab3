import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSRecord } from 'aws-lambda';
import { CallError } from '../../shared/http/callError.js';
import { settleLimited } from '../../shared/http/concurrency.js';
import { recordMetric } from '../../shared/logging/metrics.js';
import { ScanJob } from '../../shared/messages/jobs.js';
import { notifyJobs } from '../../shared/messages/notifyJobs.js';
import { handleJobFailure } from '../../shared/queue/jobFailure.js';
import { parseRecord, receiveCount } from '../../shared/queue/records.js';
import type { ScannerRuntime } from '../../shared/runtime/withScanners.js';
import type { ScanHandle } from '../../shared/scanners/scanner.js';
import { logJoined, mergeSameImage, type QueuedScanJob, type Scan } from './mergeScans.js';

type Results = PromiseSettledResult<void>[];
const STARTS_AT_ONCE = 8;

const startGroup = async (rt: ScannerRuntime, scannerKey: string, scans: Scan[]): Promise<PromiseSettledResult<ScanHandle>[]> => {
  try {
    const client = rt.scanner(scannerKey);
    const images = scans.map((s) => s.job.image);
    if (client.startMany) return await client.startMany(images);
    // A batch holds up to 100 jobs: a scanner without a batch call gets them a few at a time, not all at once.
    return await settleLimited(images, STARTS_AT_ONCE, (image) => client.start(image));
  } catch (err) {
    return scans.map(() => ({ status: 'rejected', reason: err }));
  }
};

const queueFirstCheck = async (rt: ScannerRuntime, log: Logger, { job }: Scan, handle: ScanHandle) => {
  const now = rt.now();
  const { polling } = rt.config;
  log.info('scan started', { jobId: job.jobId, scanner: job.scanner, image: job.image });
  recordMetric('ScanStarted', ['scannerType', rt.scannedBy(job.scanner).type]);
  await rt.queue.sendPoll(
    {
      ...job,
      kind: 'poll',
      scan: {
        startedAt: now.toISOString(),
        deadline: new Date(now.getTime() + polling.deadlineMinutes * 60_000).toISOString(),
        checks: 0,
        handle,
      },
    },
    polling.initialDelaySeconds,
  );
};

/**
 * The scanner refused for now (its concurrency limit): the job comes back as a new delayed message, so waiting
 * never uses up the queue's receive count. Past the polling deadline it ends in a failure message instead.
 */
const putOff = async (rt: ScannerRuntime, log: Logger, { job }: Scan, err: CallError) => {
  const now = rt.now();
  const waitedSeconds = (now.getTime() - Date.parse(job.receivedAt)) / 1000;
  const deferrals = (job.deferrals ?? 0) + 1;
  const context = { jobId: job.jobId, scanner: job.scanner, code: err.code, deferrals };
  if (waitedSeconds >= rt.config.polling.deadlineMinutes * 60) {
    log.warn('scanner stayed busy past the deadline: sending a failure message', context);
    const reason = `${err.message}; the scanner was still busy after ${deferrals} tries over ${Math.round(waitedSeconds / 60)} min`;
    const outcome = { status: 'error' as const, code: err.code, reason, retryable: true };
    await rt.queue.sendNotify(notifyJobs(job, rt.scannedBy(job.scanner), outcome, { finishedAt: now.toISOString() }));
    return;
  }
  const delaySeconds = Math.max(1, (err.retryAfterMs ?? 30_000) / 1000);
  log.info('scanner busy: start put off', { ...context, delaySeconds });
  await rt.queue.queueScans([{ ...job, deferrals }], delaySeconds);
};

const settle = async (rt: ScannerRuntime, log: Logger, scan: Scan, started: PromiseSettledResult<ScanHandle> | undefined) => {
  try {
    if (!started || started.status === 'rejected') throw started?.reason ?? new Error('scanner returned no result');
    await queueFirstCheck(rt, log, scan, started.value);
  } catch (err) {
    if (err instanceof CallError && err.kind === 'busy') return putOff(rt, log, scan, err);
    await handleJobFailure(rt, log, 'scan', scan.job, scan.body, scan.receiveCount, err);
  }
};

/**
 * Records from the scan queue. Jobs for the same image (route, scanner, digest) become one scan listing every tag;
 * jobs for the same scanner go to it together, so a scanner that can start many images in one call does. Each
 * started scan gets its first status check queued as a delayed message.
 */
export const startScans = async (rt: ScannerRuntime, log: Logger, records: SQSRecord[]): Promise<Results> => {
  const results: Results = records.map(() => ({ status: 'fulfilled', value: undefined }));
  const ready: QueuedScanJob[] = [];
  records.forEach((record, index) => {
    try {
      ready.push({ index, body: record.body, receiveCount: receiveCount(record), job: parseRecord(record, ScanJob, log) });
    } catch (reason) {
      results[index] = { status: 'rejected', reason };
    }
  });
  const scans = mergeSameImage(ready);
  logJoined(log, scans);
  await startMerged(rt, log, scans, results);
  return results;
};

/** Whether the scanner starts many images in one call (so its pushes are worth gathering first). */
export const startsInBatches = (rt: ScannerRuntime, scannerKey: string): boolean => {
  try {
    return rt.scanner(scannerKey).startMany !== undefined;
  } catch {
    return false; // A broken scanner entry: started at once, to fail at once with its failure message.
  }
};

/**
 * Starts scans already merged, grouped by scanner. A scan whose start or first check could not be handled (its
 * failure neither reported nor dead-lettered) rejects the results of its records, so SQS delivers them again.
 */
export const startMerged = async (rt: ScannerRuntime, log: Logger, scans: Scan[], results: Results): Promise<void> => {
  const byScanner = new Map<string, Scan[]>();
  for (const scan of scans) byScanner.set(scan.job.scanner, [...(byScanner.get(scan.job.scanner) ?? []), scan]);
  await Promise.all(
    [...byScanner].map(async ([scannerKey, scans]) => {
      const started = await startGroup(rt, scannerKey, scans);
      await Promise.all(
        scans.map((scan, i) =>
          settle(rt, log, scan, started[i]).catch((reason) => {
            for (const index of scan.indexes) results[index] = { status: 'rejected', reason };
          }),
        ),
      );
    }),
  );
};
