import { byWorstFirst, emptyCounts, type Finding, findingKey, type SeverityCounts, severityRank } from './report.js';

/** One entry per finding (advisory id + package), keeping the worst severity a scanner gave it. */
export const uniqueFindings = (findings: readonly Finding[]): Finding[] => {
  const byKey = new Map<string, Finding>();
  for (const f of findings) {
    const key = findingKey(f);
    const seen = byKey.get(key);
    if (!seen || severityRank(f.severity) > severityRank(seen.severity)) byKey.set(key, f);
  }
  return [...byKey.values()];
};

export interface Comparison {
  new: SeverityCounts;
  fixed: SeverityCounts;
  /** Every new finding, worst first. */
  newFindings: Finding[];
}

/** What is in `current` and not in `baseline` (new, by its current severity), and the reverse (fixed, by its old one). */
export const compareFindings = (current: readonly Finding[], baseline: readonly Finding[]): Comparison => {
  const now = uniqueFindings(current);
  const before = uniqueFindings(baseline);
  const nowKeys = new Set(now.map(findingKey));
  const beforeKeys = new Set(before.map(findingKey));
  const newFindings = now.filter((f) => !beforeKeys.has(findingKey(f))).sort(byWorstFirst);
  const counts = emptyCounts();
  for (const f of newFindings) counts[f.severity]++;
  const fixed = emptyCounts();
  for (const f of before) if (!nowKeys.has(findingKey(f))) fixed[f.severity]++;
  return { new: counts, fixed, newFindings };
};
