import { REGISTRY_SCANNER } from '../config/config.js';
import type { NotifyJob } from '../messages/jobs.js';
import {
  type BaselineRef,
  type Delta,
  type Finding,
  findingKey,
  type Report,
  SEVERITIES,
  type Severity,
  type SeverityCounts,
  severityRank,
  worstSeverity,
} from '../report/report.js';
import { type Locale, type Texts, texts } from './i18n.js';

/** A finding as a message lists it: new ones (since the baseline) are marked. */
export type NoticeFinding = Finding & { isNew?: boolean };

/** One scan result inside a summary notice. */
export interface NoticeItem {
  image: string;
  emoji: string;
  headline: string;
  consoleUrl?: string;
}

/** What every chat message says about one scan result, before a channel gives it its own format. */
export interface Notice {
  /** A scan outcome, or `summary`: several results for one channel combined because its rate limit allows no more posts. */
  kind: NotifyJob['outcome']['status'] | 'summary';
  /** `team/api:1.4.2`, or `team/api@sha256:1234abcd…` for a digest-only push. */
  image: string;
  /** Every tag pushed with this digest, when there is more than the one in `image`. */
  tags?: string[];
  shortDigest: string;
  scanner: string;
  /** One line: what happened. */
  headline: string;
  /** What to do, for failures and time-outs. */
  advice?: string;
  worst?: Severity;
  emoji: string;
  /** Hex colour by worst severity (or failure). */
  colour: string;
  counts?: SeverityCounts;
  total?: number;
  fixable?: number;
  /** New findings first, marked, then the worst of the rest. */
  findings: NoticeFinding[];
  /** The image compared with: `1.4.1 (3f2a9c1b0d4e)`. */
  since?: string;
  /** Findings new and fixed since that image, per severity. */
  change?: { new: SeverityCounts; fixed: SeverityCounts };
  /** One line each: why nothing was compared, what was ignored, expired or left out for want of a fix. */
  notes?: string[];
  consoleUrl?: string;
  duration?: string;
  /** The results a `summary` combines. */
  items?: NoticeItem[];
}

export const SEVERITY_EMOJI: Record<Severity | 'none', string> = {
  critical: '🟣',
  high: '🔴',
  medium: '🟠',
  low: '🟡',
  unknown: '⚪',
  none: '🟢',
};
export const SEVERITY_COLOUR: Record<Severity | 'none' | 'failure', string> = {
  critical: '#7b1fa2',
  high: '#d32f2f',
  medium: '#f57c00',
  low: '#fbc02d',
  unknown: '#9e9e9e',
  none: '#2e7d32',
  failure: '#455a64',
};

/** What a notice's colour stands for: its worst severity, a failure, or nothing found. */
export type Verdict = Severity | 'none' | 'failure';
/** A target's own name for each verdict's colour. */
export type Palette = Record<Verdict, string>;
export const verdictOf = (notice: Pick<Notice, 'colour' | 'worst'>): Verdict =>
  notice.worst ?? (Object.entries(SEVERITY_COLOUR).find(([, c]) => c === notice.colour)?.[0] as Verdict | undefined) ?? 'failure';

export const shortDigest = (digest: string): string => digest.replace(/^sha256:/, '').slice(0, 12);

export const formatDuration = (ms: number, locale: Locale = 'en'): string => {
  const s = Math.max(0, Math.round(ms / 1000));
  return texts(locale).duration(Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60);
};

export const countsLine = (counts: SeverityCounts, locale: Locale = 'en'): string =>
  SEVERITIES.map((s) => `${texts(locale).severity[s]} ${counts[s]}`).join(' · ');

const sum = (counts: SeverityCounts) => SEVERITIES.reduce((n, s) => n + counts[s], 0);

/** `High 2 · Low 1`: the severities that have any. */
export const breakdown = (counts: SeverityCounts, locale: Locale = 'en'): string =>
  SEVERITIES.filter((s) => counts[s] > 0)
    .map((s) => `${texts(locale).severity[s]} ${counts[s]}`)
    .join(' · ');

