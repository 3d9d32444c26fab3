import { describeError } from '../../shared/http/callError.js';
import { settleLimited } from '../../shared/http/concurrency.js';
import { jobIdFor, scanJobKey } from '../../shared/messages/jobId.js';
import type { Rescan, ScanJob } from '../../shared/messages/jobs.js';
import type { SweepImage } from '../../shared/messages/sweepJob.js';
import { encodeKnown } from '../../shared/report/knownFindings.js';
import type { ScannerRuntime } from '../../shared/runtime/withScanners.js';
import type { ReadBudget } from '../../shared/scanners/pages.js';

/** Last scans read at once in one part of a sweep. */
const READS_AT_ONCE = 4;

const describe = ({ image }: SweepImage) => `${image.namespace}/${image.repository}:${image.tag ?? image.digest}`;

/**
 * One part of a sweep: each image's last scan is read (the identities of its findings go into the re-scan job) and its
 * re-scan queued on the intake queue. The jobId is a push's, at the sweep's scheduled time: a push of the image in the
 * same deduplication window and a sweep delivered twice both come to one scan. An image whose last scan cannot be read
 * is not re-scanned (every finding would look new): it is a problem line.
 */
export const queueRescans = async (
  rt: ScannerRuntime,
  scheduledAt: string,
  images: readonly SweepImage[],
  budget: ReadBudget,
): Promise<{ jobs: ScanJob[]; problems: string[] }> => {
  const read = await settleLimited(images, READS_AT_ONCE, async ({ route: index, image }): Promise<ScanJob> => {
    const route = rt.config.routes[index];
    if (!route) throw new Error(`route ${index} is no longer in the config`);
    const lister = rt.scanner(route.scanner).list;
    if (!lister) throw new Error(`scanner ${route.scanner} cannot list its images`);
    const last = await lister.lastScan(image, budget);
    const rescan: Rescan = {
      sweep: scheduledAt,
      complete: last?.complete ?? true,
      ...(last && last.findings.length > 0 ? { known: encodeKnown(last.findings) } : {}),
      ...(last?.scannedAt ? { lastScannedAt: last.scannedAt } : {}),
    };
    const identity = { route: index, scanner: route.scanner, image };
    return {
      kind: 'scan',
      v: 1,
      jobId: jobIdFor(scanJobKey(identity), new Date(scheduledAt)),
      ...identity,
      channels: route.channels,
      receivedAt: rt.now().toISOString(),
      rescan,
    };
  });
  const jobs = read.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const problems = read.flatMap((r, i) =>
    r.status === 'rejected'
      ? [`${JSON.stringify(describe(images[i]!))}: its last scan could not be read, so it was not re-scanned: ${describeError(r.reason).reason}`]
      : [],
  );
  if (jobs.length > 0) await rt.queue.sendScanJobs(jobs);
  return { jobs, problems };
};
