import type { Logger } from '@aws-lambda-powertools/logger';
import { SweepJob } from '../../shared/messages/sweepJob.js';
import type { ScannerRuntime } from '../../shared/runtime/withScanners.js';
import { fitQuotas, listWatched } from './sweepList.js';
import { sweepNotices } from './sweepNotice.js';
import { queueRescans } from './sweepPart.js';

/** Images per part of a sweep: each part reads their last scans in one invocation. */
export const SWEEP_PART_SIZE = 25;
/** How long a sweep's listing or a part's reading may take, within the function's 30 s. */
const BUDGET_MS = 20_000;

const report = async (rt: ScannerRuntime, log: Logger, job: SweepJob, lines: string[]) => {
  if (lines.length === 0) return;
  for (const line of lines) log.warn('sweep problem', { sweep: job.scheduledAt, part: job.part, problem: line });
  await rt.queue.sendNotify(sweepNotices(rt.config.opsChannels, job.scheduledAt, String(job.part ?? 'list'), lines, rt.now().toISOString()));
};

/**
 * A sweep lists every watched route's newest tags, keeps at most `watch.maxImagesPerSweep` (newest pushed first; one
 * line says how many it skipped) and queues them in parts on the intake queue. A part reads its images' last scans and
 * queues their re-scans. Problems (a list call that failed after its retries, an odd name, a skipped image) never stop
 * the rest: they are logged and sent to the ops channels.
 */
export const runSweep = async (rt: ScannerRuntime, log: Logger, job: SweepJob): Promise<void> => {
  const budget = { deadline: Date.now() + BUDGET_MS };
  if (job.images) {
    const { jobs, problems } = await queueRescans(rt, job.scheduledAt, job.images, budget);
    log.info('sweep part queued its re-scans', { sweep: job.scheduledAt, part: job.part, rescans: jobs.length, problems: problems.length });
    await report(rt, log, job, problems);
    return;
  }
  const watch = rt.config.watch;
  if (!watch || !rt.config.routes.some((r) => r.watch)) {
    log.info('sweep: no route is watched', { sweep: job.scheduledAt });
    return;
  }
  const listed = await listWatched(rt, budget);
  const limited = listed.images.slice(0, watch.maxImagesPerSweep);
  const skipped = listed.images.length - limited.length;
  const fitted = await fitQuotas(rt, limited);
  const kept = fitted.images;
  const lines = [
    ...(skipped > 0
      ? [
          `${skipped} of ${listed.images.length} images not re-scanned: watch.maxImagesPerSweep is ${watch.maxImagesPerSweep} (the most recently pushed were kept)`,
        ]
      : []),
    ...fitted.problems,
    ...listed.problems,
  ];
  const parts: SweepJob[] = [];
  for (let i = 0; i < kept.length; i += SWEEP_PART_SIZE) {
    const images = kept.slice(i, i + SWEEP_PART_SIZE).map(({ route, image }) => ({ route, image }));
    parts.push({ kind: 'sweep', v: 1, scheduledAt: job.scheduledAt, images, part: parts.length });
  }
  if (parts.length > 0) await rt.queue.sendSweeps(parts.map((part) => SweepJob.parse(part)));
  log.info('sweep listed', {
    sweep: job.scheduledAt,
    images: listed.images.length,
    queued: kept.length,
    skipped: listed.images.length - kept.length,
    parts: parts.length,
    problems: listed.problems.length,
  });
  await report(rt, log, job, lines);
};