/** `New 3 (High 2 · Medium 1) · Fixed 1 (Low 1)`. */
export const changeLine = (change: NonNullable<Notice['change']>, locale: Locale = 'en'): string =>
  texts(locale).changes(sum(change.new), breakdown(change.new, locale), sum(change.fixed), breakdown(change.fixed, locale));

const sinceOf = (baseline: BaselineRef): string => [baseline.tag, baseline.digest ? `(${shortDigest(baseline.digest)})` : undefined].filter(Boolean).join(' ');

/** New findings first, marked; then the report's worst, each once. */
const listedFindings = (report: Report): NoticeFinding[] => {
  if (report.delta?.status !== 'compared') return report.findings;
  const fresh = report.delta.newFindings.map((f) => ({ ...f, isNew: true }));
  const keys = new Set(fresh.map(findingKey));
  return [...fresh, ...report.findings.filter((f) => !keys.has(findingKey(f)))];
};

const baselineNote = (delta: Delta | undefined, t: Texts): string[] => {
  if (delta?.status === 'none')
    return [delta.reason === 'first' ? t.noBaseline : delta.reason === 'tag_missing' ? t.baselineMissing(delta.tag ?? '') : t.isBaseline(delta.tag ?? '')];
  if (delta?.status === 'unavailable') return [t.notCompared(delta.reason)];
  return [];
};

/** The lines under a report's counts that say what was compared, ignored or left out. */
const reportNotes = (job: NotifyJob, report: Report, scannerLabel: string, t: Texts): string[] => {
  const expired = report.expired ?? [];
  return [
    ...(job.scanner === REGISTRY_SCANNER ? [t.countsOnly(scannerLabel)] : baselineNote(report.delta, t)),
    ...(report.ignored ? [t.ignored(report.ignored)] : []),
    ...(expired.length > 0
      ? [
          t.expired(
            expired
              .slice(0, 3)
              .map((e) => t.expiredEntry(e.id, e.package, e.until))
              .join(t.listSeparator),
            expired.length - 3,
          ),
        ]
      : []),
    ...(report.withoutFix ? [t.withoutFix(report.withoutFix)] : []),
  ];
};

const DAY_MS = 86_400_000;

/** A re-scan's notice says so before its headline, and names its own last scan as what it was compared with. */
const asRescan = (notice: Notice, job: NotifyJob, t: Texts): Notice => {
  if (!job.rescan) return notice;
  const pushedAt = job.image.pushedAt ? Date.parse(job.image.pushedAt) : Number.NaN;
  const days = Number.isFinite(pushedAt) ? Math.max(0, Math.floor((Date.parse(job.finishedAt) - pushedAt) / DAY_MS)) : undefined;
  const compared = job.outcome.status === 'complete' && job.outcome.report.delta?.status === 'compared' ? job.outcome.report.delta : undefined;
  const headline = compared
    ? notice.headline.replace(t.changeHeadline(sum(compared.new), sum(compared.fixed)), t.rescanChange(sum(compared.new)))
    : notice.headline;
  return {
    ...notice,
    headline: `${t.rescan}${headline}`,
    since: t.rescanSince(job.rescan.lastScannedAt?.slice(0, 10), days),
  };
};

export const buildNotice = (job: NotifyJob, scannerLabel: string, locale: Locale = 'en'): Notice =>
  asRescan(pushNotice(job, scannerLabel, locale), job, texts(locale));

