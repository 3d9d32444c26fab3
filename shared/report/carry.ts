import { type Delta, type ExpiredIgnore, type Finding, MAX_EXPIRED_CARRIED, MAX_FINDINGS_CARRIED, type Report } from './report.js';

/**
 * A report as a queue message carries it. Message bodies are ASCII JSON (shared/queue/messageBody.ts): every UTF-16 unit
 * beyond ASCII costs 6 bytes. Each field a scanner fills is cut to a byte budget in that form, so that 20 findings, 20 new
 * ones and 10 expired ignore entries stay far inside SQS's 256 KiB whatever the scanner sent; chat messages show less.
 */
const BUDGET = { id: 256, package: 768, version: 256, fixCommand: 512, link: 1024, tag: 512, digest: 160, reason: 600, until: 64 } as const;

const unitBytes = (unit: number): number => (unit >= 0x7f ? 6 : unit < 0x20 ? 6 : unit === 0x22 || unit === 0x5c ? 2 : 1);

/** What `text` costs inside an ASCII JSON body, quotes aside. */
export const escapedBytes = (text: string): number => {
  let n = 0;
  for (let i = 0; i < text.length; i++) n += unitBytes(text.charCodeAt(i));
  return n;
};

/** `text` cut at a character boundary to at most `max` escaped bytes, "…" marking a cut. */
export const clipEscaped = (text: string, max: number): string => {
  if (escapedBytes(text) <= max) return text;
  let out = '';
  let used = 6; // the "…"
  for (const ch of text) {
    const cost = escapedBytes(ch);
    if (used + cost > max) break;
    out += ch;
    used += cost;
  }
  return `${out}…`;
};

const carriedFinding = (f: Finding): Finding => ({
  id: clipEscaped(f.id, BUDGET.id),
  severity: f.severity,
  package: clipEscaped(f.package, BUDGET.package),
  ...(f.installedVersion !== undefined ? { installedVersion: clipEscaped(f.installedVersion, BUDGET.version) } : {}),
  ...(f.fixedVersion !== undefined ? { fixedVersion: clipEscaped(f.fixedVersion, BUDGET.version) } : {}),
  ...(f.fixCommand !== undefined ? { fixCommand: clipEscaped(f.fixCommand, BUDGET.fixCommand) } : {}),
  // A cut link leads nowhere.
  ...(f.link !== undefined && escapedBytes(f.link) <= BUDGET.link ? { link: f.link } : {}),
});

const carriedDelta = (d: Delta): Delta => {
  switch (d.status) {
    case 'compared':
      return {
        ...d,
        baseline: {
          ...(d.baseline.tag !== undefined ? { tag: clipEscaped(d.baseline.tag, BUDGET.tag) } : {}),
          ...(d.baseline.digest !== undefined ? { digest: clipEscaped(d.baseline.digest, BUDGET.digest) } : {}),
        },
        newFindings: d.newFindings.slice(0, MAX_FINDINGS_CARRIED).map(carriedFinding),
      };
    case 'none':
      return { ...d, ...(d.tag !== undefined ? { tag: clipEscaped(d.tag, BUDGET.tag) } : {}) };
    case 'unavailable':
      return { ...d, reason: clipEscaped(d.reason, BUDGET.reason) };
  }
};

const carriedExpired = (e: ExpiredIgnore): ExpiredIgnore => ({
  id: clipEscaped(e.id, BUDGET.id),
  ...(e.package !== undefined ? { package: clipEscaped(e.package, BUDGET.package) } : {}),
  until: clipEscaped(e.until, BUDGET.until),
  severity: e.severity,
});

export const carriedReport = ({ consoleUrl, ...report }: Report): Report => ({
  ...report,
  findings: report.findings.slice(0, MAX_FINDINGS_CARRIED).map(carriedFinding),
  ...(consoleUrl !== undefined && escapedBytes(consoleUrl) <= BUDGET.link ? { consoleUrl } : {}),
  ...(report.delta ? { delta: carriedDelta(report.delta) } : {}),
  ...(report.expired ? { expired: report.expired.slice(0, MAX_EXPIRED_CARRIED).map(carriedExpired) } : {}),
});
