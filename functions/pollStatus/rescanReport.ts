import type { ImagePush } from '../../shared/messages/image.js';
import type { Rescan } from '../../shared/messages/jobs.js';
import { knownFindings } from '../../shared/report/knownFindings.js';
import type { ReportPolicy } from '../../shared/report/policy.js';
import type { Report } from '../../shared/report/report.js';
import type { Threshold } from '../../shared/report/threshold.js';
import type { ScanHandle, ScannerClient } from '../../shared/scanners/scanner.js';
import { judgedReport } from './readReport.js';

/**
 * A finished re-scan's report, compared with the image's own last scan: the findings whose identity the sweep read
 * before it started are known, every other one is new. The route's ignore list and fixableOnly apply as to a push.
 */
export const readRescanReport = async (
  client: ScannerClient,
  image: ImagePush,
  handle: ScanHandle,
  policy: ReportPolicy,
  rescan: Rescan,
  now: Date,
): Promise<Report> => {
  const scanned = await client.fullReport(image, handle);
  const isKnown = rescan.known ? knownFindings(rescan.known) : () => false;
  const baseline = {
    status: 'compared' as const,
    image: { ...(image.tag ? { tag: image.tag } : {}), digest: image.digest },
    findings: scanned.findings.filter(isKnown),
    complete: rescan.complete,
  };
  return judgedReport(scanned, baseline, policy, now);
};

/** A re-scan is news only for what is new at or above the route's bar: the route's threshold, as a `changes` route without passes. */
export const rescanThreshold = (route: Threshold): Threshold => ({ minSeverity: route.minSeverity, notifyOnPass: false, notify: 'changes' });
