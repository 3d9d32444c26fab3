import type { ImagePush } from './image.js';
import type { NotifyJob, Outcome, RescanNote, ScanJob } from './jobs.js';

/** What a notify job is built from: a scan or poll job, or a registry's own scan result arriving at the webhook. */
export type NotifySubject = Pick<ScanJob, 'jobId' | 'route' | 'scanner' | 'channels'> & {
  image: ImagePush;
  receivedAt?: string;
  rescan?: RescanNote | undefined;
};

/** Who scanned the image: a scanner's type and label, or for a registry's own result its source's. */
export interface ScannedBy {
  type: string;
  /** How messages name it, e.g. "Alibaba Cloud ACR". */
  label: string;
}

/** One notify job per channel of the route. */
export const notifyJobs = (
  subject: NotifySubject,
  by: ScannedBy,
  outcome: Outcome,
  times: { finishedAt: string; scanStartedAt?: string | undefined },
): NotifyJob[] =>
  subject.channels.map((channel) => ({
    kind: 'notify',
    v: 1,
    jobId: subject.jobId,
    route: subject.route,
    channel,
    scanner: subject.scanner,
    scannerType: by.type,
    scannerLabel: by.label,
    image: subject.image,
    ...(subject.receivedAt ? { receivedAt: subject.receivedAt } : {}),
    outcome,
    ...(times.scanStartedAt ? { scanStartedAt: times.scanStartedAt } : {}),
    finishedAt: times.finishedAt,
    // A re-scan's finding identities stay behind: parsing the notify job on its way to the queue drops them.
    ...(subject.rescan ? { rescan: subject.rescan } : {}),
  }));
