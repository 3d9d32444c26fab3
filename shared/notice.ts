import type { NotifyJob } from './messages.js';
import { type Finding, SEVERITIES, type Severity, type SeverityCounts, worstSeverity } from './report.js';

/** What every chat message says about one scan result, before a channel gives it its own format. */
/** One scan result inside a summary notice. */
export interface NoticeItem {
  image: string;
  emoji: string;
  headline: string;
  consoleUrl?: string;
}

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
  findings: Finding[];
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

export const shortDigest = (digest: string): string => digest.replace(/^sha256:/, '').slice(0, 12);

export const formatDuration = (ms: number): string => {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m ${s % 60}s` : `${Math.floor(m / 60)}h ${m % 60}m`;
};

export const countsLine = (counts: SeverityCounts): string =>
  SEVERITIES.map((s) => `${s[0]!.toUpperCase()}${s.slice(1)} ${counts[s]}`).join(' · ');

export const buildNotice = (job: NotifyJob, scannerLabel: string): Notice => {
  const { image, outcome } = job;
  const name = `${image.namespace}/${image.repository}`;
  const base = {
    kind: outcome.status,
    image: image.tag ? `${name}:${image.tag}` : `${name}@${image.digest.slice(0, 19)}…`,
    ...(image.tags && image.tags.length > 1 ? { tags: image.tags } : {}),
    shortDigest: shortDigest(image.digest),
    scanner: `${scannerLabel} (${job.scanner})`,
    findings: [] as Finding[],
    ...(job.scanStartedAt
      ? { duration: formatDuration(Date.parse(job.finishedAt) - Date.parse(job.scanStartedAt)) }
      : {}),
  };
  switch (outcome.status) {
    case 'complete': {
      const { report } = outcome;
      const worst = worstSeverity(report.counts);
      return {
        ...base,
        headline: worst
          ? `${report.total} vulnerabilit${report.total === 1 ? 'y' : 'ies'} found, worst ${worst}`
          : 'No vulnerabilities found',
        ...(worst ? { worst } : {}),
        emoji: SEVERITY_EMOJI[worst ?? 'none'],
        colour: SEVERITY_COLOUR[worst ?? 'none'],
        counts: report.counts,
        total: report.total,
        ...(report.fixable !== undefined ? { fixable: report.fixable } : {}),
        findings: report.findings,
        ...(report.consoleUrl ? { consoleUrl: report.consoleUrl } : {}),
      };
    }
    case 'failed':
      return {
        ...base,
        headline: `Scan failed: ${outcome.reason}`,
        advice: 'The scanner could not scan this image. Check the scan log in the console and push again or rescan there.',
        emoji: '❌',
        colour: SEVERITY_COLOUR.failure,
      };
    case 'error':
      return {
        ...base,
        headline: `Could not scan: ${outcome.code}: ${outcome.reason}`,
        advice: outcome.retryable
          ? 'The scanner API kept failing or throttling; scanhook gave up after its retries. Rescan once it recovers.'
          : 'Check scanhook\'s credentials, permissions and scanner configuration; nothing will scan until they are fixed.',
        emoji: '⚠️',
        colour: SEVERITY_COLOUR.failure,
      };
    case 'timed_out':
      return {
        ...base,
        headline: `Scan still unfinished after ${formatDuration(outcome.waitedSeconds * 1000)}: scanhook stopped waiting`,
        advice: 'The scan may still finish: look for its result in the console, or raise polling.deadlineMinutes.',
        emoji: '⏱️',
        colour: SEVERITY_COLOUR.failure,
      };
  }
};
