import { REGISTRY_SCANNER } from '../config.js';
import type { NotifyJob, Outcome, ScanJob } from '../messages.js';
import type { Runtime } from '../runtime.js';

/** What a notify job is built from: a scan or poll job, or a registry's own scan result arriving at the webhook. */
export type NotifySubject = Pick<ScanJob, 'jobId' | 'route' | 'scanner' | 'channels' | 'image'>;

/** A registry's own result is labelled with its source's type (`harbor`, `swr`); a scanner's with the scanner's. */
const scannerTypeOf = (rt: Runtime, job: NotifySubject): string =>
  (job.scanner === REGISTRY_SCANNER ? rt.config.sources[job.image.source]?.type : rt.config.scanners[job.scanner]?.type) ?? 'unknown';

/** One notify job per channel of the route. `finishedAt` defaults to now. */
export const notifyJobs = (rt: Runtime, job: NotifySubject, outcome: Outcome, scanStartedAt?: string, finishedAt?: string): NotifyJob[] =>
  job.channels.map((channel) => ({
    kind: 'notify',
    v: 1,
    jobId: job.jobId,
    route: job.route,
    channel,
    scanner: job.scanner,
    scannerType: scannerTypeOf(rt, job),
    image: job.image,
    outcome,
    ...(scanStartedAt ? { scanStartedAt } : {}),
    finishedAt: finishedAt ?? rt.now().toISOString(),
  }));
