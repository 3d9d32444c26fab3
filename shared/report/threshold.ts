import * as z from 'zod';
import { type Report, SEVERITIES, type SeverityCounts, severityRank } from './report.js';

/** What a threshold judges: a finished scan's report, or a failure of any kind. */
type Judged = { status: 'complete'; report: Pick<Report, 'counts'> } | { status: 'failed' | 'error' | 'timed_out' };

/** A route's bar for a finished scan to be news. `none` sets no bar: every result is sent. */
export const MinSeverity = z.enum(['none', 'low', 'medium', 'high', 'critical']);
export type MinSeverity = z.infer<typeof MinSeverity>;

export interface Threshold {
  minSeverity: MinSeverity;
  notifyOnPass: boolean;
}

/** No finding at or above `min` (`unknown` ranks below `low`). Decided on the counts, not the carried findings. */
export const isPass = (counts: SeverityCounts, min: MinSeverity): boolean =>
  min !== 'none' && !SEVERITIES.some((s) => counts[s] > 0 && severityRank(s) >= severityRank(min));

/** Whether an outcome goes to the route's channels: failures, errors and time-outs always do. */
export const shouldNotify = (outcome: Judged, threshold: Threshold): boolean =>
  outcome.status !== 'complete' || threshold.notifyOnPass || !isPass(outcome.report.counts, threshold.minSeverity);
