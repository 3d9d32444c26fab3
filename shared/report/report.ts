import * as z from 'zod/mini';

/** One severity scale for every scanner: each scanner maps its own levels onto it. */
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'unknown'] as const;
export const Severity = z.enum(SEVERITIES);
export type Severity = z.infer<typeof Severity>;

const RANK: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1, unknown: 0 };
export const severityRank = (s: Severity): number => RANK[s];

export const SeverityCounts = z.object({
  critical: z.number().check(z.int(), z.nonnegative()),
  high: z.number().check(z.int(), z.nonnegative()),
  medium: z.number().check(z.int(), z.nonnegative()),
  low: z.number().check(z.int(), z.nonnegative()),
  unknown: z.number().check(z.int(), z.nonnegative()),
});
export type SeverityCounts = z.infer<typeof SeverityCounts>;

export const Finding = z.object({
  id: z.string(),
  severity: Severity,
  package: z.string(),
  installedVersion: z.optional(z.string()),
  fixedVersion: z.optional(z.string()),
  fixCommand: z.optional(z.string()),
  link: z.optional(z.string()),
});
export type Finding = z.infer<typeof Finding>;

/** A finding is its advisory id plus its package: the same pair listed twice is one finding. */
export const findingKey = (f: Pick<Finding, 'id' | 'package'>): string => `${f.id.toLowerCase()}\u0000${f.package.toLowerCase()}`;

/** The image a report was compared with: its tag and its digest (each absent where the scanner does not say). */
export const BaselineRef = z.object({ tag: z.optional(z.string()), digest: z.optional(z.string().check(z.minLength(1))) });
export type BaselineRef = z.infer<typeof BaselineRef>;

/** Why a report was not compared: the first image, a named baseline tag without a completed scan, or the push is that tag. */
export const NoBaselineReason = z.enum(['first', 'tag_missing', 'is_baseline']);
export type NoBaselineReason = z.infer<typeof NoBaselineReason>;

/**
 * What changed since the baseline image, counted over both images' whole lists. Only the counts and the worst new
 * findings travel; when there is no baseline or it could not be read, the report is the full one and says why.
 */
export const Delta = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('compared'),
    baseline: BaselineRef,
    new: SeverityCounts,
    fixed: SeverityCounts,
    /** The worst new findings, worst first (at most MAX_FINDINGS_CARRIED). */
    newFindings: z.array(Finding),
  }),
  z.object({ status: z.literal('none'), reason: NoBaselineReason, tag: z.optional(z.string()) }),
  z.object({ status: z.literal('unavailable'), reason: z.string() }),
]);
export type Delta = z.infer<typeof Delta>;

/** An ignore entry past its `until` that matches a finding of the image: the accepted risk counts again. */
export const ExpiredIgnore = z.object({ id: z.string(), package: z.optional(z.string()), until: z.string(), severity: Severity });
export type ExpiredIgnore = z.infer<typeof ExpiredIgnore>;

/** The unified scan report every scanner produces and every channel renders. */
export const Report = z.object({
  counts: SeverityCounts,
  total: z.number().check(z.int(), z.nonnegative()),
  fixable: z.optional(z.number().check(z.int(), z.nonnegative())),
  /** The worst findings, worst first; a scanner may list fewer than `total`. */
  findings: z.array(Finding),
  consoleUrl: z.optional(z.string()),
  delta: z.optional(Delta),
  /** Findings an active ignore entry covers: counted in nothing above. */
  ignored: z.optional(z.number().check(z.int(), z.nonnegative())),
  /** Expired ignore entries that match a finding here (at most MAX_EXPIRED_CARRIED). */
  expired: z.optional(z.array(ExpiredIgnore)),
  /** `fixableOnly`: findings with neither a fixed version nor a fix command, counted in nothing above. */
  withoutFix: z.optional(z.number().check(z.int(), z.nonnegative())),
});
export type Report = z.infer<typeof Report>;

export const emptyCounts = (): SeverityCounts => ({ critical: 0, high: 0, medium: 0, low: 0, unknown: 0 });

export const worstSeverity = (counts: SeverityCounts): Severity | undefined => SEVERITIES.find((s) => counts[s] > 0);

/** Worst first; among equals, fixable findings first, then by id for a stable order. */
export const byWorstFirst = (a: Finding, b: Finding): number =>
  severityRank(b.severity) - severityRank(a.severity) || Number(Boolean(b.fixedVersion)) - Number(Boolean(a.fixedVersion)) || a.id.localeCompare(b.id);

/** How many findings a report keeps in its message payload (and how many new ones its delta keeps). */
export const MAX_FINDINGS_CARRIED = 20;
export const MAX_EXPIRED_CARRIED = 10;

/** A fixed version or a fix command: something to do about it. */
export const hasFix = (f: Finding): boolean => Boolean(f.fixedVersion || f.fixCommand);

/** A report of a scanner's whole finding list: counts per severity, the total, and the worst that a message carries. */
export const reportOfFindings = (findings: readonly Finding[]): Pick<Report, 'counts' | 'total' | 'findings'> => {
  const counts = emptyCounts();
  for (const f of findings) counts[f.severity]++;
  return { counts, total: findings.length, findings: [...findings].sort(byWorstFirst).slice(0, MAX_FINDINGS_CARRIED) };
};
