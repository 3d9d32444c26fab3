import { compareFindings, uniqueFindings } from './delta.js';
import { ignoreCovers, partitionIgnores } from './ignore.js';
import type { ReportPolicy } from './policy.js';
import {
  type BaselineRef,
  byWorstFirst,
  type Delta,
  type ExpiredIgnore,
  type Finding,
  hasFix,
  MAX_EXPIRED_CARRIED,
  MAX_FINDINGS_CARRIED,
  type NoBaselineReason,
  type Report,
  severityRank,
} from './report.js';

/** Every finding a scanner lists for one image (every page), and whether that is all of them. */
export interface FindingList {
  findings: Finding[];
  /** False when the scanner lists more than scanhook reads (MAX_FINDINGS_READ). */
  complete: boolean;
}

/** A scanner's own report, with its whole finding list. */
export interface ScannedReport extends FindingList {
  report: Report;
}

/** What became of the baseline: read, absent, or not readable (the report then says why). */
export type BaselineRead =
  | ({ status: 'compared'; image: BaselineRef } & FindingList)
  | { status: 'none'; reason: NoBaselineReason; tag?: string }
  | { status: 'unavailable'; reason: string };

/** At least this many findings per image are read and compared; an image with more is reported without a comparison. */
export const MAX_FINDINGS_READ = 20_000;

const minus = (n: number, by: number) => Math.max(0, n - by);

const expiredMatches = (expired: ReportPolicy['ignore'], findings: Finding[]): ExpiredIgnore[] =>
  expired.flatMap((entry) => {
    const hits = findings.filter((f) => ignoreCovers(entry, f));
    if (hits.length === 0) return [];
    const worst = hits.reduce((a, b) => (severityRank(b.severity) > severityRank(a.severity) ? b : a));
    return [{ id: entry.id, ...(entry.package ? { package: entry.package } : {}), until: entry.until, severity: worst.severity }];
  });

/**
 * The report a route gets: the scanner's, less what its active ignore entries cover and (with `fixableOnly`) what has
 * no fix, both counted apart, and compared with the baseline over both whole lists. Counts stay the scanner's own, less
 * what was left out; the findings carried are the worst of what is left.
 */
export const judgeReport = (input: {
  scanned: ScannedReport;
  baseline?: BaselineRead | undefined;
  policy: Pick<ReportPolicy, 'ignore' | 'fixableOnly'>;
  now: Date;
}): Report => {
  const { scanned, baseline, policy } = input;
  const { active, expired } = partitionIgnores(policy.ignore, input.now);
  const isIgnored = (f: Finding) => active.some((entry) => ignoreCovers(entry, f));
  const kept = (f: Finding) => !isIgnored(f) && (!policy.fixableOnly || hasFix(f));
  const all = uniqueFindings(scanned.findings);
  const ignored = all.filter(isIgnored);
  const withoutFix = policy.fixableOnly ? all.filter((f) => !isIgnored(f) && !hasFix(f)) : [];
  const shown = all.filter(kept).sort(byWorstFirst);

  const counts = { ...scanned.report.counts };
  for (const f of [...ignored, ...withoutFix]) counts[f.severity] = minus(counts[f.severity], 1);
  const backInView = expiredMatches(
    expired,
    all.filter((f) => !isIgnored(f)),
  );

  let delta: Delta | undefined;
  if (baseline?.status === 'compared') {
    if (!scanned.complete || !baseline.complete) {
      delta = { status: 'unavailable', reason: `more than ${MAX_FINDINGS_READ} findings in one of the images` };
    } else {
      const compared = compareFindings(shown, baseline.findings.filter(kept));
      delta = {
        status: 'compared',
        baseline: baseline.image,
        new: compared.new,
        fixed: compared.fixed,
        newFindings: compared.newFindings.slice(0, MAX_FINDINGS_CARRIED),
      };
    }
  } else if (baseline) {
    delta = baseline;
  }

  const { report } = scanned;
  return {
    ...report,
    counts,
    total: minus(report.total, ignored.length + withoutFix.length),
    ...(report.fixable !== undefined ? { fixable: minus(report.fixable, ignored.filter(hasFix).length) } : {}),
    findings: shown.slice(0, MAX_FINDINGS_CARRIED),
    ...(delta ? { delta } : {}),
    ...(ignored.length > 0 ? { ignored: ignored.length } : {}),
    ...(backInView.length > 0 ? { expired: backInView.slice(0, MAX_EXPIRED_CARRIED) } : {}),
    ...(withoutFix.length > 0 ? { withoutFix: withoutFix.length } : {}),
  };
};
