import { emptyCounts, type Severity, type SeverityCounts } from './report.js';

/** Harbor's severity names (SWR EE is Harbor-based), any case: Negligible counts as low, None and the rest as unknown. */
const SEVERITY: Record<string, Severity> = {
  critical: 'critical',
  high: 'high',
  medium: 'medium',
  low: 'low',
  negligible: 'low',
};

export const harborSeverity = (level: string | undefined): Severity => SEVERITY[(level ?? '').toLowerCase()] ?? 'unknown';

/** A Harbor scan summary (`{"Critical": 1, "High": 2, …}`) as unified counts; `None` is not a finding. */
export const harborCounts = (summary: Record<string, unknown> | null | undefined): SeverityCounts => {
  const counts = emptyCounts();
  for (const [level, n] of Object.entries(summary ?? {})) {
    if (level.toLowerCase() !== 'none') counts[harborSeverity(level)] += Number(n) || 0;
  }
  return counts;
};
