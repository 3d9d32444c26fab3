import * as z from 'zod/mini';
import { harborCounts } from '../report/harborSeverity.js';
import type { Report } from '../report/report.js';
import type { RegistryScanResult } from './source.js';

/** One entry of Harbor's `scan_overview` (its NativeReportSummary, https://github.com/goharbor/harbor/blob/main/src/pkg/scan/vuln/summary.go). Unknown fields are allowed. */
export const ReportSummary = z.lazy(() =>
  z.object({
    scan_status: z.optional(z.string()),
    severity: z.optional(z.string()),
    summary: z.nullish(
      z.object({
        total: z.optional(z.number().check(z.int(), z.nonnegative())),
        fixable: z.optional(z.number().check(z.int(), z.nonnegative())),
        /** Severity name → count, e.g. `{"High": 2, "Low": 3}`; severities with no findings are left out. */
        summary: z.nullish(z.record(z.string(), z.number().check(z.int(), z.nonnegative()))),
      }),
    ),
    start_time: z.optional(z.string()),
    end_time: z.optional(z.string()),
    scanner: z.nullish(z.object({ name: z.optional(z.string()) })),
  }),
);
type ReportSummary = z.infer<typeof ReportSummary>;

/** `scan_overview` is keyed by report MIME type; these carry vulnerability counts, newest first. */
const VULNERABILITY_REPORTS = [
  'application/vnd.security.vulnerability.report; version=1.1',
  'application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0',
];

/** Harbor sends Go's zero time (`0001-01-01T00:00:00Z`) for a time it does not know. */
const knownTime = (value: string | undefined): string | undefined => {
  const ms = value ? Date.parse(value) : NaN;
  return ms > 0 ? new Date(ms).toISOString() : undefined;
};

const toReport = (summary: NonNullable<ReportSummary['summary']>, consoleUrl: string | undefined): Report => {
  const counts = harborCounts(summary.summary);
  const counted = Object.values(counts).reduce((a, b) => a + b, 0);
  return {
    counts,
    total: Math.max(summary.total ?? counted, counted),
    ...(summary.fixable !== undefined ? { fixable: summary.fixable } : {}),
    // Harbor's webhook carries counts only, never the findings themselves.
    findings: [],
    ...(consoleUrl ? { consoleUrl } : {}),
  };
};

/** What a SCANNING_COMPLETED or SCANNING_FAILED event says about one artifact's scan. */
export const registryScanOutcome = (
  event: 'SCANNING_COMPLETED' | 'SCANNING_FAILED',
  overview: Record<string, ReportSummary> | null | undefined,
  consoleUrl?: string,
): Omit<RegistryScanResult, 'image' | 'event'> => {
  const key = VULNERABILITY_REPORTS.find((k) => overview?.[k]) ?? Object.keys(overview ?? {})[0];
  const entry = key === undefined ? undefined : overview?.[key];
  const startedAt = knownTime(entry?.start_time);
  const endedAt = knownTime(entry?.end_time);
  const times = { ...(startedAt ? { scanStartedAt: startedAt } : {}), ...(startedAt && endedAt ? { finishedAt: endedAt } : {}) };
  const status = entry?.scan_status;
  const by = entry?.scanner?.name ? ` (${entry.scanner.name})` : '';
  const failed = (reason: string) => ({ outcome: { status: 'failed' as const, reason }, ...times });

  if (event === 'SCANNING_FAILED' || status === 'Error' || status === 'Stopped') {
    return failed(`the registry's scanner${by} reported ${status ? `status ${status}` : 'a failed scan'}`);
  }
  if (status !== undefined && status !== 'Success') return failed(`the registry reported the scan complete, but its status is ${status}`);
  if (entry?.summary) return { outcome: { status: 'complete', report: toReport(entry.summary, consoleUrl) }, ...times };
  // A clean image: Harbor may send the severity None with no summary.
  if (entry?.severity === 'None') return { outcome: { status: 'complete', report: toReport({}, consoleUrl) }, ...times };
  return failed('the registry reported the scan complete but sent no vulnerability summary (scan_overview)');
};
