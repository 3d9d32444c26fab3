import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSRecord } from 'aws-lambda';
import { REGISTRY_SCANNER } from '../../shared/config/config.js';
import { CallError, describeError } from '../../shared/http/callError.js';
import { recordMetric, recordSeconds } from '../../shared/logging/metrics.js';
import { type Outcome, PollJob } from '../../shared/messages/jobs.js';
import { notifyJobs } from '../../shared/messages/notifyJobs.js';
import { handleJobFailure } from '../../shared/queue/jobFailure.js';
import { parseRecord, receiveCount } from '../../shared/queue/records.js';
import type { Report } from '../../shared/report/report.js';
import { shouldNotify } from '../../shared/report/threshold.js';
import type { ScannerRuntime } from '../../shared/runtime/withScanners.js';
import { policyOf, readReport } from './readReport.js';
import { readRescanReport, rescanThreshold } from './rescanReport.js';
import { nextCheckDelaySeconds } from './schedule.js';

/** What a log line says of a report's comparison. */
const deltaLog = ({ delta, ignored, withoutFix }: Report) => ({
  baseline: delta?.status === 'compared' ? { ...delta.baseline, new: delta.new, fixed: delta.fixed } : (delta ?? 'none'),
  ...(ignored ? { ignored } : {}),
  ...(withoutFix ? { withoutFix } : {}),
});

/**
 * One status check of a started scan: still running → the job goes back on the poll queue with the next delay;
 * finished → the report, compared with its baseline as the route asks, goes to the notify queue, one job per channel,
 * unless it is no news to the route (a pass under minSeverity, or nothing new on a `changes` route: then no notify
 * message at all); past the deadline → a time-out message. A check the registry's scan-completed event queued
 * (`fromEvent`) on a route that scans is one check: a scan still running is left to the timer of its start.
 */
export const checkScan = async (
  rt: ScannerRuntime,
  log: Logger,
  record: SQSRecord,
  timeLeftMs: () => number = () => Number.POSITIVE_INFINITY,
): Promise<void> => {
  const job = parseRecord(record, PollJob, log);
  const context = { jobId: job.jobId, scanner: job.scanner, check: job.scan.checks + 1 };
  // The event's check on a scanning route stands beside the timer of the scan's start, which follows whatever it cannot tell.
  const route = rt.config.routes[job.route];
  const timerFollows = job.fromEvent === true && route?.scanner !== REGISTRY_SCANNER;
  try {
    const client = rt.scanner(job.scanner);
    const status = await client.check(job.image, job.scan.handle);
    const now = rt.now();
    const scannerType: [string, string] = ['scannerType', rt.scannedBy(job.scanner).type];
    // A check the registry's event queued knows no start: no duration, and the scan metrics count the timer's checks.
    const startedAt = job.fromEvent ? undefined : job.scan.startedAt;
    const metric = job.fromEvent ? () => {} : recordMetric;
    const notify = (outcome: Outcome) =>
      rt.queue.sendNotify(notifyJobs(job, rt.scannedBy(job.scanner), outcome, { finishedAt: now.toISOString(), scanStartedAt: startedAt }));
    const ageSeconds = (now.getTime() - Date.parse(job.scan.startedAt)) / 1000;

    if (status.state === 'complete') {
      const policy = policyOf(rt.config, route);
      const report = job.rescan
        ? await readRescanReport(client, job.image, job.scan.handle, policy, job.rescan, now)
        : await readReport(client, job.image, job.scan.handle, policy, {
            now,
            timeLeftMs: timeLeftMs(),
            onBaselineFailure: (err) => log.warn('baseline not read: the full report is sent, saying so', { ...context, ...describeError(err) }),
          });
      log.info('scan complete', { ...context, counts: report.counts, ageSeconds, ...deltaLog(report) });
      metric('ScanCompleted', scannerType);
      if (startedAt) recordSeconds('ScanSeconds', ageSeconds, scannerType);
      const outcome = { status: 'complete' as const, report };
      // A route missing from a changed config sets no threshold: better a message too many than a lost one.
      const threshold = route && job.rescan ? rescanThreshold(route) : route;
      if (threshold && !shouldNotify(outcome, threshold)) {
        const changes = threshold.notify === 'changes' && report.delta?.status === 'compared';
        log.info(changes ? 'nothing new: no message sent' : 'scan passed: no message sent', {
          ...context,
          route: job.route,
          minSeverity: threshold.minSeverity,
          notify: threshold.notify,
          ...(job.rescan ? { rescan: job.rescan.sweep } : {}),
        });
        return;
      }
      await notify(outcome);
      return;
    }
    if (status.state === 'failed') {
      log.warn('scan failed', { ...context, reason: status.reason });
      metric('ScanFailed', scannerType);
      await notify({ status: 'failed', reason: status.reason });
      return;
    }
    if (timerFollows) {
      log.info('scan still running at the event: the timer of its start follows it', context);
      return;
    }
    const secondsToDeadline = (Date.parse(job.scan.deadline) - now.getTime()) / 1000;
    if (secondsToDeadline <= 0) {
      log.warn('scan timed out', { ...context, ageSeconds });
      metric('ScanTimedOut', scannerType);
      await notify({ status: 'timed_out', waitedSeconds: Math.round(ageSeconds) });
      return;
    }
    const delay = nextCheckDelaySeconds(rt.config.polling, ageSeconds, secondsToDeadline, status.progress);
    log.info('scan still running', { ...context, progress: status.progress, nextCheckInSeconds: delay });
    await rt.queue.sendPoll({ ...job, scan: { ...job.scan, checks: job.scan.checks + 1 } }, delay);
  } catch (err) {
    // The registry may tell of a scan before scanhook's own has started (its automatic scan on push, say).
    if (timerFollows && err instanceof CallError && err.kind === 'not_found') {
      log.info('no scan of this image yet at the event: the timer of its start follows it', { ...context, code: err.code });
      return;
    }
    await handleJobFailure(rt, log, 'poll', job, record.body, receiveCount(record), err);
  }
};
