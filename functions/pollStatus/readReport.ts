import type { Config, Route } from '../../shared/config/config.js';
import { CallError } from '../../shared/http/callError.js';
import { type ImagePush, tagsOf } from '../../shared/messages/image.js';
import { carriedReport } from '../../shared/report/carry.js';
import { type BaselineRead, judgeReport, type ScannedReport } from '../../shared/report/judge.js';
import { type BaselineSetting, needsWholeList, type ReportPolicy } from '../../shared/report/policy.js';
import { Report } from '../../shared/report/report.js';
import type { ReadBudget } from '../../shared/scanners/pages.js';
import type { ScanHandle, ScannerClient } from '../../shared/scanners/scanner.js';

/** The longest a baseline may take to find and read; past it the report goes out whole, saying so. */
export const BASELINE_BUDGET_MS = 15_000;
/** What the invocation keeps for the rest of its work (the notify jobs, the other records' sends). */
const RESERVE_MS = 6_000;

/** A route's report policy: its own, with the top level's ignore entries. A route gone from a changed config compares as the default does. */
export const policyOf = (config: Config, route: Route | undefined): ReportPolicy => ({
  baseline: route?.baseline ?? 'previous',
  ignore: [...config.ignore, ...(route?.ignore ?? [])],
  fixableOnly: route?.fixableOnly ?? false,
});

/** Why a baseline could not be read, in a line a chat message can show. */
const unreadable = (err: unknown): string => {
  if (err instanceof CallError && err.code === 'ReadTimeBudget') return `reading it took longer than ${BASELINE_BUDGET_MS / 1000} s`;
  if (err instanceof CallError && err.kind === 'throttled') return `the scanner kept throttling: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
};

const readBaseline = async (
  client: ScannerClient,
  image: ImagePush,
  handle: ScanHandle,
  setting: Exclude<BaselineSetting, 'none'>,
  budget: ReadBudget,
): Promise<BaselineRead> => {
  const choice = setting === 'previous' ? ({ kind: 'previous' } as const) : ({ kind: 'tag', tag: setting.tag } as const);
  if (choice.kind === 'tag' && tagsOf(image).includes(choice.tag)) return { status: 'none', reason: 'is_baseline', tag: choice.tag };
  const found = await client.findBaseline(image, handle, choice, budget);
  if (!found) return choice.kind === 'tag' ? { status: 'none', reason: 'tag_missing', tag: choice.tag } : { status: 'none', reason: 'first' };
  const list = await client.baselineFindings(image, found, budget);
  return { status: 'compared', image: { ...(found.tag ? { tag: found.tag } : {}), ...(found.digest ? { digest: found.digest } : {}) }, ...list };
};

/**
 * The report of a finished scan as the route wants it, within what a queue message may carry. A route that compares,
 * ignores or filters gets the scanner's whole list and the baseline's; a baseline that cannot be read (throttled past the
 * retries, failing, or too slow) leaves the full report, saying why (`onBaselineFailure` hears of it too). A failure to read
 * the scanned image itself is thrown, as any other failed check.
 */
export const readReport = async (
  client: ScannerClient,
  image: ImagePush,
  handle: ScanHandle,
  policy: ReportPolicy,
  opts: { now: Date; timeLeftMs: number; onBaselineFailure?: (err: unknown) => void },
): Promise<Report> => {
  if (!needsWholeList(policy)) return carriedReport(Report.parse(await client.report(image, handle)));
  const { baseline: setting } = policy;
  const budgetMs = Math.min(BASELINE_BUDGET_MS, opts.timeLeftMs - RESERVE_MS);
  const comparing = async (): Promise<BaselineRead | undefined> => {
    if (setting === 'none') return undefined;
    if (budgetMs <= 0) return { status: 'unavailable', reason: 'the invocation had no time left to read it' };
    try {
      return await readBaseline(client, image, handle, setting, { deadline: Date.now() + budgetMs });
    } catch (err) {
      opts.onBaselineFailure?.(err);
      return { status: 'unavailable', reason: unreadable(err) };
    }
  };
  // The two lists are read side by side: one page of each at a time.
  const [scanned, baseline] = await Promise.all([client.fullReport(image, handle), comparing()]);
  return judgedReport(scanned, baseline, policy, opts.now);
};

/** The scanner's whole list judged against its baseline by the route's policy, as a queue message may carry it. */
export const judgedReport = (scanned: ScannedReport, baseline: BaselineRead | undefined, policy: ReportPolicy, now: Date): Report =>
  carriedReport(Report.parse(judgeReport({ scanned: { ...scanned, report: Report.parse(scanned.report) }, baseline, policy, now })));