const pushNotice = (job: NotifyJob, scannerLabel: string, locale: Locale = 'en'): Notice => {
  const t = texts(locale);
  const { image, outcome } = job;
  const name = `${image.namespace}/${image.repository}`;
  const base = {
    kind: outcome.status,
    image: image.tag ? `${name}:${image.tag}` : `${name}@${image.digest.slice(0, 19)}…`,
    ...(image.tags && image.tags.length > 1 ? { tags: image.tags } : {}),
    shortDigest: shortDigest(image.digest),
    scanner: `${scannerLabel} (${job.scanner})`,
    findings: [] as Finding[],
    ...(job.scanStartedAt ? { duration: formatDuration(Date.parse(job.finishedAt) - Date.parse(job.scanStartedAt), locale) } : {}),
  };
  const failure = { colour: SEVERITY_COLOUR.failure };
  switch (outcome.status) {
    case 'complete': {
      const { report } = outcome;
      const worst = worstSeverity(report.counts);
      const compared = report.delta?.status === 'compared' ? report.delta : undefined;
      const notes = reportNotes(job, report, scannerLabel, t);
      return {
        ...base,
        headline: `${worst ? t.found(report.total, t.severity[worst]) : t.clean}${compared ? t.changeHeadline(sum(compared.new), sum(compared.fixed)) : ''}`,
        ...(worst ? { worst } : {}),
        emoji: SEVERITY_EMOJI[worst ?? 'none'],
        colour: SEVERITY_COLOUR[worst ?? 'none'],
        counts: report.counts,
        total: report.total,
        ...(report.fixable !== undefined ? { fixable: report.fixable } : {}),
        findings: listedFindings(report),
        ...(compared ? { since: sinceOf(compared.baseline), change: { new: compared.new, fixed: compared.fixed } } : {}),
        ...(notes.length > 0 ? { notes } : {}),
        ...(report.consoleUrl ? { consoleUrl: report.consoleUrl } : {}),
      };
    }
    case 'failed':
      return { ...base, ...failure, headline: t.scanFailed(outcome.reason), advice: t.advice.failed, emoji: '❌' };
    case 'error':
      return {
        ...base,
        ...failure,
        headline: t.couldNotScan(outcome.code, outcome.reason),
        advice: outcome.retryable ? t.advice.retryable : t.advice.config,
        emoji: '⚠️',
      };
    case 'timed_out':
      return {
        ...base,
        ...failure,
        headline: t.timedOut(formatDuration(outcome.waitedSeconds * 1000, locale)),
        advice: t.advice.timedOut,
        emoji: '⏱️',
      };
  }
};

/** `team/api:1.4.2, 1.4, latest`: a summary item stands for every tag pushed with the digest. */
const imageWithTags = (notice: Notice): string =>
  notice.tags && notice.tags.length > 1 ? `${notice.image.slice(0, notice.image.lastIndexOf(':'))}:${notice.tags.join(', ')}` : notice.image;

/**
 * Several notices for one channel as one: a line per result. Its colour is the worst severity found, else that
 * of a failure, else clean.
 */
export const summaryNotice = (parts: Notice[], locale: Locale = 'en'): Notice => {
  const t = texts(locale);
  const worst = parts
    .map((p) => p.worst)
    .filter((s): s is Severity => s !== undefined)
    .sort((a, b) => severityRank(b) - severityRank(a))[0];
  const failed = parts.some((p) => p.kind !== 'complete' && p.kind !== 'summary');
  const verdict: Verdict = worst ?? (failed ? 'failure' : 'none');
  return {
    kind: 'summary',
    image: t.summary(parts.length),
    shortDigest: '',
    scanner: [...new Set(parts.map((p) => p.scanner))].join(t.listSeparator),
    headline: t.breakdown({
      vulnerable: parts.filter((p) => p.worst).length,
      clean: parts.filter((p) => p.kind === 'complete' && !p.worst).length,
      failed: parts.filter((p) => p.kind !== 'complete' && p.kind !== 'summary').length,
    }),
    advice: t.advice.summary,
    ...(worst ? { worst } : {}),
    emoji: verdict === 'failure' ? '⚠️' : SEVERITY_EMOJI[verdict],
    colour: SEVERITY_COLOUR[verdict],
    findings: [],
    items: parts.map((p) => ({ image: imageWithTags(p), emoji: p.emoji, headline: p.headline, ...(p.consoleUrl ? { consoleUrl: p.consoleUrl } : {}) })),
  };
};
