import * as z from 'zod';

/** One severity scale for every scanner: each scanner maps its own levels onto it. */
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'unknown'] as const;
export const Severity = z.enum(SEVERITIES);
export type Severity = z.infer<typeof Severity>;

const RANK: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1, unknown: 0 };
export const severityRank = (s: Severity): number => RANK[s];

export const SeverityCounts = z.object({
  critical: z.number().int().nonnegative(),
  high: z.number().int().nonnegative(),
  medium: z.number().int().nonnegative(),
  low: z.number().int().nonnegative(),
  unknown: z.number().int().nonnegative(),
});
export type SeverityCounts = z.infer<typeof SeverityCounts>;

export const Finding = z.object({
  id: z.string(),
  severity: Severity,
  package: z.string(),
  installedVersion: z.string().optional(),
  fixedVersion: z.string().optional(),
  fixCommand: z.string().optional(),
  link: z.string().optional(),
});
export type Finding = z.infer<typeof Finding>;

/** The unified scan report every scanner produces and every channel renders. */
export const Report = z.object({
  counts: SeverityCounts,
  total: z.number().int().nonnegative(),
  fixable: z.number().int().nonnegative().optional(),
  /** The worst findings, worst first; a scanner may list fewer than `total`. */
  findings: z.array(Finding),
  consoleUrl: z.string().optional(),
});
export type Report = z.infer<typeof Report>;

export const emptyCounts = (): SeverityCounts => ({ critical: 0, high: 0, medium: 0, low: 0, unknown: 0 });

export const worstSeverity = (counts: SeverityCounts): Severity | undefined => SEVERITIES.find((s) => counts[s] > 0);

/** Worst first; among equals, fixable findings first, then by id for a stable order. */
export const byWorstFirst = (a: Finding, b: Finding): number =>
  severityRank(b.severity) - severityRank(a.severity) || Number(Boolean(b.fixedVersion)) - Number(Boolean(a.fixedVersion)) || a.id.localeCompare(b.id);

/** How many findings a report keeps in its message payload. */
export const MAX_FINDINGS_CARRIED = 20;
