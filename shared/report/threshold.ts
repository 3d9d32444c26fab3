import * as z from 'zod/mini';
import type { NotifyMode } from './policy.js';
import { type Report, SEVERITIES, type Severity, type SeverityCounts, severityRank } from './report.js';

/** What a threshold judges: a finished scan's report, or a failure of any kind. */
type Judged = { status: 'complete'; report: Pick<Report, 'counts' | 'delta' | 'expired'> } | { status: 'failed' | 'error' | 'timed_out' };

/** A route's bar for a finished scan to be news. `none` sets no bar: every result is sent. */
export const MinSeverity = z.enum(['none', 'low', 'medium', 'high', 'critical']);
export type MinSeverity = z.infer<typeof MinSeverity>;

export interface Threshold {
  minSeverity: MinSeverity;
  notifyOnPass: boolean;
  /** `always` when absent. */
  notify?: NotifyMode;
}

/** `s` is at or above the bar (`none`: everything is). */
const reaches = (s: Severity, min: MinSeverity): boolean => min === 'none' || severityRank(s) >= severityRank(min);

/** No finding at or above `min` (`unknown` ranks below `low`). Decided on the counts, not the carried findings. */
export const isPass = (counts: SeverityCounts, min: MinSeverity): boolean =>
  min !== 'none' && !SEVERITIES.some((s) => counts[s] > 0 && severityRank(s) >= severityRank(min));

/**
 * News for a `changes` route: a new finding at or above the bar, or an accepted risk at or above it whose ignore entry
 * expired (it counts again, so it is news until the entry is renewed or removed).
 */
export const hasNews = ({ delta, expired }: Pick<Report, 'delta' | 'expired'>, min: MinSeverity): boolean => {
  const newAtBar = delta?.status === 'compared' && SEVERITIES.some((s) => delta.new[s] > 0 && reaches(s, min));
  return newAtBar || (expired ?? []).some((e) => reaches(e.severity, min));
};

/**
 * Whether an outcome goes to the route's channels: failures, errors and time-outs always do. A `changes` route sends a
 * compared report only when it has news; without a comparison (no baseline, or one that could not be read) it decides
 * as an `always` route does, so an image is never taken for "nothing new" unseen.
 */
export const shouldNotify = (outcome: Judged, threshold: Threshold): boolean => {
  if (outcome.status !== 'complete') return true;
  if (threshold.notify === 'changes' && outcome.report.delta?.status === 'compared') return hasNews(outcome.report, threshold.minSeverity);
  return threshold.notifyOnPass || !isPass(outcome.report.counts, threshold.minSeverity);
};
